"""Issue 3 in a real browser: the government-service SSO stand-in and the hall's OpenID Connect
login, every process live on loopback (the `make run` launcher), Debian's Chromium."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import log_in_at_sso, request_code, sms_code
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser

NEW_MEMBER = {
    "id_number": "210102199505050037",
    "name": "赵新",
    "phone": "13904005555",
    "account_no": "210100009901",
}
STRONG_PASSWORD = "Gjj#2026new"


@pytest.fixture(scope="module")
def new_member_in_hall(live_stack, tmp_path_factory):
    """A member of the fund centre who has no government-service account yet."""
    document = {
        "format": "gjj-dataset/1",
        "as_of": "2026-11-27",
        "employers": [{"code": "210100000909", "name": "沈阳测试科技有限公司"}],
        "people": [{**{k: NEW_MEMBER[k] for k in ("id_number", "name", "phone")}, "spouse_id_number": None}],
        "accounts": [
            {
                "account_no": NEW_MEMBER["account_no"],
                "id_number": NEW_MEMBER["id_number"],
                "employer_code": "210100000909",
                "status": "normal",
                "balance": "23456.78",
                "opened_on": "2020-03-01",
                "monthly_deposit": "1800.00",
                "paid_through": "2026-10",
                "consecutive_months": 40,
            }
        ],
        "loans": [],
        "houses": [],
        "prior_withdrawals": [],
        "bank_accounts": [],
        "gov_users": [],
    }
    path = tmp_path_factory.mktemp("new-member") / "member.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    live_stack.gjj("import-dataset", str(path), "--hall-only")
    return NEW_MEMBER


def test_a_new_person_registers_and_logs_in_at_the_hall(live_stack, new_member_in_hall, page):
    member = new_member_in_hall
    page.goto(f"{live_stack.govsso}/register/")
    screenshot(page, "govsso-register-choice")
    page.get_by_role("link", name=re.compile("自然人用户")).click()
    page.get_by_label("姓名").fill(member["name"])
    page.get_by_label("身份证号").fill(member["id_number"])
    page.get_by_label("手机号").fill(member["phone"])
    request_code(page)
    page.get_by_label("短信验证码").fill(sms_code(live_stack, member["phone"]))
    page.get_by_label("密码", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("确认密码").fill(STRONG_PASSWORD)
    screenshot(page, "govsso-register")
    page.get_by_role("button", name="注册", exact=True).click()
    assert page.get_by_text("注册成功").first.is_visible()

    page.goto(f"{live_stack.hall}/hall/")
    screenshot(page, "hall-notice")
    page.get_by_role("link", name="立即登录").click()
    assert page.url.startswith(live_stack.govsso)
    screenshot(page, "govsso-login")
    log_in_at_sso(page, member["id_number"], STRONG_PASSWORD)

    page.wait_for_url(f"{live_stack.hall}/hall/home/")
    body = page.locator("body").inner_text()
    assert member["name"] in body
    assert "2101**********0037" in body
    assert member["id_number"] not in body  # never unmasked on a page
    screenshot(page, "hall-home")

    # 退出 ends the hall session and the SSO session: 立即登录 asks for the password again.
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/hall/logged-out/"))
    page.goto(f"{live_stack.hall}/hall/home/")
    assert page.url.split("?")[0] == f"{live_stack.hall}/hall/"  # sent back to the notice page
    page.goto(f"{live_stack.hall}/hall/")
    page.get_by_role("link", name="立即登录").click()
    assert page.get_by_label("身份证号/手机号").is_visible()


def test_an_id_number_that_has_an_account_is_told_it_is_taken(live_stack, page):
    page.goto(f"{live_stack.govsso}/register/natural/")
    page.get_by_label("姓名").fill("张伟")
    page.get_by_label("身份证号").fill("210102198803120158")  # 张伟 registered already
    page.get_by_label("手机号").fill("13904006666")
    request_code(page)
    page.get_by_label("短信验证码").fill(sms_code(live_stack, "13904006666"))
    page.get_by_label("密码", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("确认密码").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="注册", exact=True).click()
    assert page.get_by_text("身份证被占用").first.is_visible()
    assert page.get_by_role("link", name="忘记密码").first.is_visible()
    assert "13804001001" not in page.content()  # nothing about that account


def test_a_forgotten_password_is_reset_and_the_new_one_works(live_stack, page):
    page.goto(f"{live_stack.govsso}/password/forgot/")
    page.get_by_label("自然人").check()
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("身份证号").fill("210103199007050241")
    page.get_by_label("姓名").fill("李娜")
    page.get_by_label("手机号").fill("13804001002")
    screenshot(page, "govsso-password-recovery")
    page.get_by_role("button", name="下一步").click()
    assert page.get_by_text("如信息正确，验证码已发送至该手机").first.is_visible()
    page.get_by_label("短信验证码").fill(sms_code(live_stack, "13804001002"))
    page.get_by_label("新密码", exact=True).fill("Lina@2026reset")
    page.get_by_label("确认新密码").fill("Lina@2026reset")
    page.get_by_role("button", name="确认修改", exact=True).click()

    page.goto(f"{live_stack.hall}/hall/")
    page.get_by_role("link", name="立即登录").click()
    log_in_at_sso(page, "210103199007050241", "Demo@2026")
    assert "身份证号/手机号或密码错误" in page.locator("body").inner_text()
    log_in_at_sso(page, "13804001002", "Lina@2026reset")
    page.wait_for_url(f"{live_stack.hall}/hall/home/")
    assert "李娜" in page.locator("body").inner_text()


def test_five_wrong_passwords_lock_the_account(live_stack, page):
    page.goto(f"{live_stack.govsso}/login/")
    for _ in range(4):
        log_in_at_sso(page, "21010419850101028X", "Wrong#pass1")
        assert "身份证号/手机号或密码错误" in page.locator("body").inner_text()
    log_in_at_sso(page, "21010419850101028X", "Wrong#pass1")
    assert "锁定" in page.locator("body").inner_text()
    assert "15" in page.locator("body").inner_text()
    page.goto(f"{live_stack.govsso}/login/")
    log_in_at_sso(page, "21010419850101028X", "Demo@2026")  # the right password, still locked
    assert "锁定" in page.locator("body").inner_text()
