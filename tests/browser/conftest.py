"""Helpers for the browser tests of the member's pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.support.accessibility import assert_accessible
from tests.support.browser import CSP_VIOLATIONS, TEMPLATE_SOURCE_SEEN, phone_context, screenshot

DEMO_PASSWORD = "Demo@2026"


@pytest.fixture(autouse=True)
def _no_template_source_on_any_page():
    """Every page a browser test loads, and each page's last state when its context closes (htmx
    swaps included; tests.support.browser), is read as a person would: its text must never show
    template source. (Autouse: set up before, so torn down after, the test's own pages.)"""
    TEMPLATE_SOURCE_SEEN.clear()
    yield
    seen, TEMPLATE_SOURCE_SEEN[:] = list(TEMPLATE_SOURCE_SEEN), []
    assert seen == [], "template source in rendered pages:\n" + "\n".join(seen)


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations():
    """The hall sends a strict Content-Security-Policy in every mode: a page that needs more than it
    allows (an inline script or style, a foreign host) fails the test that opened it."""
    CSP_VIOLATIONS.clear()
    yield
    violations, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    assert violations == [], "\n".join(violations)


@pytest.fixture
def phone(browser):
    """A page on an Android phone's browser (the H5's APP channel)."""
    context = phone_context(browser)
    yield context.new_page()
    context.close()


@pytest.fixture
def wechat(browser):
    """A page in WeChat on a phone (the H5's 微信 channel; its own follower at the stand-in)."""
    context = phone_context(browser, wechat=True)
    yield context.new_page()
    context.close()


def log_in(page, stack, id_number: str, *, password: str = DEMO_PASSWORD, audit: bool = False) -> None:
    """From the portal: 个人网厅 → 提示信息 → 立即登录 → the government-service login → the hall.
    With ``audit``, axe-core checks the portal and the notice page and they are photographed."""
    page.goto(f"{stack.hall}/")
    if audit:
        assert_accessible(page)
        screenshot(page, "desk-0-portal")
    page.get_by_role("link", name="个人网厅").first.click()
    if audit:
        assert_accessible(page)
        screenshot(page, "desk-0-notice")
    page.get_by_role("link", name="立即登录").click()
    page.get_by_label("身份证号/手机号").fill(id_number)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/hall/"))


def sms_code(stack, phone: str) -> str:
    """The code in the newest SMS the simulator sent to ``phone``."""
    messages = stack.outbox(phone)
    assert messages, f"no SMS reached {phone}"
    match = re.search(r"验证码为(\d{6})", messages[0]["text"])
    assert match, messages[0]["text"]
    return match.group(1)


def request_code(page) -> None:
    """Click 获取验证码 and wait for the page to say the code went out."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator(".field__notice").first).to_be_visible()


def log_in_at_sso(page, username: str, password: str) -> None:
    page.get_by_label("身份证号/手机号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.fixture(scope="session")
def photo_files(tmp_path_factory) -> dict[str, Path]:
    """A photo (JPEG, with EXIF as a phone would write it) and a scanned PDF."""
    folder = tmp_path_factory.mktemp("photos")
    image = Image.new("RGB", (1200, 900), (235, 235, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 1100, 800), outline=(40, 40, 40), width=8)
    draw.ellipse((200, 250, 450, 550), fill=(120, 160, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneCamera"
    image.save(out, format="JPEG", quality=85, exif=exif.tobytes())
    photo = folder / "photo.jpg"
    photo.write_bytes(out.getvalue())
    return {"photo": photo}


DEMO_STAFF_FILE = Path(__file__).resolve().parents[2] / "data" / "demo-staff.json"


def demo_staff() -> dict[str, dict]:
    """The launcher's demo staff by username (name, roles and the hex TOTP key)."""
    import json

    loaded = json.loads(DEMO_STAFF_FILE.read_text(encoding="utf-8"))
    return {member["username"]: member for member in loaded["staff"]}


class StaffPages:
    """One signed-in page per staff user for the whole session. django-otp refuses a code whose
    30-second step is not later than the last one that user used, so a user who signed in twice
    within one step would be refused: each user signs in at most once, and tests share the page."""

    def __init__(self, browser, stack) -> None:
        self._browser = browser
        self._stack = stack
        self._pages: dict[str, object] = {}
        self._contexts: list[object] = []

    def new_page(self):
        from tests.support.browser import DESKTOP

        context = self._browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        self._contexts.append(context)
        return context.new_page()

    def __call__(self, username: str, *, on_login_page=None):
        """The user's page, signed in with password and TOTP on first use. ``on_login_page`` is
        called with the filled-in login page just before 登录 is pressed (for axe and pictures)."""
        if username not in self._pages:
            from playwright.sync_api import expect

            from gjj.staff.services import totp_now

            member = demo_staff()[username]
            page = self.new_page()
            page.goto(f"{self._stack.hall}/backoffice/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
            page.get_by_label("动态口令").fill(totp_now(member["totp_key"]))
            if on_login_page is not None:
                on_login_page(page)
            page.get_by_role("button", name="登录").click()
            expect(page.locator(".bo-top__who")).to_contain_text(member["name"])
            self._pages[username] = page
        return self._pages[username]

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture(scope="session")
def staff_pages(browser, live_stack):
    """``staff_pages("chushen")`` → 张初审's signed-in back-office page (see StaffPages)."""
    pages = StaffPages(browser, live_stack)
    yield pages
    pages.close()
