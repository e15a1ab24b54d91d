"""The official account's custom menu."""

from __future__ import annotations

from typing import Any

from gjj.wechat.callback import MENU_KEY_PROGRESS
from gjj.wechat.links import H5_HOME, h5_url


def official_menu() -> dict[str, Any]:
    return {
        "button": [
            {"type": "view", "name": "业务办理", "url": h5_url(H5_HOME)},
            {"type": "click", "name": "办理进度", "key": MENU_KEY_PROGRESS},
        ]
    }
