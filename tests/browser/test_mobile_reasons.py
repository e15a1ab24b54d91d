"""The other withdrawal reasons in the H5 on a phone (390×844, touch), against the live system:

- 韩梅 (data/sample-reasons.json: retired 2025-03-31, a sealed account of 156,300.25 元) applies
  for 离退休提取 from the reason list, the amount shown as the whole balance and not typed, uploads
  the reason's materials (退休证明 among them) and submits; above this stack's four-eyes
  threshold, 张初审 sees the case with its own reason and materials and approves, 王复审 approves
  again, the worker pays, and her 账户查询 shows the account 销户;
- a member who owns a house is refused 租房提取 with the owns_house reason;
- a member with no house sees 租房提取's maximum (monthly limit × months) on its form.

The module imports 韩梅's sample and its own other members. axe-core on every new screen;
screenshots phone-reasons.png, phone-retirement.png and phone-rent.png in docs/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect
from stdnum import luhn

from gjj.core.identity_numbers import id_number_make
from tests.browser.conftest import DEMO_PASSWORD, log_in_at_sso
from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot
from tests.support.members import members_import
from tests.support.sims import REPO_ROOT

pytestmark = pytest.mark.browser

PAYOUT_WAIT_SECONDS = 60
SAMPLE_REASONS = REPO_ROOT / "data" / "sample-reasons.json"


def _card(serial: int) -> str:
    body = f"621700{serial:012d}"  # 建设银行 debit
    return body + luhn.calc_check_digit(body)


# 韩梅 of data/sample-reasons.json: retired 2025-03-31, a sealed account of 156,300.25 元, a CCB card.
RETIREE = {
    "id_number": "210102196503150524",
    "name": "韩梅",
    "balance": "156300.25",
    "bank": "CCB",
    "cards": ["6217006362656765957"],
}
OWNER = {
    "id_number": id_number_make(area_code="210103", birth=dt.date(1987, 6, 9), sequence=71),
    "name": "孙立军",
    "phone": "13904008902",
    "account_no": "210100008902",
    "balance": "64000.00",
    "house": {"contract_no": "SY202611050008902", "address": "沈阳市沈河区青年大街100号3-2-1"},
    "bank": "CCB",
    "cards": [_card(890_200_000_001)],
}
TENANT = {
    "id_number": id_number_make(area_code="210104", birth=dt.date(1995, 10, 2), sequence=84),
    "name": "曹晓雨",
    "phone": "13904008903",
    "account_no": "210100008903",
    "balance": "26000.00",
    "house": None,
    "bank": "CCB",
    "cards": [_card(890_300_000_001)],
}


@pytest.fixture(scope="module")
def members(live_stack, tmp_path_factory) -> dict[str, dict]:
    """韩梅's sample (data/sample-reasons.json), and the owner and the tenant of this module, in the
    hall, the registry (the owner's house), the bank and the SSO."""
    live_stack.gjj("import-dataset", str(SAMPLE_REASONS))
    members_import(
        live_stack, tmp_path_factory, [OWNER, TENANT], employer=("210100008900", "沈阳退休租房测试有限公司")
    )
    return {"retiree": RETIREE, "owner": OWNER, "tenant": TENANT}


def shot(page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, name)


def h5_log_in(page, stack, member: dict, *, next_path: str, lands_on: str) -> None:
    """The H5's 立即登录 and the SSO, back to ``next_path`` (which may send on to ``lands_on``)."""
    page.goto(f"{stack.hall}/m/login/?next={next_path}")
    page.get_by_role("link", name="立即登录").click()
    log_in_at_sso(page, member["id_number"], DEMO_PASSWORD)
    page.wait_for_url(re.compile(re.escape(lands_on) + "$"))


def next_step(page) -> None:
    page.get_by_role("button", name="下一步").click()


def _wait_until_paid(page, stack, business_no: str) -> None:
    """The worker pays in the background: reload 我的业务 until the application says 已到账."""
    deadline = time.monotonic() + PAYOUT_WAIT_SECONDS
    row = page.locator(".m-app").filter(has_text=business_no)
    while True:
        page.goto(f"{stack.hall}/m/applications/")
        try:
            expect(row).to_contain_text("已到账", timeout=3_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{business_no} 未在 {PAYOUT_WAIT_SECONDS} 秒内到账\n{stack.log_tail()}"
                ) from None


def test_a_retired_member_withdraws_the_whole_balance_in_the_h5_and_the_account_is_closed(
    live_stack, members, phone, staff_pages, photo_files
):
    page, stack, retiree = phone, live_stack, members["retiree"]
    h5_log_in(page, stack, retiree, next_path="/m/", lands_on="/m/")

    # The reason list: every reason of the registry, none of them 暂未开放.
    reasons = page.locator(".m-reasons")
    for name in ("购房提取", "租房提取", "离退休提取"):
        expect(reasons.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(reasons).not_to_contain_text("暂未开放")
    shot(page, "phone-reasons")

    reasons.get_by_role("link", name="离退休提取", exact=True).click()
    page.wait_for_url(re.compile(r"/m/withdrawals/retirement/notice/$"))
    expect(page.locator(".m-kicker")).to_have_text("离退休提取")
    expect(page.locator(".m-steps")).not_to_contain_text("房屋信息")
    expect(page.locator("main")).to_contain_text("一次提取全部余额，到账后个人账户销户")
    expect(page.locator("main")).to_contain_text("退休证明")
    assert_accessible(page)
    next_step(page)
    expect(page.get_by_role("heading", name="个人基本信息")).to_be_visible()
    next_step(page)

    # 收款账户信息: the whole balance, shown and not typed.
    expect(page.get_by_role("heading", name="收款账户信息")).to_be_visible()
    expect(page.locator("#id_amount")).to_contain_text("156,300.25 元")
    expect(page.locator("#amount-hint")).to_contain_text("一次提取全部余额，到账后销户")
    expect(page.locator("input[name=amount]")).to_have_count(0)
    page.get_by_label(re.compile("^收款银行")).select_option(label="建设银行")
    page.get_by_label("银行卡号码").fill(retiree["cards"][0])
    page.get_by_text("卡号格式正确").wait_for()
    shot(page, "phone-retirement")
    next_step(page)

    expect(page.locator(".m-facts")).to_contain_text("离退休提取")
    expect(page.locator(".m-facts")).to_contain_text("156,300.25 元（全部余额，到账后销户）")
    assert_accessible(page)
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()

    # 影像上传: the reason's materials.
    page.wait_for_url(re.compile(r"/materials/"))
    names = page.locator(".m-material__name").all_inner_texts()
    assert names == ["身份证正面", "身份证反面", "退休证明", "银行卡"], names
    assert_accessible(page)
    items = page.locator(".m-material")
    for i in range(items.count()):
        items.nth(i).locator("input[data-role=album]").set_input_files(str(photo_files["photo"]))
        items.nth(i).locator(".m-material__state", has_text="已上传").wait_for()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/result/"))
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    expect(page.locator(".m-facts")).to_contain_text("离退休提取")
    assert_accessible(page)
    business_no = re.search(r"TQ\d{14}", page.inner_text("main")).group(0)

    # 初审: the case with its own reason and materials; at the four-eyes threshold, on to 复审.
    first = staff_pages("chushen")
    first.goto(f"{stack.hall}/backoffice/cases/{business_no}/")
    head = first.locator(".bo-case-head")
    expect(head).to_contain_text("离退休提取")
    expect(first.locator("#required-materials")).to_contain_text("退休证明")
    picks = first.locator("[data-viewer] .bo-viewer__pick").all_inner_texts()
    assert "退休证明" in picks, picks
    expect(first.locator("body")).to_contain_text("一次提取全部余额，支付成功后销户")
    assert_accessible(first)
    first.get_by_role("button", name="领取审核").click()
    expect(first.locator("#claim-status")).to_contain_text("您已领取本申请")
    first.get_by_role("button", name="审核通过").click()
    expect(first.locator(".bo-messages")).to_contain_text(
        f"{business_no} 初审通过，金额达到复审标准，已转复审"
    )

    second = staff_pages("fushen")
    second.goto(f"{stack.hall}/backoffice/cases/{business_no}/")
    expect(second.locator(".bo-case-head")).to_contain_text("离退休提取")
    second.get_by_role("button", name="领取审核").click()
    second.get_by_role("button", name="审核通过").click()
    expect(second.locator(".bo-messages")).to_contain_text(f"{business_no} 审核通过，已交付支付")

    # The bank pays the whole balance; the account is closed (销户).
    _wait_until_paid(page, stack, business_no)
    page.goto(f"{stack.hall}/m/applications/{business_no}/")
    facts = page.locator(".m-facts")
    expect(facts).to_contain_text("离退休提取")
    expect(facts).to_contain_text("156,300.25 元")
    page.goto(f"{stack.hall}/m/account/")
    expect(page.locator("#account-closed")).to_contain_text("您的个人账户已销户")
    account = page.locator(".m-facts")
    expect(account.locator("div").filter(has_text="账户状态")).to_contain_text("销户")
    expect(account.locator("div").filter(has_text="账户余额")).to_contain_text("0.00 元")
    assert_accessible(page)


def test_a_member_who_owns_a_house_is_refused_rent_in_the_h5(live_stack, members, phone):
    page, owner = phone, members["owner"]
    h5_log_in(
        page, live_stack, owner, next_path="/m/withdrawals/rent/", lands_on="/m/withdrawals/rent/notice/"
    )
    expect(page.locator(".m-kicker")).to_have_text("租房提取")
    next_step(page)
    next_step(page)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        f"您名下有住房（房屋编号 {owner['house']['contract_no']}），本人及配偶均无自有住房的才能办理租房提取"
    )
    expect(page.get_by_role("heading", name="个人基本信息")).to_be_visible()
    assert_accessible(page)


def test_the_rent_form_shows_its_maximum(live_stack, members, phone):
    page, tenant = phone, members["tenant"]
    h5_log_in(
        page, live_stack, tenant, next_path="/m/withdrawals/rent/", lands_on="/m/withdrawals/rent/notice/"
    )
    expect(page.locator("main")).to_contain_text("每月最多提取 1,500.00 元")
    assert_accessible(page)
    next_step(page)
    next_step(page)

    expect(page.get_by_role("heading", name="收款账户信息")).to_be_visible()
    expect(page.locator("#amount-hint")).to_contain_text("本次最多可提取 18,000.00 元")
    expect(page.locator("#amount-hint")).to_contain_text("每月 1,500.00 元 × 12 个月")
    expect(page.get_by_label("提取金额")).to_have_value("18000.00")
    page.get_by_label(re.compile("^收款银行")).select_option(label="建设银行")
    page.get_by_label("银行卡号码").fill(tenant["cards"][0])
    page.get_by_text("卡号格式正确").wait_for()
    shot(page, "phone-rent")
