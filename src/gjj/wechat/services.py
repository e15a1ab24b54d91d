"""Writes of the official account: binding a member's openid, and the binding contract for the H5.

The H5 contract (gjj.mobile):

1. Every link the account sends into the H5 carries ``?wx=<token>``: signed, valid for
   ``GJJ_WECHAT_LINK_MAX_AGE_SECONDS`` (600), made for one openid, with a nonce. The H5 keeps it in
   the session (``wechat_link_token_remember``).
2. Logging in binds nothing. After login, while a valid unused token waits in the session
   (``wechat_binding_pending``), the H5 shows the member a page inside WeChat,
   "将此微信号与您的公积金账户绑定", and only the member's 确认绑定 binds it
   (``wechat_binding_confirm``, which spends the token: it never binds twice); 暂不绑定 drops it
   (``wechat_binding_decline``). A link someone else forwarded therefore binds nothing unless the
   member confirms, and once.
3. The member can unbind (``wechat_binding_unlink``).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gjj.members.models import Person
from gjj.wechat.links import LinkToken, link_token_read, openid_from_link_token
from gjj.wechat.models import WechatBinding, WechatLinkUse

logger = logging.getLogger(__name__)

SESSION_KEY = "wechat_link_token"

__all__ = [
    "SESSION_KEY",
    "openid_from_link_token",
    "wechat_binding_confirm",
    "wechat_binding_decline",
    "wechat_binding_link",
    "wechat_binding_pending",
    "wechat_binding_unlink",
    "wechat_link_token_remember",
    "wechat_openid_of",
]


def wechat_binding_link(*, person: Person, openid: str) -> WechatBinding:
    """Link ``openid`` to ``person``. A member has one openid and an openid one member: linking
    again replaces the member's previous openid, and takes the openid from any other member (the
    WeChat user has now logged in as this member)."""
    if not openid:
        raise ValueError("openid is required")
    for _ in range(2):
        try:
            with transaction.atomic():
                WechatBinding.objects.filter(openid=openid).exclude(person=person).delete()
                binding, _created = WechatBinding.objects.update_or_create(
                    person=person, defaults={"openid": openid, "linked_at": timezone.now()}
                )
            logger.info("职工 %s 已绑定微信", person.pk)
            return binding
        except IntegrityError:  # a concurrent link of the same openid or person: try once more
            continue
    raise IntegrityError("微信绑定冲突")


def wechat_link_token_remember(request: HttpRequest) -> None:
    """Keep the ``wx`` query parameter (if any) in the session until the member logs in."""
    token = request.GET.get("wx", "").strip()
    if token:
        request.session[SESSION_KEY] = token[:200]


def wechat_binding_pending(request: HttpRequest, person: Person | None = None) -> LinkToken | None:
    """The session's ``wx`` token when it is valid and unused (the binding to offer), else None
    (and an invalid or used token is dropped, as is one for the WeChat account already bound to
    ``person``: a member who opens the centre's messages is not asked to bind again)."""
    token = link_token_read(request.session.get(SESSION_KEY))
    if (
        token is None
        or WechatLinkUse.objects.filter(nonce=token.nonce).exists()
        or (person is not None and WechatBinding.objects.filter(person=person, openid=token.openid).exists())
    ):
        request.session.pop(SESSION_KEY, None)
        return None
    return token


def wechat_binding_confirm(request: HttpRequest, person: Person) -> WechatBinding | None:
    """The member confirmed: bind the token's openid to ``person`` and spend the token. None when
    there is no valid token, or it was spent already (by anyone)."""
    token = link_token_read(request.session.pop(SESSION_KEY, None))
    if token is None:
        return None
    try:
        with transaction.atomic():
            WechatLinkUse.objects.create(nonce=token.nonce, used_at=timezone.now())
            return wechat_binding_link(person=person, openid=token.openid)
    except IntegrityError:  # the token was spent by another confirmation
        logger.warning("微信绑定链接已被使用，未绑定（职工 %s）", person.pk)
        return None


def wechat_binding_decline(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def wechat_binding_unlink(*, person: Person) -> bool:
    """The member ends the binding: no more WeChat messages. True when there was one."""
    deleted, _ = WechatBinding.objects.filter(person=person).delete()
    if deleted:
        logger.info("职工 %s 已解除微信绑定", person.pk)
    return bool(deleted)


def wechat_openid_of(person: Person) -> str | None:
    return WechatBinding.objects.filter(person=person).values_list("openid", flat=True).first()
