"""Members born before 1983 in 沈阳's districts, in a real browser: their 身份证号 used to be
refused. data/older-members.json is imported into the live stack (hall, simulators and govsso);
the members log in at the hall through the government-service login, one registers there first,
and a number no one can hold is still refused with the reason. Debian's Chromium, every process
live on loopback (the `make run` launcher)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gjj.core.masking import mask_id_number
from tests.browser.conftest import log_in, log_in_at_sso, request_code, sms_code
from tests.support.browser import screenshot
from tests.support.id_numbers import with_check_char

pytestmark = pytest.mark.browser

OLDER_MEMBERS_FILE = Path(__file__).resolve().parents[2] / "data" / "older-members.json"

# In data/older-members.json with a government-service account (password Demo@2026).
LIU_GUOQING = {"id_number": "210102196204180133", "name": "刘国庆"}  # born 1962, 和平区
SUN_XIULAN = {"id_number": "210106197008152469", "name": "孙秀兰"}  # born 1970, 铁西区
# In the hall with a fund account, but no government-service account yet.
ZHAO_DEMING = {"id_number": "210103195803121751", "name": "赵德明", "phone": "13904011958"}  # 1958, 沈河区
STRONG_PASSWORD = "Gjj#2026old"

NOT_A_DATE = "身份证号第 7–14 位的出生日期不是有效日期"


def _fill_registration(page, *, name: str, id_number: str, phone: str, stack) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("手机号").fill(phone)
    request_code(page)
    page.get_by_label("短信验证码").fill(sms_code(stack, phone))
    page.get_by_label("密码", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("确认密码").fill(STRONG_PASSWORD)


def _assert_member_home(page, stack, member: dict[str, str]) -> None:
    """The hall's member home greets the member; the 身份证号 shows only masked."""
    page.wait_for_url(f"{stack.hall}/hall/home/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(member["name"])
    body = page.locator("body").inner_text()
    assert member["name"] in body
    assert mask_id_number(member["id_number"]) in body
    assert member["id_number"] not in body  # never unmasked on a page
    assert member["id_number"] not in page.content()  # nor in the markup


@pytest.fixture(scope="module")
def older_members(live_stack):
    """data/older-members.json in the hall, the simulators and govsso (the full import)."""
    try:
        live_stack.gjj("import-dataset", str(OLDER_MEMBERS_FILE))
    except subprocess.CalledProcessError as exc:
        pytest.fail(
            f"导入 {OLDER_MEMBERS_FILE.name} 失败：\n{exc.stdout}\n{exc.stderr}\n{live_stack.log_tail()}"
        )
    return OLDER_MEMBERS_FILE


@pytest.mark.parametrize("member", [LIU_GUOQING, SUN_XIULAN], ids=["1962-heping", "1970-tiexi"])
def test_an_older_member_logs_in_at_the_hall(live_stack, older_members, page, member):
    log_in(page, live_stack, member["id_number"])
    _assert_member_home(page, live_stack, member)
    if member is LIU_GUOQING:
        screenshot(page, "older-member-home")


def test_an_older_member_registers_and_logs_in_at_the_hall(live_stack, older_members, page):
    member = ZHAO_DEMING
    page.goto(f"{live_stack.govsso}/register/")
    page.get_by_role("link", name=re.compile("自然人用户")).click()
    _fill_registration(
        page, name=member["name"], id_number=member["id_number"], phone=member["phone"], stack=live_stack
    )
    page.get_by_role("button", name="注册", exact=True).click()
    expect(page.get_by_role("heading", name="注册成功")).to_be_visible()

    page.goto(f"{live_stack.hall}/hall/")
    page.get_by_role("link", name="立即登录").click()
    assert page.url.startswith(live_stack.govsso)
    # Grouped with spaces as people copy it: the field takes them and govsso takes them out.
    grouped = f"{member['id_number'][:6]} {member['id_number'][6:14]} {member['id_number'][14:]}"
    log_in_at_sso(page, grouped, STRONG_PASSWORD)
    _assert_member_home(page, live_stack, member)


def test_a_birth_date_that_never_was_is_refused_at_registration(live_stack, older_members, page):
    impossible = with_check_char("21010220230229001")  # 29 February of a common year
    phone = "13904012023"
    page.goto(f"{live_stack.govsso}/register/natural/")
    _fill_registration(page, name="钱多多", id_number=impossible, phone=phone, stack=live_stack)
    page.get_by_role("button", name="注册", exact=True).click()

    expect(page.locator("#id_id_number_error")).to_contain_text(NOT_A_DATE)
    expect(page.get_by_role("heading", name="注册成功")).to_have_count(0)
    assert page.url.split("?")[0] == f"{live_stack.govsso}/register/natural/"

    # No account was made: the phone and password it would have had do not log in.
    page.goto(f"{live_stack.govsso}/login/")
    log_in_at_sso(page, phone, STRONG_PASSWORD)
    expect(page.locator("body")).to_contain_text("身份证号/手机号或密码错误")
