"""The desktop 个人网厅: the notice page, the member home, the page after 退出."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gjj.applications.account import member_account_summary
from gjj.identity.decorators import current_member, member_required
from gjj.identity.logout import MOBILE_CHANNEL, logged_out_path
from gjj.identity.redirects import safe_next_path
from gjj.identity.selectors import member_for_request
from gjj.identity.views import login_start_url


def notice(request: HttpRequest) -> HttpResponse:
    """提示信息 and 立即登录. A member sent here by an expired session returns to where they were."""
    next_path = safe_next_path(request, request.GET.get("next"))
    return render(
        request,
        "hall/notice.html",
        {
            "login_url": login_start_url(next_path=next_path),
            "is_member": member_for_request(request) is not None,
        },
    )


@member_required
def member_home(request: HttpRequest) -> HttpResponse:
    summary = member_account_summary(member=current_member(request))
    return render(request, "hall/home.html", {"summary": summary, "hall_nav": "home"})


def logged_out(request: HttpRequest) -> HttpResponse:
    """您已安全退出; the SSO comes back here after 退出 on either channel (``state`` says which)."""
    if request.GET.get("state") == MOBILE_CHANNEL:
        return redirect(logged_out_path(mobile=True))
    return render(request, "hall/logged_out.html")
