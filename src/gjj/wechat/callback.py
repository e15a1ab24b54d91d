"""The official account's callback: signatures, the platform's XML, and the passive replies.

Plain-text mode only (the platform's 明文模式): messages arrive as XML, replies are XML text
messages. Every link into the H5 carries the member's signed ``wx`` token (``gjj.wechat.links``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.db import IntegrityError, transaction
from django.utils import timezone

from gjj.core.member_links import h5_applications_path, h5_home_path, h5_withdrawal_path
from gjj.policy.active import active_policy
from gjj.policy.reasons import REASONS
from gjj.policy.rules import reason_short_name
from gjj.wechat import conf
from gjj.wechat.links import h5_url
from gjj.wechat.models import WechatDelivery

logger = logging.getLogger(__name__)

MAX_TIMESTAMP_SKEW = dt.timedelta(minutes=5)
MAX_BODY_BYTES = 64 * 1024
# The empty answer: the platform shows nothing and does not retry.
SUCCESS = "success"

MENU_KEY_BUSINESS = "BUSINESS"
MENU_KEY_PROGRESS = "PROGRESS"


class MalformedMessage(ValueError):
    """The body is not a message of the platform."""


def signature_for(*, token: str, timestamp: str, nonce: str) -> str:
    joined = "".join(sorted([token, timestamp, nonce])).encode("utf-8")
    return hashlib.sha1(joined).hexdigest()  # noqa: S324 - SHA-1 is the platform's protocol


def signature_valid(*, signature: str, timestamp: str, nonce: str) -> bool:
    if not signature or not timestamp or not nonce:
        return False
    expected = signature_for(token=conf.callback_token(), timestamp=timestamp, nonce=nonce)
    return hmac.compare_digest(expected, signature.lower())


def timestamp_fresh(timestamp: str) -> bool:
    """The request's timestamp is within five minutes of now (either way)."""
    try:
        moment = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return False
    return abs(timezone.now() - moment) <= MAX_TIMESTAMP_SKEW


@dataclass(frozen=True)
class Message:
    fields: dict[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def openid(self) -> str:
        return self.get("FromUserName")

    @property
    def account(self) -> str:
        return self.get("ToUserName")

    @property
    def msg_type(self) -> str:
        return self.get("MsgType").lower()

    @property
    def dedup_key(self) -> str:
        if self.get("MsgId"):
            return f"msg:{self.get('MsgId')}"
        return f"event:{self.openid}:{self.get('CreateTime')}"


def parse_message(body: bytes) -> Message:
    if len(body) > MAX_BODY_BYTES:
        raise MalformedMessage("消息过大")
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedMessage("不是有效的 XML") from exc
    if root.tag != "xml":
        raise MalformedMessage("根元素应为 xml")
    fields = {child.tag: (child.text or "").strip() for child in root}
    message = Message(fields=fields)
    if not message.openid or not message.account or not message.msg_type:
        raise MalformedMessage("缺少 ToUserName、FromUserName 或 MsgType")
    return message


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(message: Message, content: str) -> str:
    """A passive text reply: to the sender, from the official account."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(message.openid)}</ToUserName>"
        f"<FromUserName>{_cdata(message.account)}</FromUserName>"
        f"<CreateTime>{int(timezone.now().timestamp())}</CreateTime>"
        f"<MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        "</xml>"
    )


def _link(path: str, label: str, openid: str) -> str:
    return f'<a href="{h5_url(path, openid=openid)}">{label}</a>'


def welcome_text(openid: str) -> str:
    policy = active_policy()
    return (
        f"欢迎关注{policy.centre_name or '住房公积金管理中心'}！\n"
        f"点击{_link(h5_home_path(), '业务办理', openid)}，登录后即可在线办理购房提取、租房提取、离退休提取等业务。\n"
        "回复“提取”办理提取业务，回复“进度”查询办理进度。"
    )


def business_text(openid: str) -> str:
    return f"请点击{_link(h5_home_path(), '业务办理', openid)}，登录后选择要办理的业务。"


def purchase_text(openid: str) -> str:
    """The reply to “提取”: one link per reason of the registry."""
    policy = active_policy()
    links = "、".join(
        _link(h5_withdrawal_path(key), reason_short_name(policy, key), openid) for key in REASONS
    )
    return f"办理住房公积金提取，请点击{links}，登录后按提示办理。"


def progress_text(openid: str) -> str:
    return f"查询办理进度，请点击{_link(h5_applications_path(), '我的业务', openid)}，登录后查看。"


def help_text() -> str:
    return (
        "您好！回复“提取”办理提取业务，回复“进度”查询办理进度，"
        "或点击菜单“业务办理”。"
        f"咨询电话：{active_policy().hotline}。"
    )


def reply_for(message: Message) -> str:
    """The reply body for one delivery (an XML text message, or ``success`` for no reply)."""
    openid = message.openid
    if message.msg_type == "event":
        event = message.get("Event").lower()
        if event == "subscribe":
            return text_reply(message, welcome_text(openid))
        if event == "click":
            key = message.get("EventKey")
            if key == MENU_KEY_BUSINESS:
                return text_reply(message, business_text(openid))
            if key == MENU_KEY_PROGRESS:
                return text_reply(message, progress_text(openid))
            return text_reply(message, help_text())
        return SUCCESS  # view, unsubscribe, location, template-send receipts: nothing to say
    if message.msg_type == "text":
        content = message.get("Content")
        if "进度" in content:
            return text_reply(message, progress_text(openid))
        if "提取" in content:
            return text_reply(message, purchase_text(openid))
    return text_reply(message, help_text())


def first_delivery(message: Message) -> bool:
    """Record the delivery; False when it was already received (a retry of the platform)."""
    try:
        with transaction.atomic():
            WechatDelivery.objects.create(key=message.dedup_key[:200], received_at=timezone.now())
    except IntegrityError:
        return False
    return True


def handle_message(message: Message) -> str:
    if not first_delivery(message):
        logger.info("重复投递，已忽略：%s", message.msg_type)
        return SUCCESS
    return reply_for(message)


# The platform retries a delivery within seconds; a day is ample to recognise a retry.
DELIVERY_MEMORY = dt.timedelta(days=1)


def deliveries_forget(*, older_than: dt.timedelta = DELIVERY_MEMORY) -> int:
    """Drop the records of deliveries older than ``older_than``; the number dropped."""
    deleted, _ = WechatDelivery.objects.filter(received_at__lt=timezone.now() - older_than).delete()
    return deleted
