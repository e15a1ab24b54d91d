"""Links from WeChat into the H5, each carrying a signed, short-lived ``wx`` token with the openid it
was made for and a nonce: when the member logs in on the H5 and confirms inside WeChat, the hall
links that openid to the member, and the token can never be used again (``WechatLinkUse``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core import signing

from gjj.wechat import conf

LINK_SALT = "gjj.wechat.link"


@dataclass(frozen=True)
class LinkToken:
    openid: str
    nonce: str


def link_token(openid: str) -> str:
    return signing.dumps({"openid": openid, "n": secrets.token_urlsafe(12)}, salt=LINK_SALT)


def link_token_read(token: str | None) -> LinkToken | None:
    """What a ``wx`` token carries; None when it is missing, forged, too old or without a nonce.
    Whether it was already used is for ``WechatLinkUse`` to say."""
    if not token or not isinstance(token, str):
        return None
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=conf.link_max_age_seconds())
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    openid, nonce = payload.get("openid"), payload.get("n")
    if not (isinstance(openid, str) and openid and isinstance(nonce, str) and nonce):
        return None
    return LinkToken(openid=openid, nonce=nonce)


def openid_from_link_token(token: str | None) -> str | None:
    """The openid in a valid ``wx`` token (used or not): which account a link was sent to."""
    read = link_token_read(token)
    return read.openid if read else None


def h5_url(path: str, *, openid: str | None = None) -> str:
    """The absolute URL of an H5 page, with the ``wx`` token when the member's openid is known."""
    url = f"{conf.public_base_url()}{path}"
    if openid:
        url = f"{url}?{urlencode({'wx': link_token(openid)})}"
    return url
