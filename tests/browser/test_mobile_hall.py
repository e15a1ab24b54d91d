"""The whole member journey on a phone in WeChat (390×844, touch, WeChat's user agent), against the
live system: each member follows the official account in the WeChat stand-in, binds it, applies in
the H5, and then

- 周敏's case is returned by a reviewer: she opens the template message's 详情 in the chat, changes
  the named 提取金额, photographs the named 购房发票 again and resubmits, all in the H5;
- 冯刚's payout is refused by the bank: the message's 详情 leads him to 更换收款银行卡, and the
  centre pays the new card; he then opens 办理进度 from the account's menu, his application and its
  办理回执, and 退出 ends his session.

axe-core on every new screen (and 核验回执, reached from the receipt); screenshots
docs/screenshots/phone-<n>-<screen>.png."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import requests
from playwright.sync_api import expect
from stdnum import luhn

from gjj.core.identity_numbers import id_number_make
from tests.browser.conftest import DEMO_PASSWORD, log_in_at_sso
from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot
from tests.support.members import members_import

pytestmark = pytest.mark.browser

APPID = "wxgjjembedded0001"  # the stack's (embedded) official account
WAIT_SECONDS = 60
RETURN_REASON = "购房发票照片不清晰；提取金额请按发票金额填写"


def _card(prefix: str, serial: int) -> str:
    body = f"{prefix}{serial:012d}"
    return body + luhn.calc_check_digit(body)


ZHOU_MIN = {
    "id_number": id_number_make(area_code="210102", birth=dt.date(1979, 3, 8), sequence=42),
    "name": "周敏",
    "phone": "13904008801",
    "account_no": "210100008801",
    "balance": "130000.00",  # applies for all of it: at the stack's four-eyes threshold, staff review
    "house": {"contract_no": "SY202611020008801", "address": "沈阳市和平区三好街18号2-6-1"},
    "bank": "CCB",
    "cards": [_card("621700", 880_100_000_001)],
}
FENG_GANG = {
    "id_number": id_number_make(area_code="210106", birth=dt.date(1988, 7, 21), sequence=13),
    "name": "冯刚",
    "phone": "13904008802",
    "account_no": "210100008802",
    "balance": "42000.50",  # paid at once (秒批)
    "house": {"contract_no": "SY202611030008802", "address": "沈阳市铁西区兴华南街6号1-2-2"},
    "bank": "CCB",
    "cards": [_card("621700", 880_200_000_001), _card("621700", 880_200_000_002)],
}


@pytest.fixture(scope="module")
def members(live_stack, tmp_path_factory) -> dict[str, dict]:
    people = [ZHOU_MIN, FENG_GANG]
    members_import(
        live_stack, tmp_path_factory, people, employer=("210100008800", "沈阳手机办理测试有限公司")
    )
    return {"zhou_min": ZHOU_MIN, "feng_gang": FENG_GANG}


def shot(page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, name)


def follow_and_bind(page, stack, member: dict) -> str:
    """关注 the official account, open its welcome link, log in, 确认绑定; the chat page's URL."""
    chat_url = f"{stack.sims}/wechat/mp/follow?appid={APPID}"
    page.goto(chat_url)
    page.get_by_role("button", name="关注公众号").click()
    page.locator(".wx-chat").get_by_role("link", name="业务办理").click()
    page.get_by_role("link", name="立即登录").click()
    page.wait_for_url(re.compile(r"/m/login/"))
    page.get_by_role("link", name="立即登录").click()
    log_in_at_sso(page, member["id_number"], DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/m/wechat/bind/"))
    page.get_by_role("button", name="确认绑定").click()
    expect(page.get_by_role("heading", name="已绑定微信")).to_be_visible()
    return chat_url


def apply_in_the_h5(page, stack, member: dict, photo) -> str:
    """购房提取 in the H5 wizard, for the most the member may withdraw: the business number."""
    page.goto(f"{stack.hall}/m/withdrawals/purchase/")
    page.get_by_role("button", name="下一步").click()  # 温馨提示
    page.get_by_role("button", name="下一步").click()  # 个人基本信息
    page.get_by_label("备案合同号").press_sequentially(member["house"]["contract_no"])
    expect(page.locator("#house-echo")).to_contain_text(member["house"]["address"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_label(re.compile("^收款银行")).select_option(label="建设银行")
    page.get_by_label("银行卡号码").fill(member["cards"][0])
    page.get_by_text("卡号格式正确").wait_for()
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/materials/"))
    items = page.locator(".m-material")
    for i in range(items.count()):
        items.nth(i).locator("input[data-role=album]").set_input_files(str(photo))
        items.nth(i).locator(".m-material__state", has_text="已上传").wait_for()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/result/"))
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    return re.search(r"TQ\d{14}", page.inner_text("main")).group(0)


def open_message(page, chat_url: str, status: str):
    """In the chat, the newest template message saying ``status``: wait for it, press its 详情."""
    deadline = time.monotonic() + WAIT_SECONDS
    card = page.locator(".wx-card").filter(has_text=status).last
    while True:
        page.goto(chat_url)
        if card.count():
            break
        assert time.monotonic() < deadline, f"no template message “{status}” within {WAIT_SECONDS} s"
        page.wait_for_timeout(1000)  # the worker sends after the commit: look again, bounded
    card.get_by_role("link", name=re.compile("^详情")).click()
    page.wait_for_url(re.compile(r"/m/applications/TQ\d{14}/$"))
    return page


def return_for_correction(staff_pages, stack, business_no: str) -> None:
    reviewer = staff_pages("chushen")
    reviewer.goto(f"{stack.hall}/backoffice/cases/{business_no}/")
    reviewer.get_by_role("button", name="领取审核").click()
    returning = reviewer.locator("form").filter(has=reviewer.get_by_role("button", name="退回补正"))
    returning.get_by_label("购房发票").check()
    returning.get_by_label("提取金额").check()
    returning.get_by_label("退回原因").fill(RETURN_REASON)
    returning.get_by_role("button", name="退回补正").click()
    expect(reviewer.locator(".bo-messages")).to_contain_text(f"{business_no} 已退回补正")


def test_a_returned_case_is_fixed_and_resubmitted_in_wechat(
    live_stack, members, wechat, staff_pages, photo_files
):
    page, zhou = wechat, members["zhou_min"]
    chat_url = follow_and_bind(page, live_stack, zhou)
    business_no = apply_in_the_h5(page, live_stack, zhou, photo_files["photo"])
    return_for_correction(staff_pages, live_stack, business_no)

    open_message(page, chat_url, "退回补正")

    attention = page.locator(".m-card--attention")
    expect(attention).to_contain_text(RETURN_REASON)
    expect(attention).to_contain_text("购房发票（需重新拍照上传）")
    shot(page, "phone-1-returned")
    attention.get_by_role("link", name="修改并重新提交").click()
    expect(page.get_by_role("heading", name="修改并重新提交")).to_be_visible()
    page.get_by_label("提取金额").fill("98,000")
    page.get_by_role("button", name="重新提交").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("提交失败")
    expect(alert).to_contain_text("请阅读并勾选“我已阅读并同意《承诺书》”")
    shot(page, "phone-2-resubmit-refused")
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="重新提交").click()

    page.wait_for_url(re.compile(rf"/m/withdrawals/{business_no}/materials/"))
    fix = page.locator(".m-material--fix")
    expect(fix).to_have_count(1)
    expect(fix).to_contain_text("购房发票（需重新上传）")
    shot(page, "phone-3-rephotograph")
    page.get_by_role("button", name="提交申请").click()  # before the new photo: refused
    expect(page.get_by_role("alert")).to_contain_text("请重新上传需补正的材料：购房发票")
    fix = page.locator(".m-material--fix")
    fix.locator("input[data-role=camera]").set_input_files(str(photo_files["photo"]))
    expect(fix.locator(".m-material__state")).to_contain_text("已上传")
    expect(fix).to_contain_text("（已重新上传）")
    page.get_by_role("button", name="提交申请").click()

    page.wait_for_url(re.compile(r"/result/"))
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    page.goto(f"{live_stack.hall}/m/applications/{business_no}/")
    expect(page.locator(".m-facts")).to_contain_text("98,000.00 元")
    expect(page.locator(".m-timeline")).to_contain_text("退回补正")
    shot(page, "phone-4-detail-resubmitted")


def test_a_refused_payout_goes_to_a_new_card_then_progress_receipt_and_logout(
    live_stack, members, wechat, photo_files
):
    page, feng = wechat, members["feng_gang"]
    chat_url = follow_and_bind(page, live_stack, feng)
    requests.post(
        f"{live_stack.sims}/_control/faults",
        json={"system": "bank", "operation": "pay", "mode": "refuse", "count": 1},
        timeout=10,
    ).raise_for_status()
    business_no = apply_in_the_h5(page, live_stack, feng, photo_files["photo"])

    open_message(page, chat_url, "转账未成功")

    attention = page.locator(".m-card--attention")
    expect(attention).to_contain_text("支付失败")
    expect(attention).to_contain_text("拒绝入账")
    shot(page, "phone-5-payout-failed")
    attention.get_by_role("link", name="更换收款银行卡").click()
    page.get_by_label(re.compile("^收款银行")).select_option(label="建设银行")
    page.get_by_label("银行卡号码").fill(" ".join(re.findall(r".{1,4}", feng["cards"][1])))
    shot(page, "phone-6-new-card")
    page.get_by_role("button", name="确认更换").click()
    expect(page.get_by_role("status")).to_contain_text("已更换收款银行卡")

    # The centre pays the new card; the member asks the account for 办理进度 (its menu).
    open_message(page, chat_url, "已到账")
    page.goto(chat_url)
    page.get_by_role("navigation", name="公众号菜单").get_by_role("button", name="办理进度").click()
    page.locator(".wx-chat").get_by_role("link", name="我的业务").last.click()
    expect(page.get_by_role("heading", name="我的业务")).to_be_visible()
    shot(page, "phone-7-my-applications")
    page.get_by_role("link", name=re.compile(business_no)).click()
    expect(page.locator(".m-facts")).to_contain_text("已到账")
    expect(page.locator(".m-facts")).to_contain_text(f"**** {feng['cards'][1][-4:]}")
    page.get_by_role("link", name="办理回执").click()
    expect(page.get_by_role("heading", name=re.compile("办理回执"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(business_no)
    shot(page, "phone-8-receipt")
    # Whoever holds the receipt checks it (the QR code on the PDF opens the same page).
    page.get_by_role("link", name="核验回执真伪").click()
    expect(page.get_by_role("heading", name="回执真实有效")).to_be_visible()
    expect(page.locator("main")).to_contain_text("冯*")
    shot(page, "phone-8-receipt-verified")
    page.go_back()
    with page.expect_response(re.compile(r"/receipt\.pdf$")) as pdf:
        page.evaluate("url => fetch(url)", f"/m/applications/{business_no}/receipt.pdf")
    assert pdf.value.ok and pdf.value.headers["content-type"] == "application/pdf"

    page.goto(f"{live_stack.hall}/m/account/")
    expect(page.locator(".m-facts")).to_contain_text("冻结金额")
    shot(page, "phone-9-account")
    page.get_by_role("navigation", name="主菜单").get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="您已安全退出")).to_be_visible()
    assert "/m/logged-out/" in page.url
    shot(page, "phone-10-logged-out")
    page.goto(f"{live_stack.hall}/m/applications/")
    page.wait_for_url(re.compile(r"/m/login/"))
