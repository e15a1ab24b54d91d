"""Sign-in, sign-out, the landing page by role, and the dashboard."""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from gjj.backoffice.access import ALL_ROLES, is_staff_signed_in, staff_view
from gjj.backoffice.auth import StaffLoginRefused, staff_login, staff_logout
from gjj.backoffice.dashboard import dashboard_context
from gjj.core.timeutil import today_shanghai
from gjj.staff.roles import StaffRole, user_roles

LOGIN_NOTES = {
    "idle": "您已超过 15 分钟未操作，为保护个人信息已自动退出，请重新登录。",
    "signed_out": "您已安全退出。",
}


def _landing(request: HttpRequest) -> str:
    roles = user_roles(request.user)
    if roles & {StaffRole.FIRST_REVIEWER, StaffRole.SECOND_REVIEWER}:
        return "backoffice:queue"
    if StaffRole.FINANCE in roles:
        return "backoffice:payouts"
    if StaffRole.AUDITOR in roles:
        return "backoffice:audit"
    return "backoffice:dashboard"


def _safe_next(next_url: str, request: HttpRequest) -> str:
    """Only a path inside the back office, after normalising (no ``..`` climbing out of it)."""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return ""
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or ".." in parts.path.split("/"):
        return ""
    if not parts.path.startswith("/backoffice/") or not posixpath.normpath(parts.path).startswith(
        "/backoffice"
    ):
        return ""
    return next_url


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request.POST.get("next") or request.GET.get("next") or "", request)
    error = ""
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            staff_login(
                request=request,
                username=username,
                password=request.POST.get("password", ""),
                token=request.POST.get("token", ""),
            )
        except StaffLoginRefused as refused:
            error = refused.message
        else:
            return redirect(next_url or _landing(request))
    elif is_staff_signed_in(request):
        return redirect(next_url or _landing(request))
    return render(
        request,
        "backoffice/login.html",
        {
            "error": error,
            "username": username,
            "next": next_url,
            "note": LOGIN_NOTES.get(request.GET.get("reason", ""), ""),
        },
        status=400 if error else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    staff_logout(request=request)
    return redirect("/backoffice/login/?reason=signed_out")


@staff_view(ALL_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    return redirect(_landing(request))


@staff_view(ALL_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    days = 30 if request.GET.get("days") not in ("7", "90") else int(request.GET["days"])
    context = dashboard_context(today=today_shanghai(), days=days)
    return render(request, "backoffice/dashboard.html", {**context, "days": days})
