"""Writes and reads of the WeChat platform stand-in."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sims.wechat.models import AccessToken, Menu, TemplateMessage

TOKEN_LIFETIME_SECONDS = 7200


class CredentialsInvalid(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


def token_issue(*, appid: str, secret: str) -> AccessToken:
    if appid != settings.SIMS_WECHAT_APPID:
        raise CredentialsInvalid(40013, "invalid appid")
    if not secrets.compare_digest(secret.encode(), settings.SIMS_WECHAT_SECRET.encode()):
        raise CredentialsInvalid(40125, "invalid appsecret")
    now = timezone.now()
    return AccessToken.objects.create(
        token=secrets.token_urlsafe(32),
        appid=appid,
        expires_at=now + dt.timedelta(seconds=TOKEN_LIFETIME_SECONDS),
    )


def token_valid(token: str) -> AccessToken | None:
    """The token when it was issued and has not expired."""
    if not token:
        return None
    return AccessToken.objects.filter(token=token, expires_at__gt=timezone.now()).first()


def tokens_expire() -> int:
    """Test control: every token issued so far expires now (the platform's 2-hour limit)."""
    return AccessToken.objects.filter(expires_at__gt=timezone.now()).update(expires_at=timezone.now())


def menu_create(*, appid: str, body: dict[str, Any]) -> Menu:
    return Menu.objects.create(appid=appid, body=body, created_at=timezone.now())


def menu_current() -> Menu | None:
    return Menu.objects.order_by("-created_at", "-pk").first()


def template_send(
    *, appid: str, openid: str, template_id: str, url: str, data: dict[str, Any]
) -> TemplateMessage:
    with transaction.atomic():
        last = TemplateMessage.objects.order_by("-msgid").values_list("msgid", flat=True).first()
        return TemplateMessage.objects.create(
            msgid=(last or 1_000_000) + 1,
            appid=appid,
            openid=openid,
            template_id=template_id,
            url=url,
            data=data,
            sent_at=timezone.now(),
        )


def template_log(*, openid: str | None = None, limit: int = 200) -> QuerySet[TemplateMessage]:
    messages = TemplateMessage.objects.order_by("-sent_at", "-pk")
    if openid:
        messages = messages.filter(openid=openid)
    return messages[:limit]


def wechat_reset() -> None:
    TemplateMessage.objects.all().delete()
    Menu.objects.all().delete()
    AccessToken.objects.all().delete()
