"""Issue 13 in a real browser at 1366×768: the other withdrawal reasons on the desktop 个人网厅.
曹阳 (of data/sample-reasons.json) applies for 租房提取, uploads the materials, is approved at once (秒批) and
paid; a member who owns a house is refused 租房提取 with the owns_house reason in the error summary;
a retiree (韩梅's twin) sees 离退休提取's whole balance, read-only. axe-core on every new page.

The module imports 曹阳's sample and its own other members (fresh identities shaped like the
sample's), so the shared live stack's purchase members stay as the other browser tests expect them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import expect

from gjj.core.timeutil import today_shanghai, whole_months_between
from tests.browser.conftest import DEMO_PASSWORD, log_in
from tests.browser.test_desktop_hall import _fill_card, _upload_every_material
from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot
from tests.support.id_numbers import make_id_number
from tests.support.sims import REPO_ROOT

pytestmark = pytest.mark.browser

EMPLOYER = ("210100000920", "沈阳租住测试有限公司")
SAMPLE_REASONS = REPO_ROOT / "data" / "sample-reasons.json"


def luhn_complete(first_digits: str) -> str:
    """The card number with its Luhn check digit appended."""
    total = 0
    for index, digit in enumerate(reversed(first_digits)):
        value = int(digit)
        if index % 2 == 0:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return first_digits + str((10 - total % 10) % 10)


def _sample_member(name: str) -> dict:
    """A member of data/sample-reasons.json (imported into the live stack by ``members``), in the
    shape this module reads."""
    document = json.loads(SAMPLE_REASONS.read_text(encoding="utf-8"))
    person = next(p for p in document["people"] if p["name"] == name)
    account = next(a for a in document["accounts"] if a["id_number"] == person["id_number"])
    card = next(c for c in document["bank_accounts"] if c["holder_id_number"] == person["id_number"])
    last_rent = max(
        (w["paid_on"] for w in document["prior_withdrawals"] if w["id_number"] == person["id_number"]),
        default=None,
    )
    return {
        **person,
        "balance": account["balance"],
        "bank": card["bank"],
        "bank_name": {"CCB": "建设银行", "ICBC": "工商银行", "SJB": "盛京银行"}[card["bank"]],
        "card_no": card["card_no"],
        "last_rent_paid_on": last_rent,
    }


# 曹阳 of the sample: no house, 26,000.00 元, a rent withdrawal paid on 2026-08-20, an ICBC card.
RENTER = _sample_member("曹阳")
# A member who owns a valid house in the registry: refused 租房提取.
OWNER = {
    "id_number": make_id_number("210103", dt.date(1989, 3, 3), 32),
    "name": "邵峰",
    "phone": "13904007802",
    "account_no": "210500009802",
    "status": "normal",
    "balance": "54000.00",
    "bank": "CCB",
    "bank_name": "建设银行",
    "card_no": luhn_complete("621700137621246980"),
    "house": {
        "contract_no": "SY202609150009802",
        "archive_no": None,
        "kind": "new",
        "address": "沈阳市沈河区青年大街99号3-2-1",
        "area_m2": "72.40",
        "total_price": "640000.00",
        "filed_on": "2026-09-15",
        "registered_on": None,
        "status": "valid",
    },
}
# 韩梅's twin: retired on 2025-06-30, a sealed account; only looked at here.
RETIREE = {
    "id_number": make_id_number("210102", dt.date(1965, 6, 6), 33),
    "name": "温玉兰",
    "phone": "13904007803",
    "account_no": "210500009803",
    "status": "sealed",
    "balance": "98765.40",
    "bank": "CCB",
    "bank_name": "建设银行",
    "card_no": luhn_complete("621700636265676980"),
    "retired_on": "2025-06-30",
}
PEOPLE = (OWNER, RETIREE)


def reasons_document() -> dict:
    code, name = EMPLOYER
    return {
        "format": "gjj-dataset/1",
        "as_of": "2026-11-27",
        "employers": [{"code": code, "name": name}],
        "people": [
            {
                "id_number": m["id_number"],
                "name": m["name"],
                "phone": m["phone"],
                "spouse_id_number": None,
                **({"retired_on": m["retired_on"]} if "retired_on" in m else {}),
            }
            for m in PEOPLE
        ],
        "accounts": [
            {
                "account_no": m["account_no"],
                "id_number": m["id_number"],
                "employer_code": code,
                "status": m["status"],
                "balance": m["balance"],
                "opened_on": "2016-07-01",
                "monthly_deposit": "2400.00",
                "paid_through": "2026-10" if m["status"] == "normal" else "2025-06",
                "consecutive_months": 24 if m["status"] == "normal" else 0,
            }
            for m in PEOPLE
        ],
        "loans": [],
        "houses": [
            {**m["house"], "buyers": [{"id_number": m["id_number"], "name": m["name"]}]}
            for m in PEOPLE
            if "house" in m
        ],
        "prior_withdrawals": [],
        "bank_accounts": [
            {
                "card_no": m["card_no"],
                "bank": m["bank"],
                "holder_id_number": m["id_number"],
                "holder_name": m["name"],
                "account_class": 1,
                "status": "normal",
            }
            for m in PEOPLE
        ],
        "gov_users": [
            {"id_number": m["id_number"], "name": m["name"], "phone": m["phone"], "password": DEMO_PASSWORD}
            for m in PEOPLE
        ],
    }


@pytest.fixture(scope="module")
def members(live_stack, tmp_path_factory):
    path = tmp_path_factory.mktemp("reasons") / "reasons.json"
    path.write_text(json.dumps(reasons_document(), ensure_ascii=False), encoding="utf-8")
    live_stack.gjj("import-dataset", str(path))
    live_stack.gjj("import-dataset", str(SAMPLE_REASONS))


def rent_maximum() -> str:
    """1,500.00 元 × whole months since the last rent payment (at most 12), at most the balance, as
    the form fills it in (the live stack runs on today's date)."""
    months = min(
        whole_months_between(dt.date.fromisoformat(RENTER["last_rent_paid_on"]), today_shanghai()), 12
    )
    return f"{min(1500 * months, int(float(RENTER['balance'])))}.00"


def _open_reason(page, reason_name: str, *, audit: bool = False) -> None:
    page.get_by_role("link", name="【提取】").click()
    if audit:
        expect(page.get_by_role("heading", name="提取", exact=True)).to_be_visible()
        # The registry's reasons open, the national list's others 暂未开放.
        expect(page.locator(".kind")).to_have_count(5)
        expect(page.locator(".kind--closed")).to_have_count(2)
        expect(page.locator(".kind--closed")).to_contain_text(["暂未开放", "暂未开放"])
        assert_accessible(page)
        screenshot(page, "desk-reasons")
    page.get_by_role("link", name=re.compile(rf"^立即办理\s*{reason_name}$")).click()
    expect(page.get_by_role("heading", name=reason_name, exact=True)).to_be_visible()
    expect(page).to_have_title(re.compile(rf"^{reason_name} - "))


def _no_purchase_words(page) -> None:
    body = page.locator("main").inner_text()
    for words in ("购房提取", "购买商品住房提取", "备案合同号", "房屋坐落", "与购房人关系"):
        assert words not in body, f"{words} on a {page.url} page"


def test_a_renter_applies_for_rent_on_the_desktop_and_is_paid(live_stack, page, photo_files, members):
    log_in(page, live_stack, RENTER["id_number"])
    _open_reason(page, "租房提取", audit=True)

    amount = page.get_by_label("提取金额")
    expect(amount).to_have_value(rent_maximum())
    expect(page.locator("#amount-basis")).to_contain_text("每月限额 1,500.00 元")
    expect(page.locator("#amount-basis")).to_contain_text("2026-08-20")
    expect(page.get_by_label("备案合同号")).to_have_count(0)
    _fill_card(page, bank=RENTER["bank_name"], card_no=RENTER["card_no"])
    page.get_by_label("我已阅读并同意《承诺书》").check()
    assert_accessible(page)
    _no_purchase_words(page)
    screenshot(page, "desk-rent")
    page.get_by_role("button", name="提交申请").click()

    dialog = page.locator("#upload-dialog")
    expect(dialog.get_by_role("heading", name="影像上传")).to_be_visible()
    assert dialog.locator("label.material__label").all_inner_texts() == ["身份证正面", "身份证反面", "银行卡"]
    expect(page).to_have_title(re.compile(r"^影像上传 - 租房提取 - "))
    _upload_every_material(page, photo_files["photo"])
    assert_accessible(page)
    _no_purchase_words(page)
    page.locator("#final-submit").click()

    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    body = page.locator("body").inner_text()
    business_no = re.search(r"TQ\d{14}", body).group(0)
    assert "租房提取" in body and "秒批" in body
    assert RENTER["card_no"] not in body
    expect(page.locator("#payout-status")).to_contain_text("已到账", timeout=60_000)
    assert_accessible(page)
    _no_purchase_words(page)
    screenshot(page, "desk-rent-result")

    page.get_by_role("link", name="我的业务", exact=True).click()
    row = page.get_by_role("row").filter(has_text=business_no)
    expect(row).to_contain_text("租房提取")
    expect(row).to_contain_text("已到账")
    row.get_by_role("link", name=re.compile("查看")).click()
    expect(page.get_by_role("heading", name="业务详情")).to_be_visible()
    expect(page.locator("main")).to_contain_text("租房提取")
    _no_purchase_words(page)
    assert_accessible(page)


def test_a_member_who_owns_a_house_is_refused_rent(live_stack, page, members):
    log_in(page, live_stack, OWNER["id_number"])
    _open_reason(page, "租房提取")
    _fill_card(page, bank=OWNER["bank_name"], card_no=OWNER["card_no"])
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("提交失败")
    expect(summary).to_contain_text(
        f"您名下有住房（房屋编号 {OWNER['house']['contract_no']}），本人及配偶均无自有住房的才能办理租房提取"
    )
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^提交失败 - 租房提取 - "))
    assert_accessible(page)
    _no_purchase_words(page)
    screenshot(page, "desk-rent-refused")


def test_a_retiree_sees_the_whole_balance_read_only(live_stack, page, members):
    log_in(page, live_stack, RETIREE["id_number"])
    _open_reason(page, "离退休提取")

    amount = page.get_by_label("提取金额")
    expect(amount).to_have_value("98765.40")
    expect(amount).not_to_be_editable()
    expect(page.locator("#amount-closing")).to_have_text("一次提取全部余额，到账后个人账户销户。")
    expect(page.locator("#member-title + dl")).to_contain_text(re.compile(r"账户状态\s*封存"))
    _fill_card(page, bank=RETIREE["bank_name"], card_no=RETIREE["card_no"])
    assert_accessible(page)
    _no_purchase_words(page)
    screenshot(page, "desk-retirement")
