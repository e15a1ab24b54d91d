"""The 长辈版 (适老化模式) in Debian's Chromium, against the whole system live on loopback: 马桂芝
(born 1960, data/older-members.json) turns it on with the switch in the header — on the desktop
(1366×768) and on a phone (390×844, touch) — and gets body text of 18 px or more, buttons and fields
of 48 px (desktop) or 56 px (phone) or more, text at 7:1 contrast (axe-core's enhanced
contrast rule) and no serious axe-core problem, on the hall's home, 我的业务 and the 提取 form, and on
the H5's home and a wizard step. Her choice survives 退出 and the next login, and shows on the other
channel. Screenshots: docs/screenshots/elder-desktop-home.png and elder-phone-home.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, log_in
from tests.support.accessibility import assert_accessible
from tests.support.browser import DESKTOP, PHONE, phone_context, screenshot

pytestmark = pytest.mark.browser

OLDER_MEMBERS_FILE = Path(__file__).resolve().parents[2] / "data" / "older-members.json"
MA_GUIZHI = {"id_number": "210122196010100583", "name": "马桂芝"}  # born 1960, a government-service account


MIN_TEXT_PX = 18
MIN_DESKTOP_TARGET_PX = 48
MIN_PHONE_TARGET_PX = 56

FORGET_CHOICE = """
from gjj.members.models import Person
from gjj.preferences.models import MemberPreference
MemberPreference.objects.filter(person=Person.objects.get(id_number="{id_number}")).delete()
"""

# Every visible element with text of its own (not only inside its children), and its font size.
_TEXT_SIZES = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!own) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden') continue;
    out.push({what: el.tagName.toLowerCase() + '.' + el.classList.value, text: el.textContent.trim().slice(0, 24),
              px: parseFloat(style.fontSize)});
  }
  return out;
}"""

# The visible elements a selector names, with their height.
_HEIGHTS = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((el) => { const box = el.getBoundingClientRect(); return box.width > 1 && box.height > 1; })
  .map((el) => ({what: el.tagName.toLowerCase() + '.' + el.classList.value, text: (el.textContent || el.value || '').trim().slice(0, 24),
                 height: el.getBoundingClientRect().height}))"""

TARGETS = 'button, .button, .m-button, select, input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"])'


def text_sizes(page) -> list[dict]:
    sizes = page.evaluate(_TEXT_SIZES)
    assert sizes, f"no text on {page.url}"
    return sizes


def assert_large_text(page) -> None:
    small = [item for item in text_sizes(page) if item["px"] < MIN_TEXT_PX]
    assert small == [], f"{page.url}: text under {MIN_TEXT_PX} px: {small[:8]}"
    body = float(page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)"))
    assert body >= MIN_TEXT_PX + 2, body  # body text 20 px


def assert_targets_at_least(page, selector: str, minimum: float) -> None:
    targets = page.evaluate(_HEIGHTS, selector)
    assert targets, f"{page.url}: nothing matches {selector}"
    low = [item for item in targets if item["height"] < minimum - 0.5]
    assert low == [], f"{page.url}: under {minimum} px high: {low}"


def assert_enhanced_contrast(page) -> None:
    """axe-core's color-contrast-enhanced rule (WCAG AAA: 7:1, 4.5:1 for large text). axe leaves
    text whose colour equals its background (1:1, "may be invisible") undecided rather than failed:
    that counts as a failure here too."""
    from axe_playwright_python.sync_playwright import Axe

    rules = ["color-contrast-enhanced", "color-contrast"]
    results = Axe().run(
        page,
        options={"runOnly": {"type": "rule", "values": rules}, "resultTypes": ["violations", "incomplete"]},
    )
    problems = [
        f"{node.get('target')}: {node.get('failureSummary', '').strip()[:160]}"
        for violation in results.response["violations"]
        for node in violation.get("nodes", [])
    ]
    problems += [
        f"{node.get('target')}: {check.get('message')}"
        for undecided in results.response["incomplete"]
        for node in undecided.get("nodes", [])
        for check in node.get("any", [])
        if "1:1 contrast ratio" in (check.get("message") or "")
    ]
    assert problems == [], f"{page.url}\n" + "\n".join(problems[:10])


def assert_elder_page(page, *, phone: bool) -> None:
    """The 长辈版 as the guideline asks for it, and axe-core clean."""
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(page.get_by_role("button", name="返回标准版")).to_be_visible()
    assert_large_text(page)
    if phone:
        assert_targets_at_least(page, f"{TARGETS}, .m-tile--live a, .m-tabbar__item", MIN_PHONE_TARGET_PX)
    else:
        assert_targets_at_least(page, TARGETS, MIN_DESKTOP_TARGET_PX)
    assert_enhanced_contrast(page)
    assert_accessible(page)


def assert_standard_page(page) -> None:
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belder\b"))
    expect(page.get_by_role("button", name="长辈版")).to_be_visible()
    # The check above bites: the standard mode has text under 18 px.
    assert any(item["px"] < MIN_TEXT_PX for item in text_sizes(page))


def switch_to_elder(page) -> None:
    url = page.url
    page.get_by_role("button", name="长辈版").click()
    page.wait_for_load_state()
    assert page.url == url  # back on the same page
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))


@pytest.fixture(scope="module")
def older_members(live_stack):
    """data/older-members.json in the hall, the simulators and govsso (idempotent)."""
    finished = live_stack.gjj_unchecked("import-dataset", str(OLDER_MEMBERS_FILE))
    if finished.returncode != 0:
        pytest.fail(f"导入 {OLDER_MEMBERS_FILE.name} 失败：\n{finished.stdout}\n{finished.stderr}")
    return OLDER_MEMBERS_FILE


@pytest.fixture
def ma_guizhi(live_stack, older_members):
    """马桂芝 with no stored choice before and after (the stack is shared by the session)."""
    forget = FORGET_CHOICE.format(id_number=MA_GUIZHI["id_number"])
    live_stack.gjj("shell", "-c", forget)
    yield MA_GUIZHI
    live_stack.gjj("shell", "-c", forget)


@pytest.fixture
def second_phone(browser):
    context = phone_context(browser)
    yield context.new_page()
    context.close()


@pytest.fixture
def second_desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def phone_screenshot(page, name: str) -> None:
    """The whole page as a phone shows it, with the bottom menu at its end: a full-page capture
    would leave the menu where the first screen ends, so the viewport is the page's height."""
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": height})
    try:
        screenshot(page, name)
    finally:
        page.set_viewport_size(PHONE)


def h5_log_in(page, stack, id_number: str, *, next_path: str = "/m/") -> None:
    """The H5's 立即登录 → the government-service touch login → back to ``next_path``."""
    page.goto(f"{stack.hall}/m/login/?next={next_path}")
    page.get_by_role("link", name="立即登录").click()
    page.get_by_label("身份证号/手机号").fill(id_number)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{stack.hall}{next_path}")


def test_the_elder_mode_on_the_desktop_follows_her_to_the_next_login_and_the_phone(
    live_stack, page, ma_guizhi, second_phone
):
    # A visitor on the notice page turns it on; 立即登录 keeps it, and it is stored for her.
    page.goto(f"{live_stack.hall}/hall/")
    assert_standard_page(page)
    switch_to_elder(page)
    assert_elder_page(page, phone=False)
    log_in(page, live_stack, ma_guizhi["id_number"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(ma_guizhi["name"])
    assert_elder_page(page, phone=False)
    screenshot(page, "elder-desktop-home")

    page.get_by_role("link", name="我的业务", exact=True).click()
    assert_elder_page(page, phone=False)

    page.get_by_role("link", name="【提取】").click()
    page.get_by_role("link", name="购买商品住房提取").click()
    expect(page.get_by_role("heading", name="购买商品住房提取")).to_be_visible()
    expect(page.locator("#house-hint")).to_have_text(
        "新房填购房合同上的备案合同号，二手房填不动产权证书上的房证新档案号，填一项就行。"
    )
    assert_elder_page(page, phone=False)

    # 退出: the visitor's page is the standard one again; her next login is in the 长辈版.
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/hall/logged-out/"))
    assert_standard_page(page)
    log_in(page, live_stack, ma_guizhi["id_number"])
    assert_elder_page(page, phone=False)

    # The other channel, another device: the H5 is in the 长辈版 as soon as she is logged in.
    h5_log_in(second_phone, live_stack, ma_guizhi["id_number"])
    expect(second_phone.locator("html")).to_have_class(re.compile(r"\belder\b"))
    assert_elder_page(second_phone, phone=True)

    # 返回标准版 on the desktop: the standard mode everywhere.
    page.get_by_role("button", name="返回标准版").click()
    assert_standard_page(page)
    second_phone.reload()
    assert_standard_page(second_phone)


def test_the_elder_mode_on_the_phone_and_back_on_the_desktop(live_stack, phone, ma_guizhi, second_desktop):
    page = phone
    page.goto(f"{live_stack.hall}/m/")
    assert_standard_page(page)
    h5_log_in(page, live_stack, ma_guizhi["id_number"])
    expect(page.locator("main")).to_contain_text(ma_guizhi["name"])
    assert_standard_page(page)
    switch_to_elder(page)
    assert_elder_page(page, phone=True)
    phone_screenshot(page, "elder-phone-home")

    # A wizard step: 温馨提示, then 个人基本信息.
    page.goto(f"{live_stack.hall}/m/withdrawals/purchase/")
    expect(page.locator('[aria-current="step"]')).to_contain_text("温馨提示")
    assert_elder_page(page, phone=True)
    page.get_by_role("button", name="下一步").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("个人基本信息")
    assert_elder_page(page, phone=True)

    # The desktop, on another computer, after logging in.
    log_in(second_desktop, live_stack, ma_guizhi["id_number"])
    assert_elder_page(second_desktop, phone=False)


def test_the_switch_works_without_javascript(live_stack, browser):
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        page = context.new_page()
        page.goto(f"{live_stack.hall}/m/login/")
        page.get_by_role("button", name="长辈版").click()
        page.wait_for_url(f"{live_stack.hall}/m/login/")
        expect(page.locator("html")).to_have_class("elder")
        page.get_by_role("button", name="返回标准版").click()
        expect(page.get_by_role("button", name="长辈版")).to_be_visible()
    finally:
        context.close()
