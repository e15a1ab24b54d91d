"""Writes of the official account: linking a member's openid, and the binding contract for the H5.

The H5 contract (gjj.mobile):

1. Every link the account sends into the H5 carries ``?wx=<token>``. The H5 page that receives
   it (any page; at least the login page) stores it: ``wechat_link_token_remember(request)``
   (or ``request.session["wechat_link_token"] = request.GET["wx"]``).
2. Right after the member has logged in on the H5, the H5 calls
   ``wechat_binding_from_request(request, person)``: it takes (pops) the token from the session,
   and when it is valid (signed by this hall, at most ``GJJ_WECHAT_LINK_MAX_AGE_SECONDS`` old) it
   links the openid to ``person`` and returns the ``WechatBinding``; otherwise it returns None and
   changes nothing. It never raises for a bad or missing token.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gjj.members.models import Person
from gjj.wechat.links import openid_from_link_token
from gjj.wechat.models import WechatBinding

logger = logging.getLogger(__name__)

SESSION_KEY = "wechat_link_token"

__all__ = [
    "SESSION_KEY",
    "openid_from_link_token",
    "wechat_binding_from_request",
    "wechat_binding_link",
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
    token = request.GET.get("wx")
    if token:
        request.session[SESSION_KEY] = token


def wechat_binding_from_request(request: HttpRequest, person: Person) -> WechatBinding | None:
    """After an H5 login: link the openid of the session's ``wx`` token to ``person``."""
    token = request.session.pop(SESSION_KEY, None)
    openid = openid_from_link_token(token)
    if openid is None:
        return None
    return wechat_binding_link(person=person, openid=openid)


def wechat_openid_of(person: Person) -> str | None:
    return WechatBinding.objects.filter(person=person).values_list("openid", flat=True).first()
