"""The mobile H5 (WeChat and the installed APP): 业务办理 home (the withdrawal reasons from the
registry), the H5 立即登录 page, the WeChat binding, and what every H5 screen shares (the channel,
the member, the member's own application). The wizard is ``gjj.mobile.views_withdrawal``, 我的业务
and 账户查询 ``gjj.mobile.views_applications``.

Channel rule: a request is 微信 when its user agent contains "MicroMessenger" or the member came in
through a WeChat link (``?wx=``, remembered in the session by ``gjj.mobile.middleware``); every other H5
request (the installed app, a phone browser) is APP.
"""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gjj.applications.presenters import REASONS_NOT_OPEN
from gjj.core.origin import inside_wechat
from gjj.identity.models import MemberLogin
from gjj.identity.redirects import safe_next_path
from gjj.identity.selectors import member_for_request
from gjj.identity.views import login_start_url
from gjj.members.models import Person
from gjj.mobile.middleware import WECHAT_SESSION_KEY
from gjj.policy.active import active_policy
from gjj.policy.reasons import REASONS
from gjj.policy.rules import reason_short_name
from gjj.policy.schema import Policy
from gjj.wechat.services import (
    wechat_binding_confirm,
    wechat_binding_decline,
    wechat_binding_pending,
    wechat_binding_unlink,
    wechat_openid_of,
)
from gjj.withdrawals import form_selectors as selectors
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.models import Application, Channel


def channel_for(request: HttpRequest) -> str:
    if inside_wechat(request) or request.session.get(WECHAT_SESSION_KEY):
        return Channel.WECHAT
    return Channel.APP


def member_actor(request: HttpRequest, person: Person) -> Actor:
    """The member acting through the H5, on the channel the request came by (WeChat or the APP)."""
    return Actor.member(person, channel=channel_for(request))


def mobile_member_required(view):  # type: ignore[no-untyped-def]
    """Like ``member_required``, but a visitor goes to the H5 login page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if member_for_request(request) is None:
            return redirect(f"{reverse('mobile:login')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return never_cache(guarded)


def logged_in_member(request: HttpRequest) -> MemberLogin:
    """The member of a view behind ``mobile_member_required``."""
    member = member_for_request(request)
    assert member is not None
    return member


def govsso_site_url() -> str:
    parts = urlsplit(settings.GJJ_OIDC_ISSUER)
    return f"{parts.scheme}://{parts.netloc}/"


def _mobile_next(request: HttpRequest, candidate: object) -> str:
    path = safe_next_path(request, candidate)
    return path if path.startswith("/m/") else reverse("mobile:home")


# --- home and login ---------------------------------------------------------------------------------

# The withdrawal reasons come from the registry (gjj.policy.reasons); the kinds the centre does not
# offer online yet are shown as 暂未开放, as on the desktop; then the member's own screens.
MEMBER_TILES = (("我的业务", "mobile:applications"), ("账户查询", "mobile:account"))


def reason_tiles(policy: Policy) -> list[dict[str, str]]:
    """购房提取, 租房提取, 离退休提取 …: each reason's short name, summary and the H5 screen that starts it."""
    return [
        {
            "key": key,
            "name": reason_short_name(policy, key),
            "summary": reason.summary,
            "url": reverse("mobile:reason", args=[key]),
        }
        for key, reason in REASONS.items()
    ]


@require_GET
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    member = member_for_request(request)
    tiles = [(short_name, "") for _, short_name, _ in REASONS_NOT_OPEN] + [
        (name, reverse(url)) for name, url in MEMBER_TILES
    ]
    return render(
        request,
        "mobile/home.html",
        {
            "reasons": reason_tiles(active_policy()),
            "tiles": tiles,
            "member_name": member.display_name if member else "",
        },
    )


@require_GET
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    """立即登录 (H5): no registration or password recovery here; they happen on the
    government-service site."""
    next_path = _mobile_next(request, request.GET.get("next"))
    done = f"{reverse('mobile:login_done')}?{urlencode({'next': next_path})}"
    return render(
        request,
        "mobile/login.html",
        {"login_url": login_start_url(next_path=done), "govsso_url": govsso_site_url()},
    )


@mobile_member_required
@require_GET
def login_done(request: HttpRequest) -> HttpResponse:
    """After the SSO: a member who came by a WeChat link is asked whether to bind this WeChat
    account (nothing is bound by logging in), then goes on."""
    next_path = _mobile_next(request, request.GET.get("next"))
    if wechat_binding_pending(request, logged_in_member(request).person) is not None:
        return redirect(f"{reverse('mobile:wechat_bind')}?{urlencode({'next': next_path})}")
    return redirect(next_path)


@mobile_member_required
@require_http_methods(["GET", "POST"])
def wechat_bind(request: HttpRequest) -> HttpResponse:
    """将此微信号与您的公积金账户绑定: shown inside WeChat only; only 确认绑定 binds."""
    next_path = _mobile_next(request, request.GET.get("next") or request.POST.get("next"))
    if wechat_binding_pending(request, logged_in_member(request).person) is None:
        return redirect(next_path)
    if not inside_wechat(request):
        wechat_binding_decline(request)  # a WeChat link opened elsewhere binds nothing
        return redirect(next_path)
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            bound = wechat_binding_confirm(request, logged_in_member(request).person) is not None
            return render(request, "mobile/wechat_bound.html", {"bound": bound, "next": next_path})
        wechat_binding_decline(request)
        return redirect(next_path)
    member = logged_in_member(request)
    return render(request, "mobile/wechat_bind.html", {"member_name": member.display_name, "next": next_path})


@mobile_member_required
@require_http_methods(["GET", "POST"])
def wechat_binding(request: HttpRequest) -> HttpResponse:
    """The member's WeChat binding, and 解除绑定."""
    person = logged_in_member(request).person
    unbound = request.method == "POST" and wechat_binding_unlink(person=person)
    return render(
        request,
        "mobile/wechat_binding.html",
        {"bound": wechat_openid_of(person) is not None, "unbound": unbound},
    )


# --- the member's own applications ------------------------------------------------------------------


def owned_application(request: HttpRequest, business_no: str) -> Application:
    """The member's own application; another member's business number is a 404 like a missing one."""
    application = selectors.application_for_member(
        person=logged_in_member(request).person, business_no=business_no
    )
    if application is None:
        raise Http404("没有这笔业务")
    return application
