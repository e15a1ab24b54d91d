"""Where the portal's two QR codes lead.

- The APP's: the hall's install page ``/app/`` (gjj.mobile.pwa).
- The official account's: what WeChat opens to follow the account. ``GJJ_WECHAT_FOLLOW_URL`` (a
  Django setting, else the environment variable) is the account's QR code link from the platform's
  console; without it, the platform stand-in's 关注 page beside the platform API the hall already
  talks to (``GJJ_WECHAT_API_URL``, ``GJJ_WECHAT_APPID``): ``{api}/mp/follow?appid={appid}``.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

from django.conf import settings

from gjj.clients.wechat import wechat_setting

WECHAT_ACCOUNT_NAME = "辽宁省直公积金"


def wechat_follow_url() -> str:
    configured = getattr(settings, "GJJ_WECHAT_FOLLOW_URL", None) or os.environ.get("GJJ_WECHAT_FOLLOW_URL")
    if configured:
        return str(configured)
    api = wechat_setting("GJJ_WECHAT_API_URL").rstrip("/")
    return f"{api}/mp/follow?{urlencode({'appid': wechat_setting('GJJ_WECHAT_APPID')})}"
