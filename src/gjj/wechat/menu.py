"""The official account's custom menu."""

from __future__ import annotations

from typing import Any

from gjj.core.member_links import h5_home_path
from gjj.wechat.callback import MENU_KEY_PROGRESS
from gjj.wechat.links import h5_url


def official_menu() -> dict[str, Any]:
    return {
        "button": [
            {"type": "view", "name": "业务办理", "url": h5_url(h5_home_path())},
            {"type": "click", "name": "办理进度", "key": MENU_KEY_PROGRESS},
        ]
    }
