"""Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sims import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ANDROID_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
# WeChat's own browser on the same phone: what the H5 sees as the 微信 channel.
WECHAT_UA = f"{ANDROID_UA} MicroMessenger/8.0.50.2701(0x28003235) NetType/WIFI Language/zh_CN"


def phone_context(browser, *, wechat: bool = False, **extra):  # type: ignore[no-untyped-def]
    """An Android phone (390×844, touch), in WeChat with ``wechat``: its own cookies, so at the
    WeChat stand-in its own follower."""
    options = {
        "viewport": PHONE,
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 3,
        "user_agent": WECHAT_UA if wechat else ANDROID_UA,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        **extra,
    }
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    return context


# Every Content-Security-Policy violation any page of any test caused, as Chromium reported it on
# the console; the browser tests' conftest fails the test that caused one.
CSP_VIOLATIONS: list[str] = []
# Template source (``{#``, ``#}``, ``{{``, ``{%``) in the rendered text of any page a test opened.
TEMPLATE_SOURCE_SEEN: list[str] = []
TEMPLATE_MARKERS = ("{#", "#}", "{{", "{%")
_RENDERED_TEXT = "() => document.body ? document.body.innerText : ''"


def template_source_check(page) -> None:
    """Record the page if its rendered text shows template source. A page already gone (the test
    moved on, or closed it) has nothing to check."""
    try:
        text = page.evaluate(_RENDERED_TEXT)
    except Exception:  # navigated away or closed meanwhile: its successor is checked in turn
        return
    found = [marker for marker in TEMPLATE_MARKERS if marker in text]
    if found:
        TEMPLATE_SOURCE_SEEN.append(f"{page.url}: {' '.join(found)}")


def _watch_page(page) -> None:
    page.on("load", lambda *_: template_source_check(page))


def _record_csp_violation(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(f"{message.location.get('url', '')}: {message.text}")


class _WatchedBrowser:
    """The launched browser; each context it opens reports CSP violations."""

    def __init__(self, launched) -> None:
        self._launched = launched

    def new_context(self, **options):
        context = self._launched.new_context(**options)
        context.on("console", _record_csp_violation)
        context.on("page", _watch_page)
        close = context.close

        def close_after_reading_each_page(*args, **kwargs):
            # The pages' last states, htmx swaps included, before they go.
            for open_page in context.pages:
                template_source_check(open_page)
            return close(*args, **kwargs)

        context.close = close_after_reading_each_page
        return context

    def __getattr__(self, name: str):
        return getattr(self._launched, name)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("缺少 Debian 的 chromium（运行 scripts/ensure-system.sh 安装）")
    # Playwright's sync API runs an event loop in this thread; Django's guard against database
    # calls from async code would otherwise trip in tests that also read the test database.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield _WatchedBrowser(launched)
        launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page, name: str) -> Path:
    """Keep a screenshot for docs/screenshots (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
