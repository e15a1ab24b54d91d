"""Writes and reads of the WeChat platform stand-in: the API the official account's server calls
(access tokens, menu, template messages), and the followers' side — following the account and
chatting with it, each event and message delivered to the account's server (its 服务器配置: URL and
token) the way the platform does: signed XML in plain-text mode, the reply shown in the chat."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sims.wechat.models import AccessToken, ChatMessage, Follower, Menu, ServerConfig, TemplateMessage

logger = logging.getLogger(__name__)

TOKEN_LIFETIME_SECONDS = 7200
# What WeChat shows a follower when the account's server does not answer in time, or answers
# with something that is not a reply.
SERVICE_FAULT_NOTICE = "该公众号暂时无法提供服务，请稍后再试"


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


class NotFollowing(Exception):
    """The user unfollowed the account: the platform sends them no template message (43004)."""


def template_send(
    *, appid: str, openid: str, template_id: str, url: str, data: dict[str, Any]
) -> TemplateMessage:
    if Follower.objects.filter(appid=appid, openid=openid, subscribed=False).exists():
        raise NotFollowing(openid)
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
    ChatMessage.objects.all().delete()
    Follower.objects.all().delete()
    ServerConfig.objects.all().delete()


# The account's server (服务器配置) ----------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    token: str


def server_config(appid: str) -> Server:
    """Where the platform delivers the account's events and messages, and the token it signs with."""
    stored = ServerConfig.objects.filter(appid=appid).first()
    if stored is not None:
        return Server(url=stored.url, token=stored.token)
    return Server(url=settings.SIMS_WECHAT_CALLBACK_URL, token=settings.SIMS_WECHAT_TOKEN)


def server_config_set(*, appid: str, url: str, token: str) -> ServerConfig:
    config, _ = ServerConfig.objects.update_or_create(
        appid=appid, defaults={"url": url, "token": token, "updated_at": timezone.now()}
    )
    return config


def signature_for(*, token: str, timestamp: str, nonce: str) -> str:
    """The platform's signature: SHA-1 of token, timestamp and nonce, sorted and joined."""
    joined = "".join(sorted([token, timestamp, nonce])).encode("utf-8")
    return hashlib.sha1(joined).hexdigest()  # noqa: S324 - SHA-1 is the platform's protocol


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(fields: dict[str, str | int]) -> str:
    """A message of the platform to the account's server (plain-text mode)."""
    parts = [
        f"<{name}>{value}</{name}>" if isinstance(value, int) else f"<{name}>{_cdata(value)}</{name}>"
        for name, value in fields.items()
    ]
    return "<xml>" + "".join(parts) + "</xml>"


class ServerFault(Exception):
    """The account's server did not answer in time, or not with a reply of the protocol."""


def _reply_text(body: bytes) -> str | None:
    """The text of the server's passive reply; None for ``success`` or an empty answer."""
    stripped = body.strip()
    if stripped in (b"", b"success"):
        return None
    try:
        root = fromstring(stripped)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise ServerFault("回复不是有效的 XML") from exc
    fields = {child.tag: (child.text or "") for child in root}
    if root.tag != "xml" or fields.get("MsgType") != "text":
        raise ServerFault("回复不是文本消息")
    return fields.get("Content", "")


def _post_to_server(*, appid: str, openid: str, xml: str) -> str | None:
    """Deliver one message to the account's server; its reply text (None for no reply)."""
    server = server_config(appid)
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    params = {
        "signature": signature_for(token=server.token, timestamp=timestamp, nonce=nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid,
    }
    try:
        answer = requests.post(
            server.url,
            params=params,
            data=xml.encode("utf-8"),
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "User-Agent": "Mozilla/4.0 (WeChat platform stand-in)",
            },
            timeout=settings.SIMS_WECHAT_CALLBACK_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise ServerFault(f"未能连接公众号服务器：{type(exc).__name__}") from exc
    if answer.status_code != 200:
        raise ServerFault(f"公众号服务器回答 HTTP {answer.status_code}")
    return _reply_text(answer.content)


def _say(*, appid: str, openid: str, sender: str, kind: str, content: str) -> ChatMessage:
    return ChatMessage.objects.create(
        appid=appid, openid=openid, sender=sender, kind=kind, content=content, created_at=timezone.now()
    )


def _deliver(*, appid: str, openid: str, fields: dict[str, str | int]) -> ChatMessage | None:
    """Send ``fields`` from ``openid`` to the account's server and put its reply in the chat: the
    reply, nothing (the server said ``success``), or WeChat's own fault notice."""
    xml = message_xml(
        {
            "ToUserName": settings.SIMS_WECHAT_ORIGINAL_ID,
            "FromUserName": openid,
            "CreateTime": int(time.time()),
            **fields,
        }
    )
    try:
        reply = _post_to_server(appid=appid, openid=openid, xml=xml)
    except ServerFault as exc:
        logger.warning("公众号服务器未能回复（%s）", exc)
        return _say(
            appid=appid,
            openid=openid,
            sender=ChatMessage.Sender.PLATFORM,
            kind="fault",
            content=SERVICE_FAULT_NOTICE,
        )
    if reply is None:
        return None
    return _say(appid=appid, openid=openid, sender=ChatMessage.Sender.ACCOUNT, kind="text", content=reply)


# The followers' side -----------------------------------------------------------------------------


def visitor_openid_new() -> str:
    """An openid for a new visitor: 28 characters starting with ``o``, like the platform's."""
    return "o" + secrets.token_urlsafe(24)[:27]


def follower_of(*, appid: str, openid: str) -> Follower | None:
    return Follower.objects.filter(appid=appid, openid=openid).first()


def follow(*, appid: str, openid: str) -> ChatMessage | None:
    """关注: the user follows the account; the ``subscribe`` event goes to the account's server."""
    now = timezone.now()
    try:
        with transaction.atomic():
            Follower.objects.update_or_create(
                appid=appid,
                openid=openid,
                defaults={"subscribed": True, "subscribed_at": now, "unsubscribed_at": None},
            )
    except IntegrityError:  # the same browser pressed 关注 twice at once: it follows either way
        pass
    _say(
        appid=appid,
        openid=openid,
        sender=ChatMessage.Sender.PLATFORM,
        kind="subscribe",
        content="你已关注该公众号",
    )
    logger.info("公众号 %s 新增关注者", appid)
    return _deliver(
        appid=appid, openid=openid, fields={"MsgType": "event", "Event": "subscribe", "EventKey": ""}
    )


def unfollow(*, appid: str, openid: str) -> None:
    """不再关注: the ``unsubscribe`` event goes to the server (it has nothing to say back)."""
    Follower.objects.filter(appid=appid, openid=openid).update(
        subscribed=False, unsubscribed_at=timezone.now()
    )
    _say(
        appid=appid,
        openid=openid,
        sender=ChatMessage.Sender.PLATFORM,
        kind="unsubscribe",
        content="你已不再关注该公众号",
    )
    logger.info("公众号 %s 有关注者取消关注", appid)
    _deliver(appid=appid, openid=openid, fields={"MsgType": "event", "Event": "unsubscribe", "EventKey": ""})


def _msgid() -> int:
    return secrets.randbelow(2**62) + 2**32


def text_send(*, appid: str, openid: str, content: str) -> ChatMessage | None:
    """The follower types a message to the account."""
    _say(appid=appid, openid=openid, sender=ChatMessage.Sender.USER, kind="text", content=content)
    return _deliver(
        appid=appid, openid=openid, fields={"MsgType": "text", "Content": content, "MsgId": _msgid()}
    )


def menu_click(*, appid: str, openid: str, key: str, name: str) -> ChatMessage | None:
    """The follower presses a ``click`` button of the account's menu."""
    _say(
        appid=appid,
        openid=openid,
        sender=ChatMessage.Sender.PLATFORM,
        kind="click",
        content=f"点击了菜单“{name}”",
    )
    return _deliver(
        appid=appid, openid=openid, fields={"MsgType": "event", "Event": "CLICK", "EventKey": key}
    )


def chat_of(*, appid: str, openid: str, limit: int = 100) -> list[ChatMessage]:
    """The follower's chat, oldest first (the newest ``limit`` lines)."""
    newest = ChatMessage.objects.filter(appid=appid, openid=openid).order_by("-created_at", "-pk")[:limit]
    return list(reversed(list(newest)))


def followers(*, appid: str) -> QuerySet[Follower]:
    return Follower.objects.filter(appid=appid).order_by("-subscribed_at", "-pk")
