"""The WeChat platform's HTTP interface (the subset the fund centre uses), plus inspection
endpoints for tests: ``GET /wechat/_log?openid=`` (template messages, newest first) and
``GET /wechat/_menu`` (the published menu).

Like the real platform, errors are answered with HTTP 200 and ``{"errcode", "errmsg"}``."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sims.jsonapi import BadRequest, api_view, json_body, json_response, not_found, optional_str
from sims.wechat import services

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
    """Test control: forget tokens, menus and template messages."""
    services.wechat_reset()
    return json_response({"status": "ok"})
