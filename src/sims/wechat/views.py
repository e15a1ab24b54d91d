"""The WeChat platform's HTTP interface (the subset the fund centre uses), plus inspection
endpoints for tests: ``GET /wechat/_log?openid=`` (template messages, newest first),
``GET /wechat/_menu`` (the published menu), ``GET /wechat/_followers`` (who followed, who left)
and ``GET|POST /wechat/_server_config`` (the account's server URL and token, as in the console).

Like the real platform, errors are answered with HTTP 200 and ``{"errcode", "errmsg"}``.

The follower's side is one page, ``/wechat/mp/follow?appid=``: what WeChat shows a user who scans
the account's QR code (the profile and 关注), then the chat with the account (its replies, the menu,
a text box). The visitor's openid is a signed cookie of this site: one per browser, kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sims.jsonapi import BadRequest, api_view, json_body, json_response, not_found, optional_str, required_str
from sims.wechat import services
from sims.wechat.chat import chat_html

_LOG_MAX = 1000


def _errcode(errcode: int, errmsg: str) -> HttpResponse:
    return json_response({"errcode": errcode, "errmsg": errmsg})


def _ok(**extra: Any) -> HttpResponse:
    return json_response({"errcode": 0, "errmsg": "ok", **extra})


@api_view(methods=["GET"])
def token(request: HttpRequest) -> HttpResponse:
    if request.GET.get("grant_type") != "client_credential":
        return _errcode(40002, "invalid grant_type")
    try:
        issued = services.token_issue(
            appid=request.GET.get("appid", ""), secret=request.GET.get("secret", "")
        )
    except services.CredentialsInvalid as exc:
        return _errcode(exc.errcode, exc.errmsg)
    return json_response({"access_token": issued.token, "expires_in": services.TOKEN_LIFETIME_SECONDS})


@api_view(methods=["POST"])
def menu_create(request: HttpRequest) -> HttpResponse:
    issued = services.token_valid(request.GET.get("access_token", ""))
    if issued is None:
        return _errcode(40001, "invalid credential, access_token is invalid or not latest")
    payload = json_body(request)
    buttons = payload.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return _errcode(40016, "invalid button size")
    services.menu_create(appid=issued.appid, body=payload)
    return _ok()


@api_view(methods=["POST"])
def template_send(request: HttpRequest) -> HttpResponse:
    issued = services.token_valid(request.GET.get("access_token", ""))
    if issued is None:
        return _errcode(40001, "invalid credential, access_token is invalid or not latest")
    payload = json_body(request)
    openid = optional_str(payload, "touser", max_length=64).strip()
    template_id = optional_str(payload, "template_id", max_length=64).strip()
    data = payload.get("data")
    if not openid:
        return _errcode(40003, "invalid openid")
    if not template_id:
        return _errcode(40037, "invalid template_id")
    if not isinstance(data, dict):
        raise BadRequest("data 应为 JSON 对象")
    for _ in range(3):
        try:
            message = services.template_send(
                appid=issued.appid,
                openid=openid,
                template_id=template_id,
                url=optional_str(payload, "url", max_length=1000),
                data=data,
            )
            break
        except IntegrityError:  # two concurrent sends took the same msgid
            continue
        except services.NotFollowing:
            return _errcode(43004, "require subscribe")
    else:
        return _errcode(-1, "system error")
    return _ok(msgid=message.msgid)


@api_view(methods=["GET"])
def log(request: HttpRequest) -> HttpResponse:
    openid = request.GET.get("openid", "").strip() or None
    try:
        limit = min(int(request.GET.get("limit", "200")), _LOG_MAX)
    except ValueError as exc:
        raise BadRequest("limit 应为整数") from exc
    return json_response(
        [
            {
                "msgid": message.msgid,
                "openid": message.openid,
                "template_id": message.template_id,
                "url": message.url,
                "data": message.data,
                "sent_at": timezone.localtime(message.sent_at).isoformat(),
            }
            for message in services.template_log(openid=openid, limit=max(limit, 0))
        ]
    )


@api_view(methods=["GET"])
def menu(request: HttpRequest) -> HttpResponse:
    current = services.menu_current()
    if current is None:
        return not_found()
    return json_response(
        {"menu": current.body, "created_at": timezone.localtime(current.created_at).isoformat()}
    )


@api_view(methods=["POST"])
def expire_tokens(request: HttpRequest) -> HttpResponse:
    """Test control: every access token issued so far expires now."""
    return json_response({"expired": services.tokens_expire()})


@api_view(methods=["POST"])
def reset(request: HttpRequest) -> HttpResponse:
    """Test control: forget tokens, menus, template messages, followers, chats and the server
    configuration set at run time."""
    services.wechat_reset()
    return json_response({"status": "ok"})


@api_view(methods=["GET", "POST"])
def server_config(request: HttpRequest) -> HttpResponse:
    """The account's 服务器配置: ``{"url", "token"}`` (POST sets them, as the console does)."""
    appid = settings.SIMS_WECHAT_APPID
    if request.method == "POST":
        payload = json_body(request)
        url = required_str(payload, "url", max_length=1000)
        if not url.startswith(("http://", "https://")):
            raise BadRequest("url 应为 http:// 或 https:// 地址")
        services.server_config_set(appid=appid, url=url, token=required_str(payload, "token", max_length=64))
    current = services.server_config(appid)
    return json_response({"url": current.url, "token": current.token})


@api_view(methods=["GET"])
def followers(request: HttpRequest) -> HttpResponse:
    return json_response(
        [
            {
                "openid": follower.openid,
                "subscribed": follower.subscribed,
                "subscribed_at": timezone.localtime(follower.subscribed_at).isoformat(),
                "unsubscribed_at": (
                    timezone.localtime(follower.unsubscribed_at).isoformat()
                    if follower.unsubscribed_at
                    else None
                ),
            }
            for follower in services.followers(appid=settings.SIMS_WECHAT_APPID)
        ]
    )


# The follower's side -----------------------------------------------------------------------------

VISITOR_COOKIE = "gjj_sims_wechat_openid"
_VISITOR_SALT = "sims.wechat.visitor"
_VISITOR_COOKIE_AGE = 10 * 365 * 24 * 3600
_TEXT_MAX = 600
# The page allows nothing but its own stylesheet (no script at all) and forms posted to itself.
_PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def _visitor_openid(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=_VISITOR_SALT)
    return value if isinstance(value, str) and value else None


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response.headers["Content-Security-Policy"] = _PAGE_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


def _menu_buttons() -> list[dict[str, Any]]:
    """The published menu's top-level buttons that a follower can press here."""
    current = services.menu_current()
    buttons = current.body.get("button", []) if current else []
    return [
        button
        for button in buttons
        if isinstance(button, dict) and button.get("type") in ("view", "click") and button.get("name")
    ]


# The fields of the hall's template message as registered on the platform (模板库: 业务办理进度通知).
TEMPLATE_FIELDS = (("keyword1", "业务流水号"), ("keyword2", "办理状态"))


def _template_card(message: Any) -> dict[str, Any]:
    data = message.data if isinstance(message.data, dict) else {}

    def value(key: str) -> str:
        field = data.get(key)
        return str(field.get("value", "")) if isinstance(field, dict) else ""

    return {
        "title": value("first"),
        "rows": [(label, value(key)) for key, label in TEMPLATE_FIELDS if value(key)],
        "remark": value("remark"),
        "url": message.url if message.url.startswith(("http://", "https://")) else "",
    }


def _chat_lines(chat: list[Any], templates: Any) -> list[dict[str, Any]]:
    """The chat as WeChat shows it: the conversation and the template messages the account sent to
    this follower (each a card whose 详情 opens its link), oldest first."""
    lines: list[dict[str, Any]] = [
        {"at": line.created_at, "sender": line.sender, "html": chat_html(line.content)} for line in chat
    ]
    lines += [{"at": m.sent_at, "sender": "account", "template": _template_card(m)} for m in templates]
    lines.sort(key=lambda line: line["at"])
    for index, line in enumerate(lines):
        line["last"] = index == len(lines) - 1
    return lines


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """关注 and the chat with the official account (``?appid=`` as in the account's QR code)."""
    appid = request.GET.get("appid", "")
    if appid != settings.SIMS_WECHAT_APPID:
        return _page(request, "sims_wechat/unknown_account.html", {}, status=404)
    openid = _visitor_openid(request) or services.visitor_openid_new()
    follower = services.follower_of(appid=appid, openid=openid)
    following = follower is not None and follower.subscribed
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "subscribe" and not following:
            services.follow(appid=appid, openid=openid)
        elif action == "unsubscribe" and following:
            services.unfollow(appid=appid, openid=openid)
        elif action == "text" and following:
            content = request.POST.get("content", "").strip()[:_TEXT_MAX]
            if content:
                services.text_send(appid=appid, openid=openid, content=content)
        elif action == "click" and following:
            key = request.POST.get("key", "")
            button = next(
                (b for b in _menu_buttons() if b.get("type") == "click" and b.get("key") == key), None
            )
            if button is not None:
                services.menu_click(appid=appid, openid=openid, key=key, name=str(button["name"]))
        response: HttpResponse = redirect(f"{request.path}?{urlencode({'appid': appid})}#latest")
    else:
        chat = services.chat_of(appid=appid, openid=openid)
        response = _page(
            request,
            "sims_wechat/follow.html",
            {
                "appid": appid,
                "account_name": settings.SIMS_WECHAT_ACCOUNT_NAME,
                "following": following,
                "chat": _chat_lines(chat, services.template_log(openid=openid, limit=50)),
                "menu": _menu_buttons() if following else [],
                "text_max": _TEXT_MAX,
            },
        )
    response.set_signed_cookie(
        VISITOR_COOKIE,
        openid,
        salt=_VISITOR_SALT,
        max_age=_VISITOR_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        path="/wechat/",
    )
    return response
