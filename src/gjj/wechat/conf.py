"""The settings of the official-account server. Each is a Django setting when defined, else the
environment variable of the same name, else the embedded default (everything on loopback):

- ``GJJ_WECHAT_TOKEN``: the token configured on the platform for the callback URL's signatures.
- ``GJJ_PUBLIC_BASE_URL``: where members reach the hall, for links in replies and messages
  (default ``http://127.0.0.1:{GJJ_HALL_PORT}``).
- ``GJJ_WECHAT_LINK_MAX_AGE_SECONDS``: how long the ``wx`` token in a link stays valid (600).
- ``GJJ_WECHAT_API_URL``, ``GJJ_WECHAT_APPID``, ``GJJ_WECHAT_SECRET``, ``GJJ_WECHAT_TEMPLATE_ID``:
  the platform API (``gjj.clients.wechat``).
"""

from __future__ import annotations

import os

from django.conf import settings

from gjj.clients.wechat import wechat_setting
from gjj.core import member_links

EMBEDDED_TOKEN = "gjj-embedded-wechat-token"  # noqa: S105 - embedded default only


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def callback_token() -> str:
    return _setting("GJJ_WECHAT_TOKEN", EMBEDDED_TOKEN)


def public_base_url() -> str:
    return member_links.public_base_url()


def link_max_age_seconds() -> int:
    return int(_setting("GJJ_WECHAT_LINK_MAX_AGE_SECONDS", "600"))


def template_id() -> str:
    return wechat_setting("GJJ_WECHAT_TEMPLATE_ID")
