"""Issue 4 in a real browser at 1366×768: the desktop 个人网厅 from the portal to 提交成功 and on to
我的业务, against the whole system live on loopback with the sample data; axe-core on every page."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.support.accessibility import assert_accessible
from tests.support.browser import SCREENSHOTS, screenshot

pytestmark = pytest.mark.browser


def _open_purchase_form(page, *, audit: bool = False) -> None:
    page.get_by_role("link", name="【提取】").click()
    if audit:
        assert_accessible(page)
    page.get_by_role("link", name="购买商品住房提取").click()
    expect(page.get_by_role("heading", name="购买商品住房提取")).to_be_visible()


def _fill_house(page, *, contract_no: str | None = None, archive_no: str | None = None) -> None:
    """Type the number as a member does: the house is echoed once a whole number is typed, without
    查询 and without leaving the field."""
    field = page.get_by_label("备案合同号") if contract_no else page.get_by_label("房证新档案号")
    field.press_sequentially(contract_no or archive_no or "")
    expect(page.locator("#house-echo")).to_contain_text("信息来源：住房信息系统")
    expect(field).to_be_focused()


def _fill_card(page, *, bank: str, card_no: str) -> None:
    page.get_by_label("收款银行").select_option(label=bank)
    page.get_by_label("银行卡号码").fill(card_no)
    page.get_by_label("银行卡号码").blur()
    # The check as typed also keeps the draft: wait for its answer.
    expect(page.locator("#card-feedback")).to_contain_text(card_no[-4:])


def _upload_every_material(page, photo) -> None:
    dialog = page.locator("#upload-dialog")
    expect(dialog.get_by_role("heading", name="影像上传")).to_be_visible()
    # Each upload redraws its row, so go by the materials' names rather than by elements.
    names = dialog.locator("label.material__label").all_inner_texts()
    assert names, "the dialog lists the required materials"
    for name in names:
        dialog.get_by_label(name, exact=True).set_input_files(str(photo))
        expect(dialog.get_by_alt_text(f"已上传的{name}预览")).to_be_visible(timeout=30_000)
    expect(dialog.locator("#final-submit")).to_be_enabled()


def test_zhang_wei_from_the_portal_to_paid(live_stack, page, photo_files):
    log_in(page, live_stack, "210102198803120158", audit=True)
    assert_accessible(page)
    screenshot(page, "desk-1-home")
    _open_purchase_form(page, audit=True)
    assert_accessible(page)
    _fill_house(page, contract_no="SY202605180001234")
    expect(page.locator("#house-echo")).to_contain_text("沈阳市浑南区智慧四街18-2号2-8-1")
    expect(page.locator("#house-echo")).to_contain_text("本人")
    _fill_card(page, bank="建设银行", card_no="6217001376212461799")
    expect(page.get_by_label("提取金额")).to_have_value("86420.50")
    page.get_by_label("我已阅读并同意《承诺书》").check()
    assert_accessible(page)
    screenshot(page, "desk-2-form-with-house")
    page.get_by_role("button", name="提交申请").click()

    _upload_every_material(page, photo_files["photo"])
    assert_accessible(page)
    screenshot(page, "desk-3-upload-dialog")
    page.locator("#final-submit").click()

    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    body = page.locator("body").inner_text()
    assert "业务流水号" in body and re.search(r"TQ\d{14}", body)
    assert "6217001376212461799" not in body and "1799" in body
    assert "秒批" in body
    expect(page.locator("#payout-status")).to_contain_text("已到账", timeout=60_000)
    assert_accessible(page)
    screenshot(page, "desk-4-result")
    business_no = re.search(r"TQ\d{14}", body).group(0)

    page.get_by_role("link", name="我的业务", exact=True).click()
    row = page.get_by_role("row").filter(has_text=business_no)
    expect(row).to_contain_text("已到账")
    assert_accessible(page)
    screenshot(page, "desk-5-my-applications")
    row.get_by_role("link", name=re.compile("查看")).click()
    expect(page.get_by_role("heading", name="业务详情")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "desk-6-application-detail")

    # The 办理回执: a PDF with the business number; its first page kept as a picture.
    with page.expect_download() as download:
        page.evaluate(
            "href => { const a = document.createElement('a'); a.href = href; a.download = 'r.pdf';"
            " document.body.appendChild(a); a.click(); }",
            page.get_by_role("link", name="办理回执").get_attribute("href"),
        )
    pdf = download.value.path()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert business_no in text and "210102198803120158" not in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(SCREENSHOTS / "desk-7-receipt"),
        ],
        check=True,
    )


def test_chen_jing_sees_the_time_window_reason(live_stack, page):
    log_in(page, live_stack, "210106198709090461")
    _open_purchase_form(page)
    page.get_by_label("备案合同号").fill("SY202204070009876")
    page.get_by_role("button", name="查询").click()
    _fill_card(page, bank="工商银行", card_no="6222088635267063982")
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("提交失败")
    expect(summary).to_contain_text("已超过 2 年")
    expect(page.locator("#house-errors")).to_contain_text("已超过 2 年")
    assert_accessible(page)
    screenshot(page, "desk-refused-time-window")


def test_zhao_min_is_refused_with_a_class_two_card_and_succeeds_with_her_other_card(live_stack, page):
    log_in(page, live_stack, "210113199302280421")
    _open_purchase_form(page)
    _fill_house(page, contract_no="SY202606060002468")
    _fill_card(page, bank="工商银行", card_no="6212260122184678383")
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".error-summary")).to_contain_text("二类账户")
    expect(page.locator("#card-feedback")).to_contain_text("一类卡")

    _fill_card(page, bank="建设银行", card_no="6227005926859734117")
    if not page.get_by_label("我已阅读并同意《承诺书》").is_checked():
        page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#upload-dialog").get_by_role("heading", name="影像上传")).to_be_visible()


def test_a_member_who_closes_the_browser_finds_the_draft(live_stack, browser):
    first = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = first.new_page()
    log_in(page, live_stack, "210103199007050241")  # 李娜
    _open_purchase_form(page)
    _fill_house(page, contract_no="SY202605180001234")
    _fill_card(page, bank="工商银行", card_no="6222024013192319654")
    expect(page.locator("#draft-status")).to_contain_text("草稿已自动保存")
    first.close()  # the browser is closed mid-form

    second = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = second.new_page()
    log_in(page, live_stack, "210103199007050241")
    _open_purchase_form(page)
    expect(page.get_by_label("备案合同号")).to_have_value("SY202605180001234")
    expect(page.locator("#house-echo")).to_contain_text("配偶")
    expect(page.get_by_label("收款银行")).to_have_value("ICBC")
    expect(page.locator("body")).to_contain_text("6222 **** **** 9654")
    second.close()


def test_cancel_before_review(live_stack, page):
    log_in(page, live_stack, "210103198604040717")  # 吴昊
    _open_purchase_form(page)
    _fill_house(page, contract_no="SY202603150007777")
    _fill_card(page, bank="工商银行", card_no="6222007019795107231")
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#upload-dialog").get_by_role("heading", name="影像上传")).to_be_visible()
    page.goto(f"{live_stack.hall}/hall/applications/")
    page.get_by_role("link", name=re.compile("查看")).first.click()
    page.get_by_role("link", name="撤回申请").click()
    assert_accessible(page)
    page.get_by_role("button", name="确认撤回").click()
    expect(page.locator("body")).to_contain_text("申请已撤回")
    expect(page.locator("body")).to_contain_text("已撤回")
