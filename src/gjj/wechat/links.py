"""Links from WeChat into the H5, each carrying a signed, short-lived ``wx`` token with the member's
openid: when the member then logs in on the H5, the hall links that openid to the member."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing

from gjj.wechat import conf

LINK_SALT = "gjj.wechat.link"

# The H5 pages the official account links to (gjj.mobile).
H5_HOME = "/m/"
H5_PURCHASE = "/m/withdrawals/purchase/"
H5_APPLICATIONS = "/m/applications/"


def link_token(openid: str) -> str:
    return signing.dumps({"openid": openid}, salt=LINK_SALT)


def openid_from_link_token(token: str | None) -> str | None:
    """The openid in a ``wx`` token; None when the token is missing, forged or too old."""
    if not token or not isinstance(token, str):
        return None
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=conf.link_max_age_seconds())
    except signing.BadSignature:  # also SignatureExpired
        return None
    openid = payload.get("openid") if isinstance(payload, dict) else None
    return openid if isinstance(openid, str) and openid else None


def h5_url(path: str, *, openid: str | None = None) -> str:
    """The absolute URL of an H5 page, with the ``wx`` token when the member's openid is known."""
    url = f"{conf.public_base_url()}{path}"
    if openid:
        url = f"{url}?{urlencode({'wx': link_token(openid)})}"
    return url
