"""Issue 6 in a real browser at 1366×768: the back office against the whole system live on
loopback. 韩磊's 120,500.80 元 is above this stack's four-eyes threshold, so it goes through
初审 (returned once for correction, then approved) and a different person's 复审, is paid by the
worker, reconciled by 财务 and found in the audit log by 审计; axe-core on every back-office page
and screenshots docs/screenshots/backoffice-<n>-<page>.png."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from gjj.core.timeutil import today_shanghai
from tests.browser.conftest import log_in
from tests.browser.test_desktop_hall import (
    _fill_card,
    _fill_house,
    _open_purchase_form,
    _upload_every_material,
)
from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot
from tests.support.members import members_import

pytestmark = pytest.mark.browser

RETURN_REASON = "契税完税证明不清晰，请重新拍摄上传"
PAYOUT_WAIT_SECONDS = 60


# The module's own members, so that paying them uses up nobody else's withdrawal (one per member
# and house): 韩磊 is 杨磊's twin (a resale house, 盛京银行, 120,500.80 元, so staff review under
# this stack's four-eyes threshold); 钱进 is paid at once and gives the crafted statement a second
# payout the hall knows, to quote with a wrong amount.
HAN_LEI = {
    "id_number": "210106198605050035",
    "name": "韩磊",
    "phone": "13904007701",
    "account_no": "210100009903",
    "balance": "120500.80",
    "house": {
        "contract_no": None,
        "archive_no": "2026010209999",
        "kind": "resale",
        "filed_on": None,
        "registered_on": "2026-02-10",
        "address": "沈阳市皇姑区黄河南大街68号1-3-1",
    },
    "bank": "SJB",
    "card_no": "6224553012333269914",
}
QIAN_JIN = {
    "id_number": "210102199203150016",
    "name": "钱进",
    "phone": "13904007702",
    "account_no": "210100009902",
    "balance": "31234.56",
    "house": {
        "contract_no": "SY202610080009901",
        "archive_no": None,
        "kind": "new",
        "filed_on": "2026-10-08",
        "registered_on": None,
        "address": "沈阳市和平区南京南街9号1-5-2",
    },
    "bank": "CCB",
    "card_no": "6217001376212469917",
}


@pytest.fixture(scope="module")
def members(live_stack, tmp_path_factory) -> dict[str, dict]:
    """韩磊 and 钱进 imported into the hall and the outside systems (registry, bank, SSO)."""
    people = [{**m, "cards": [m["card_no"]]} for m in (HAN_LEI, QIAN_JIN)]
    members_import(live_stack, tmp_path_factory, people, employer=("210100000910", "沈阳对账测试有限公司"))
    return {"han_lei": HAN_LEI, "qian_jin": QIAN_JIN}


def _paid_at_once(page, stack, member: dict[str, str], photo) -> str:
    """The member applies on the desktop hall and is paid at once: the business number."""
    log_in(page, stack, member["id_number"])
    _open_purchase_form(page)
    _fill_house(page, contract_no=member["house"]["contract_no"])
    _fill_card(page, bank="建设银行", card_no=member["card_no"])
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    _upload_every_material(page, photo)
    page.locator("#final-submit").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    expect(page.locator("#payout-status")).to_contain_text("已到账", timeout=60_000)
    return re.search(r"TQ\d{14}", page.locator("body").inner_text()).group(0)


def _member_submits(page, stack, member: dict, photo) -> str:
    """韩磊 applies on the desktop hall; the business number of the submitted application."""
    log_in(page, stack, member["id_number"])
    _open_purchase_form(page)
    _fill_house(page, archive_no=member["house"]["archive_no"])
    _fill_card(page, bank="盛京银行", card_no=member["card_no"])
    expect(page.get_by_label("提取金额")).to_have_value("120500.80")
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    _upload_every_material(page, photo)
    page.locator("#final-submit").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    body = page.locator("body").inner_text()
    assert "3 个工作日" in body
    return re.search(r"TQ\d{14}", body).group(0)


def _open_case_from_queue(page, stack, business_no: str):
    page.goto(f"{stack.hall}/backoffice/queue/")
    row = page.locator("#queue tbody tr").filter(has_text=business_no)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=business_no).click()
    expect(page.get_by_role("heading", name=f"提取申请 {business_no}")).to_be_visible()
    return row


def _csrf_token(page) -> str:
    return page.locator("input[name=csrfmiddlewaretoken]").first.input_value()


def _wait_for_paid(page, stack, business_no: str) -> None:
    """The worker pays in the background and 我的业务 does not refresh itself: reload until the
    row says 已到账, bounded by a deadline."""
    deadline = time.monotonic() + PAYOUT_WAIT_SECONDS
    row = page.get_by_role("row").filter(has_text=business_no)
    while True:
        page.goto(f"{stack.hall}/hall/applications/")
        try:
            expect(row).to_contain_text("已到账", timeout=3_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{business_no} 未在 {PAYOUT_WAIT_SECONDS} 秒内到账\n{stack.log_tail()}"
                ) from None


def test_login_page(live_stack, page):
    page.goto(f"{live_stack.hall}/backoffice/login/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    for label in ("用户名", "密码", "动态口令"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "backoffice-1-login")


def test_review_flow_from_claim_to_paid(live_stack, page, photo_files, staff_pages, members):
    stack = live_stack
    han_lei = members["han_lei"]
    business_no = _member_submits(page, stack, han_lei, photo_files["photo"])

    # 刘初审 opens the case while nobody has claimed it yet ...
    liu = staff_pages("chushen2")
    _open_case_from_queue(liu, stack, business_no)
    expect(liu.locator("#claim-status")).to_contain_text("尚未领取")

    # ... 张初审 sees it in 审核队列 and claims it.
    zhang = staff_pages("chushen")
    row = _open_case_from_queue(zhang, stack, business_no)
    zhang.go_back()
    expect(row).to_contain_text(han_lei["name"])
    expect(row).to_contain_text("120,500.80")
    expect(row).to_contain_text("未领取")
    assert_accessible(zhang)
    screenshot(zhang, "backoffice-2-queue")
    row.get_by_role("link", name=business_no).click()
    expect(zhang.locator(".bo-case-head")).to_contain_text("需复审")
    zhang.get_by_role("button", name="领取审核").click()
    expect(zhang.locator(".bo-messages")).to_contain_text(f"已领取 {business_no}")
    expect(zhang.locator("#claim-status")).to_contain_text("您已领取本申请")

    # 刘初审's claim, pressed on the page opened before, is refused naming the holder ...
    liu.get_by_role("button", name="领取审核").click()
    expect(liu.locator(".bo-message--error")).to_contain_text("该申请已由张初审")
    expect(liu.locator(".bo-message--error")).to_contain_text("不能再由您办理")
    # ... the page now names 张初审 and offers no claim ...
    expect(liu.locator("#claim-status")).to_have_text(re.compile(r"本申请已由\s*张初审\s*领取审核"))
    expect(liu.get_by_role("button", name="领取审核")).to_have_count(0)
    # ... and a claim posted by hand is refused all the same.
    answer = liu.request.post(
        f"{stack.hall}/backoffice/cases/{business_no}/claim/",
        form={"csrfmiddlewaretoken": _csrf_token(liu)},
        headers={"Referer": liu.url},
    )
    assert answer.ok, answer.status
    assert "该申请已由张初审" in answer.text()
    liu.reload()
    expect(liu.locator("#claim-status")).to_contain_text("张初审")

    # The materials viewer: pick, next, zoom, rotate (on a fresh page, without the claim's message).
    zhang.reload()
    viewer = zhang.locator("[data-viewer]")
    picks = viewer.locator(".bo-viewer__pick")
    names = picks.all_inner_texts()
    assert len(names) >= 2 and "契税完税证明" in names, names
    image = zhang.locator("#viewer-image")
    caption = zhang.locator("#viewer-caption")
    picks.nth(0).click()
    expect(caption).to_have_text(f"{names[0]}（第 1 / {len(names)} 份）")
    expect(image).to_have_attribute("alt", names[0])
    viewer.get_by_role("button", name="下一张").click()
    expect(caption).to_have_text(f"{names[1]}（第 2 / {len(names)} 份）")
    expect(image).to_have_attribute("alt", names[1])
    expect(picks.nth(1)).to_have_attribute("aria-current", "true")
    viewer.get_by_role("button", name="放大").click()
    expect(image).to_have_attribute("data-scale", "1.25")
    viewer.get_by_role("button", name="旋转").click()
    expect(image).to_have_attribute("data-rotation", "90")
    expect(image).to_have_attribute("data-scale", "1.25")
    # The picture really arrived from the back office (a served image has a natural width).
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
    assert_accessible(zhang)
    screenshot(zhang, "backoffice-3-case")

    # 退回补正: 契税完税证明 with a reason.
    returning = zhang.locator("form").filter(has=zhang.get_by_role("button", name="退回补正"))
    returning.get_by_label("契税完税证明").check()
    returning.get_by_label("退回原因").fill(RETURN_REASON)
    returning.get_by_role("button", name="退回补正").click()
    expect(zhang.locator(".bo-messages")).to_contain_text(f"{business_no} 已退回补正")
    expect(zhang.locator("#queue tbody tr").filter(has_text=business_no)).to_have_count(0)

    # The member sees why, fixes the material and resubmits.
    page.goto(f"{stack.hall}/hall/applications/")
    member_row = page.get_by_role("row").filter(has_text=business_no)
    expect(member_row).to_contain_text("退回补正")
    member_row.get_by_role("link", name=re.compile("查看")).click()
    expect(page.locator("body")).to_contain_text(RETURN_REASON)
    assert_accessible(page)
    page.get_by_role("link", name="修改并重新提交").click()
    assert_accessible(page)
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="重新提交").click()
    assert_accessible(page)
    page.get_by_label(re.compile("契税完税证明")).first.set_input_files(str(photo_files["photo"]))
    page.get_by_role("button", name=re.compile(r"上传\s*契税完税证明")).click()
    expect(page.locator("body")).to_contain_text("已重新上传")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("body")).to_contain_text("提交成功")
    expect(page.locator("body")).to_contain_text("已提交")
    assert_accessible(page)

    # 初审 again: the earlier material is kept as history; 张初审 claims and approves.
    _open_case_from_queue(zhang, stack, business_no)
    expect(zhang.locator("details").filter(has_text="已被替换的材料")).to_contain_text("契税完税证明")
    expect(zhang.locator("#decisions-heading + table")).to_contain_text(RETURN_REASON)
    zhang.get_by_role("button", name="领取审核").click()
    expect(zhang.locator("#claim-status")).to_contain_text("您已领取本申请")
    zhang.get_by_label("审核意见（可选）").fill("材料齐全，房屋与银行卡核验一致")
    zhang.get_by_role("button", name="审核通过").click()
    expect(zhang.locator(".bo-messages")).to_contain_text(
        f"{business_no} 初审通过，金额达到复审标准，已转复审"
    )

    # Stage 2 is not 张初审's: the case is out of his queue and his claim is refused.
    zhang.goto(f"{stack.hall}/backoffice/cases/{business_no}/")
    expect(zhang.locator(".bo-case-head")).to_contain_text("待复审")
    zhang.get_by_role("button", name="领取审核").click()
    expect(zhang.locator(".bo-message--error")).to_contain_text("须由复审岗位的工作人员办理")
    zhang.goto(f"{stack.hall}/backoffice/queue/")
    expect(zhang.locator("#queue tbody tr").filter(has_text=business_no)).to_have_count(0)

    # 王复审 claims and approves: 已审批, handed to payment.
    wang = staff_pages("fushen")
    row = _open_case_from_queue(wang, stack, business_no)
    expect(wang.locator(".bo-case-head")).to_contain_text("待复审")
    wang.get_by_role("button", name="领取审核").click()
    wang.get_by_role("button", name="审核通过").click()
    expect(wang.locator(".bo-messages")).to_contain_text(f"{business_no} 审核通过，已交付支付")
    wang.goto(f"{stack.hall}/backoffice/cases/{business_no}/")
    expect(wang.locator("#decide-heading + p")).to_contain_text("不在审核环节")

    # The worker pays it: the member's 我的业务 shows 已到账.
    _wait_for_paid(page, stack, business_no)

    # 孙财务 sees the payout 支付成功 in 支付管理.
    sun = staff_pages("caiwu")
    sun.goto(f"{stack.hall}/backoffice/payouts/?state=&q={business_no}")
    payout_row = sun.locator("#payouts tbody tr").filter(has_text=business_no)
    expect(payout_row).to_have_count(1)
    expect(payout_row).to_contain_text("支付成功")
    expect(payout_row).to_contain_text("120,500.80")
    expect(payout_row).to_contain_text(han_lei["card_no"][-4:])
    expect(sun.locator("#payouts")).not_to_contain_text(han_lei["card_no"])
    serial = payout_row.locator("td").nth(0).inner_text().strip()
    assert_accessible(sun)
    screenshot(sun, "backoffice-4-payouts")

    # Today's statement from the bank: the payout is 已核对一致.
    today = today_shanghai().isoformat()
    sun.get_by_role("link", name="银行对账").click()
    sun.get_by_label("对账日期").fill(today)
    sun.get_by_role("button", name="导入并核对").click()
    expect(sun.locator(".bo-messages")).to_contain_text(f"{today} 对账单已导入")
    matched = sun.locator("#bucket-matched")
    expect(matched).to_contain_text(serial)
    expect(matched).to_contain_text("120,500.80")

    # A crafted file for the same day shows every kind of difference.
    transfers = requests.get(
        f"{stack.sims}/bank/transfers", params={"card_no": han_lei["card_no"]}, timeout=10
    ).json()
    paid = next(t for t in transfers if t["serial"] == serial)
    assert paid["message"] == "转账成功" and paid["amount_fen"] == 12_050_080, paid
    card_no = han_lei["card_no"]
    real = f"{today},{serial},{card_no},{paid['amount_fen']},done,{paid['bank_reference']}"
    lines = [
        "date,serial,card_no,amount_fen,result,bank_reference",
        real,
        f"{today},NO-SUCH-SERIAL-0001,6222000000000000001,100000,done,BK-UNKNOWN-1",
        real,  # the bank sent the same line twice
    ]
    other_no = _paid_at_once(staff_pages.new_page(), stack, members["qian_jin"], photo_files["photo"])
    other_serial, other_card, other_amount = _payout_of(stack, other_no)
    lines.append(f"{today},{other_serial},{other_card},{other_amount + 100},done,BK-WRONG-AMOUNT")
    crafted = "\n".join(lines) + "\n"
    sun.get_by_role("link", name="银行对账").click()
    sun.get_by_label("对账日期").fill(today)
    sun.get_by_label("对账单文件（CSV，可选）").set_input_files(
        files=[{"name": f"statement-{today}.csv", "mimeType": "text/csv", "buffer": crafted.encode()}]
    )
    sun.get_by_role("button", name="导入并核对").click()
    expect(sun.locator(".bo-messages")).to_contain_text(f"{today} 对账单已导入")
    buckets = sun.locator("#buckets")
    expect(sun.locator("#bucket-matched")).to_contain_text(serial)
    expect(sun.locator("#bucket-unknown_to_hall")).to_contain_text("NO-SUCH-SERIAL-0001")
    expect(sun.locator("#bucket-duplicate")).to_contain_text(serial)
    expect(sun.locator("#bucket-amount_mismatch")).to_contain_text(other_serial)
    for bucket in ("matched", "unknown_to_hall", "duplicate", "amount_mismatch"):
        expect(buckets.locator(f'[data-bucket="{bucket}"] td').first).to_have_text("1")
    sun.reload()  # the report as it stands, without the import's message
    assert_accessible(sun)
    screenshot(sun, "backoffice-5-reconciliation")
    sun.get_by_role("link", name="返回对账记录").click()
    expect(sun.locator("#statements")).to_contain_text("已被更新的导入取代")

    # 周审计 finds the case's whole history in the audit log ...
    zhou = staff_pages("shenji")
    zhou.goto(f"{stack.hall}/backoffice/audit/")
    zhou.get_by_label("对象（如业务流水号）").fill(business_no)
    zhou.get_by_role("button", name="查询").click()
    audit = zhou.locator("#audit")
    for action, actor in (
        ("领取审核", "张初审"),
        ("退回补正", "张初审"),
        ("审核通过", "张初审"),
        ("领取审核", "王复审"),
        ("审核通过", "王复审"),
        ("查看材料", "张初审"),
        ("查看申请", "刘初审"),
    ):
        expect(audit.locator("tbody tr").filter(has_text=action).filter(has_text=actor).first).to_be_visible()
    assert han_lei["id_number"] not in audit.inner_text()
    assert_accessible(zhou)
    screenshot(zhou, "backoffice-6-audit")

    # ... and is refused the review queue.
    refused = zhou.goto(f"{stack.hall}/backoffice/queue/")
    assert refused is not None and refused.status == 403
    expect(zhou.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(zhou.locator("main")).to_contain_text("审计")


def _payout_of(stack, business_no: str) -> tuple[str, str, int]:
    """The serial, card and amount of an application's payout, read from the hall's database."""
    out = stack.gjj(
        "shell",
        "-c",
        "from gjj.withdrawals.models import Payout\n"
        f"p = Payout.objects.get(application__business_no={business_no!r})\n"
        "print(f'PAYOUT={p.serial},{p.card_no},{p.amount_fen}')",
    ).stdout
    found = re.search(r"^PAYOUT=(.+),(\d+),(\d+)$", out, re.MULTILINE)
    assert found is not None, out
    return found.group(1), found.group(2), int(found.group(3))


def test_dashboard(live_stack, staff_pages):
    wu = staff_pages("guanli")
    wu.goto(f"{live_stack.hall}/backoffice/dashboard/")
    expect(wu.get_by_role("heading", name="业务看板", exact=True)).to_be_visible()
    expect(wu.locator(".bo-nav")).to_contain_text("系统管理")
    expect(wu.locator("#dashboard-paid")).to_contain_text("每日支付金额")
    screenshot(wu, "backoffice-7-dashboard")


def test_dashboard_is_accessible(live_stack, staff_pages):
    wu = staff_pages("guanli")
    wu.goto(f"{live_stack.hall}/backoffice/dashboard/")
    expect(wu.get_by_role("heading", name="业务看板", exact=True)).to_be_visible()
    assert_accessible(wu)


def test_a_flash_message_is_accessible(live_stack, staff_pages):
    sun = staff_pages("caiwu")
    sun.goto(f"{live_stack.hall}/backoffice/reconciliation/")
    sun.get_by_label("对账日期").fill("2099-01-01")
    sun.get_by_role("button", name="导入并核对").click()
    expect(sun.locator(".bo-message--error")).to_contain_text("2099-01-01 尚未到来")
    assert_accessible(sun)
