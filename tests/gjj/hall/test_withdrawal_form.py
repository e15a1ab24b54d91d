"""【提取】 and the one-page 购买商品住房提取 form: labels, the house echo and the card check as typed
(htmx), the draft kept across requests, and 提交申请 refused or passed — against the live simulators
(registry and bank over real HTTP) with the sample dataset.

The fixtures and helpers here are imported by the other test_withdrawal_* modules."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gjj.identity.models import MemberLogin
from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.policy.rules import HOUSE_NOT_FOUND
from gjj.withdrawals import services
from gjj.withdrawals.models import Application, State
from tests.gjj.withdrawals import conftest as withdrawal_fixtures
from tests.gjj.withdrawals.conftest import (
    LI_NA,
    WANG_FANG,
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
)

loaded = withdrawal_fixtures.loaded
_media_in_tmp = withdrawal_fixtures._media_in_tmp

pytestmark = pytest.mark.django_db

PURCHASE = "/hall/withdrawals/purchase/"
HOUSE = "/hall/withdrawals/purchase/house/"
CARD = "/hall/withdrawals/purchase/card/"
DRAFT = "/hall/withdrawals/purchase/draft/"
HTMX = {"HX-Request": "true"}

CHEN_JING = "210106198709090461"
CHEN_HOUSE = "SY202204070009876"
CHEN_CARD = "6222088635267063982"
ZHAO_MIN = "210113199302280421"
ZHAO_HOUSE = "SY202606060002468"
ZHAO_CLASS_II_ICBC = "6212260122184678383"
ZHAO_CCB = "6227005926859734117"
YANG_LEI = "210106198411110378"
YANG_ARCHIVE = "2026010203456"
CCB_CREDIT = "4367181234567896"  # a CCB credit-card bin with a valid check digit
ALL_IDS = [ZHANG_WEI, LI_NA, WANG_FANG, CHEN_JING, ZHAO_MIN, YANG_LEI]
ALL_CARDS = [ZHANG_CARD, CHEN_CARD, ZHAO_CLASS_II_ICBC, ZHAO_CCB, CCB_CREDIT]


@pytest.fixture(autouse=True)
def _sample_day(monkeypatch):
    """Rules are evaluated as of the sample dataset's date, whatever day the suite runs."""
    day = dt.date(2026, 11, 27)
    monkeypatch.setattr("gjj.withdrawals.services.today_shanghai", lambda: day)
    monkeypatch.setattr("gjj.withdrawals.form_selectors.today_shanghai", lambda: day)


def login(client: Client, id_number: str) -> Person:
    """A member logged in as the SSO would leave them: a hall user tied to the 缴存职工."""
    person = Person.objects.select_related("account").get(id_number=id_number)
    user = get_user_model().objects.create_user(username=f"member-{id_number}", first_name=person.name)
    MemberLogin.objects.create(
        user=user, person=person, issuer="http://govsso.test/o", subject=f"sub-{id_number}"
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return person


def draft_of(person: Person) -> Application:
    return Application.objects.get(person=person, state=State.DRAFT)


def text_of(html: str) -> str:
    """The page's visible words, tags dropped and whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def assert_nothing_unmasked(page: str) -> None:
    for number in ALL_IDS + ALL_CARDS:
        assert number not in page, f"{number[:4]}… appears unmasked"


def form_data(
    *,
    contract_no: str = "",
    archive_no: str = "",
    bank: str = "",
    card_no: str = "",
    amount: str = "",
    declaration: bool = True,
    action: str = "submit",
) -> dict[str, str]:
    data = {
        "contract_no": contract_no,
        "archive_no": archive_no,
        "bank": bank,
        "card_no": card_no,
        "amount": amount,
        "declaration_version": active_policy().declaration_version,
        "action": action,
    }
    if declaration:
        data["declaration"] = "accepted"
    return data


def submit(client: Client, **fields: object):
    return client.post(PURCHASE, form_data(**fields))  # type: ignore[arg-type]


def error_summary(page: str) -> str:
    match = re.search(r'<div class="error-summary" role="alert".*?</ul>', page, re.S)
    assert match is not None, "no error summary"
    return match.group(0)


# --- 【提取】 -----------------------------------------------------------------------------------------


def test_the_withdrawal_kinds_offer_purchase_and_say_the_others_are_not_open(client, zhang_wei):
    login(client, zhang_wei.id_number)

    response = client.get("/hall/withdrawals/")

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<a class="button button--primary" href="/hall/withdrawals/purchase/">'
        '立即办理<span class="visually-hidden">购买商品住房提取</span></a>'
    ) in page
    for name in ("建造翻建大修自住住房提取", "偿还购房贷款本息提取"):
        item = re.search(rf"<li class=\"kind kind--closed\">.*?{name}.*?</li>", page, re.S)
        assert item is not None and "暂未开放" in item.group(0)
    assert 'aria-current="page"' in page and "【提取】" in page


def test_the_withdrawal_pages_need_a_member(client):
    for path in ("/hall/withdrawals/", PURCHASE, "/hall/withdrawals/TQ2026112700001/result/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/hall/?next=")


# --- the form -----------------------------------------------------------------------------------


def test_the_form_has_every_field_labelled_with_the_seeds_words(client, zhang_wei):
    login(client, zhang_wei.id_number)

    response = client.get(PURCHASE)

    assert response.status_code == 200
    page = response.content.decode()
    for control_id, label in (
        ("id_contract_no", "备案合同号"),
        ("id_archive_no", "房证新档案号"),
        ("id_bank", "收款银行"),
        ("id_card_no", "银行卡号码"),
        ("id_amount", "提取金额"),
        ("id_declaration", "我已阅读并同意《承诺书》"),
    ):
        assert f'<label for="{control_id}">{label}</label>' in page
        assert f'id="{control_id}"' in page
    assert '<legend class="form-section__legend">承诺书</legend>' in page
    assert re.search(r'<button type="submit" name="action" value="submit"[^>]*>提交申请</button>', page)
    assert re.search(r'<button type="submit" name="action" value="lookup"[^>]*>查询</button>', page)
    # The banks of the policy, in a <select>.
    for code, name in (("CCB", "建设银行"), ("ICBC", "工商银行"), ("SJB", "盛京银行")):
        assert f'<option value="{code}">{name}</option>' in page
    # The 承诺书 in full, with its title and version.
    policy = active_policy()
    text = text_of(page)
    assert policy.declaration_title in text and f"版本：{policy.declaration_version}" in text
    for line in policy.declaration_text.splitlines():
        assert line.strip() in text
    assert "一类卡" in text  # the note on the receiving card
    # The member's own facts, the ID number masked.
    assert "2101**********0158" in page and ZHANG_WEI not in page
    assert "2101000012345" in page and "100,000.00 元" in page and "86,420.50 元" in page
    # CSRF on the form and for htmx; the hall's own scripts, nothing from elsewhere.
    assert 'name="csrfmiddlewaretoken"' in page and "X-CSRFToken" in page
    assert '<script src="/static/hall/vendor/htmx.min.js" defer></script>' in page
    assert "http://" not in page and "https://" not in page


def test_the_house_is_echoed_for_its_buyer(loaded, client):
    person = login(client, ZHANG_WEI)

    response = client.post(
        HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    text = text_of(fragment)
    assert "查询到的房屋信息" in text
    assert "房屋坐落 沈阳市浑南区智慧四街18-2号2-8-1" in text
    assert "建筑面积 98.60 平方米" in text
    assert "房屋总价 980,000.00 元" in text
    assert "合同备案日期 2026-05-18" in text
    assert "房屋类型 新建商品房" in text
    assert "购房人 张伟（2101**********0158）" in text
    assert "与购房人关系 本人" in text
    assert re.search(r"信息来源：住房信息系统，查询时间： ?2026-\d\d-\d\d \d\d:\d\d:\d\d ?（北京时间）", text)
    # The amount field comes along out of band, filled with the maximum (the available balance).
    assert 'id="amount-field" hx-swap-oob="outerHTML"' in fragment
    assert 'value="86420.50"' in fragment
    assert "本次最多可提取 86,420.50 元" in text
    assert "草稿已自动保存" in text
    assert_nothing_unmasked(fragment)
    draft = draft_of(person)
    assert (draft.lookup_field, draft.house_key, draft.relation) == ("contract_no", ZHANG_HOUSE, "buyer")


def test_the_house_is_echoed_for_the_buyers_spouse(loaded, client):
    login(client, LI_NA)

    response = client.post(
        HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX
    )

    text = text_of(response.content.decode())
    assert "购房人 张伟（2101**********0158）" in text
    assert "与购房人关系 配偶" in text


def test_a_resale_house_is_echoed_by_its_archive_number(loaded, client):
    login(client, YANG_LEI)

    response = client.post(
        HOUSE, {**form_data(archive_no=YANG_ARCHIVE), "lookup_field": "archive_no"}, headers=HTMX
    )

    text = text_of(response.content.decode())
    assert "房证新档案号 2026010203456" in text
    assert "房屋类型 存量房" in text and "不动产登记日期 2026-02-10" in text


def test_a_house_that_is_not_theirs_reads_like_a_missing_one(loaded, client):
    login(client, WANG_FANG)

    not_theirs = client.post(
        HOUSE, {**form_data(contract_no=CHEN_HOUSE), "lookup_field": "contract_no"}, headers=HTMX
    ).content.decode()
    missing = client.post(
        HOUSE, {**form_data(contract_no="SY209901010000000"), "lookup_field": "contract_no"}, headers=HTMX
    ).content.decode()

    assert HOUSE_NOT_FOUND in not_theirs
    assert "沈阳市铁西区" not in not_theirs and "陈静" not in not_theirs
    assert text_of(not_theirs.split("<div id=")[0]) == text_of(missing.split("<div id=")[0])


def test_an_echoed_house_that_is_too_old_says_so_at_once(loaded, client):
    login(client, CHEN_JING)

    response = client.post(
        HOUSE, {**form_data(contract_no=CHEN_HOUSE), "lookup_field": "contract_no"}, headers=HTMX
    )

    text = text_of(response.content.decode())
    assert "沈阳市铁西区北二中路9号1-5-2" in text
    assert "该房屋不符合购房提取条件" in text and "已超过 2 年" in text


def test_the_house_lookup_without_javascript_echoes_on_the_page(loaded, client):
    person = login(client, ZHANG_WEI)

    response = client.post(PURCHASE, form_data(contract_no=ZHANG_HOUSE, action="lookup", declaration=False))

    assert response.status_code == 302 and response["Location"].startswith(PURCHASE)
    page = client.get(PURCHASE).content.decode()
    assert "沈阳市浑南区智慧四街18-2号2-8-1" in page
    assert 'value="86420.50"' in page
    assert draft_of(person).declaration_accepted_at is None


@pytest.mark.parametrize(
    ("bank", "card_no", "expected"),
    [
        ("CCB", "6217001376212461798", "银行卡号码校验位不正确，请核对卡号"),
        ("CCB", "62170013762", "银行卡号码应为 16–19 位数字，您输入的是 11 位"),
        ("CCB", "6222024013192319654", "该卡号属于工商银行，与所选收款银行建设银行不一致"),
        ("CCB", CCB_CREDIT, "该卡为信用卡，收款账户须为借记卡（储蓄卡），不能使用信用卡"),
        ("", ZHANG_CARD, "请选择收款银行"),
    ],
)
def test_the_card_is_checked_as_typed(loaded, client, bank, card_no, expected):
    login(client, ZHANG_WEI)

    response = client.post(CARD, form_data(bank=bank, card_no=card_no), headers=HTMX)

    assert response.status_code == 200
    fragment = response.content.decode()
    assert expected in text_of(fragment)
    assert card_no not in fragment


def test_a_well_formed_card_is_acknowledged_masked(loaded, client):
    person = login(client, ZHANG_WEI)

    fragment = client.post(
        CARD, form_data(bank="CCB", card_no="6217 0013 7621 2461 799"), headers=HTMX
    ).content.decode()

    text = text_of(fragment)
    assert "卡号 6217 **** **** 1799 格式正确，发卡行为建设银行（借记卡）" in text
    assert "一类卡" in text
    assert ZHANG_CARD not in fragment
    draft = draft_of(person)
    assert (draft.bank, draft.card_no) == ("CCB", ZHANG_CARD)


def test_the_draft_is_kept_and_the_page_continues_from_it(loaded, client):
    person = login(client, ZHANG_WEI)
    client.post(HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX)
    client.post(CARD, form_data(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD), headers=HTMX)
    saved = client.post(
        DRAFT, form_data(contract_no=ZHANG_HOUSE, bank="CCB", amount="50000.00"), headers=HTMX
    )
    assert "草稿已自动保存" in text_of(saved.content.decode())

    # Another browser (or the same member after closing this one) finds it all again.
    other = Client()
    other.force_login(
        MemberLogin.objects.get(person=person).user, backend="django.contrib.auth.backends.ModelBackend"
    )
    page = other.get(PURCHASE).content.decode()

    assert re.search(rf'id="id_contract_no" name="contract_no" type="text" value="{ZHANG_HOUSE}"', page)
    assert "沈阳市浑南区智慧四街18-2号2-8-1" in page
    assert '<option value="CCB" selected>建设银行</option>' in page
    assert "已保存的银行卡号码：" in text_of(page) and "6217 **** **** 1799" in page
    assert 'value="50000.00"' in page
    assert 'id="id_declaration" name="declaration" value="accepted" checked' in page
    assert_nothing_unmasked(page)


def test_an_autosave_that_finds_the_draft_submitted_meanwhile_goes_to_the_upload_step(
    loaded, client, monkeypatch
):
    """The second tab's autosave read the draft as a draft; under the row's lock it is already
    awaiting materials: no 500, the member is sent to where the application now is."""
    person = login(client, ZHANG_WEI)
    client.post(HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX)
    draft = draft_of(person)
    Application.objects.filter(pk=draft.pk).update(
        state=State.AWAITING_MATERIALS, business_no="TQ20261127009999"
    )
    # What the request read before the lock: no application waiting for materials yet, the draft.
    monkeypatch.setattr(
        "gjj.hall.withdrawal_views.selectors.member_awaiting_materials",
        _first_none(lambda: Application.objects.get(pk=draft.pk)),
    )
    monkeypatch.setattr("gjj.hall.withdrawal_views.services.application_start", lambda **kwargs: draft)
    response = client.post(DRAFT, form_data(contract_no=ZHANG_HOUSE, amount="50000.00"), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/hall/withdrawals/TQ20261127009999/materials/"
    assert Application.objects.get(pk=draft.pk).amount_fen != 5_000_000


def test_a_house_lookup_that_finds_the_draft_submitted_meanwhile_goes_to_the_upload_step(
    loaded, client, monkeypatch
):
    """查询 in the second tab: its draft was saved as a draft, then the first tab's 提交申请 committed
    before the lookup took the row's lock. Not the house's error: the member goes where it went."""
    person = login(client, ZHANG_WEI)
    client.post(HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX)
    draft = draft_of(person)
    lookup = services.application_lookup_house

    def submitted_just_before(**kwargs):
        Application.objects.filter(pk=draft.pk).update(
            state=State.AWAITING_MATERIALS, business_no="TQ20261127009998"
        )
        return lookup(**kwargs)

    monkeypatch.setattr("gjj.hall.withdrawal_views.services.application_lookup_house", submitted_just_before)
    response = client.post(
        HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/hall/withdrawals/TQ20261127009998/materials/"
    assert "不能修改" not in response.content.decode()


def _first_none(then):
    """None on the first call (the read before the lock), the application afterwards."""
    calls = []

    def read(*, person):
        calls.append(person)
        return None if len(calls) == 1 else then()

    return read


def test_a_bad_amount_is_named_and_nothing_else_is_lost(loaded, client):
    person = login(client, ZHANG_WEI)

    fragment = client.post(
        DRAFT, form_data(contract_no=ZHANG_HOUSE, bank="CCB", amount="12.345"), headers=HTMX
    ).content.decode()

    assert "提取金额“12.345”格式不正确" in fragment
    assert draft_of(person).bank == "CCB"


# --- 提交申请 -------------------------------------------------------------------------------------


def test_chen_jing_is_refused_for_the_time_window_next_to_the_house_and_in_the_summary(loaded, client):
    person = login(client, CHEN_JING)

    response = submit(client, contract_no=CHEN_HOUSE, bank="ICBC", card_no=CHEN_CARD)

    assert response.status_code == 200
    page = response.content.decode()
    reason = "该房屋购房合同备案日期为 2022-04-07，已超过 2 年"
    summary = error_summary(page)
    assert "提交失败" in summary
    assert re.search(rf'<a href="#id_contract_no">{reason}[^<]*</a>', summary)
    house_errors = re.search(r'<div id="house-errors">(.*?)</div>', page, re.S)
    assert house_errors is not None and reason in house_errors.group(1)
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="id_contract_no"[^>]*>', page, re.S).group(0)
    assert "<title>提交失败 - 购买商品住房提取" in page
    assert_nothing_unmasked(page)
    # Nothing half-saved: still the draft, without a business number.
    draft = draft_of(person)
    assert draft.business_no is None and draft.rule_results is None


def test_zhao_min_is_refused_for_her_class_two_card_then_passes_with_her_ccb_card(loaded, client):
    person = login(client, ZHAO_MIN)

    refused = submit(client, contract_no=ZHAO_HOUSE, bank="ICBC", card_no=ZHAO_CLASS_II_ICBC)

    page = refused.content.decode()
    reason = "该卡为二类账户，收款账户须为本人一类账户（一类卡）"
    summary = error_summary(page)
    assert f'<a href="#id_card_no">{reason}</a>' in summary
    feedback = re.search(r'<div id="card-feedback" aria-live="polite">(.*?)</div>', page, re.S)
    assert feedback is not None and reason in feedback.group(1)
    assert_nothing_unmasked(page)
    assert draft_of(person).state == State.DRAFT

    passed = submit(client, contract_no=ZHAO_HOUSE, bank="CCB", card_no=ZHAO_CCB)

    application = Application.objects.get(person=person)
    assert application.state == State.AWAITING_MATERIALS and application.business_no
    assert passed.status_code == 302
    assert passed["Location"] == f"/hall/withdrawals/{application.business_no}/materials/"
    assert application.amount_fen == 3_800_000  # the maximum: her whole available balance


def test_without_the_declaration_ticked_nothing_is_submitted(loaded, client):
    person = login(client, ZHANG_WEI)

    response = submit(client, contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, declaration=False)

    page = response.content.decode()
    summary = error_summary(page)
    assert '<a href="#id_declaration">请阅读并勾选“我已阅读并同意《承诺书》”</a>' in unescape(summary)
    feedback = re.search(r'<div id="declaration-feedback" aria-live="polite">(.*?)</div>', page, re.S)
    assert feedback is not None and "请阅读并勾选" in feedback.group(1)
    assert draft_of(person).declaration_accepted_at is None
    assert not Application.objects.filter(person=person).exclude(state=State.DRAFT).exists()


def test_every_problem_is_shown_at_once(loaded, client):
    login(client, ZHANG_WEI)

    response = submit(
        client, contract_no=ZHANG_HOUSE, bank="CCB", card_no="6222024013192319654", amount="abc"
    )

    summary = text_of(error_summary(response.content.decode()))
    assert "提取金额“abc”格式不正确" in summary
    assert "该卡号属于工商银行，与所选收款银行建设银行不一致" in summary


def test_an_amount_above_the_maximum_is_refused_next_to_the_amount(loaded, client):
    login(client, ZHANG_WEI)

    response = submit(client, contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, amount="90000")

    page = response.content.decode()
    assert '<a href="#id_amount">提取金额 90,000.00 元超过您的公积金账户可用余额 86,420.50 元</a>' in page
    assert 'value="90000"' in page  # the field keeps what was typed


def test_both_house_numbers_filled_is_one_too_many(loaded, client):
    login(client, ZHANG_WEI)

    response = submit(
        client, contract_no=ZHANG_HOUSE, archive_no=YANG_ARCHIVE, bank="CCB", card_no=ZHANG_CARD
    )

    assert "备案合同号和房证新档案号只需填写一项" in text_of(error_summary(response.content.decode()))


def test_a_passed_submission_goes_to_the_upload_step_and_the_form_follows_it(loaded, client):
    person = login(client, ZHANG_WEI)

    response = submit(client, contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, amount="50000")

    application = Application.objects.get(person=person)
    materials = f"/hall/withdrawals/{application.business_no}/materials/"
    assert response.status_code == 302 and response["Location"] == materials
    assert application.amount_fen == 5_000_000 and application.declaration_version
    # Opening the form again (from 【提取】, or from another channel's link) goes to the upload step.
    again = client.get(PURCHASE)
    assert again.status_code == 302 and again["Location"] == materials
    assert client.post(CARD, form_data(bank="CCB"), headers=HTMX)["HX-Redirect"] == materials


def test_every_post_needs_the_csrf_token(loaded):
    strict = Client(enforce_csrf_checks=True)
    login(strict, ZHANG_WEI)

    for path in (PURCHASE, HOUSE, CARD, DRAFT):
        assert strict.post(path, form_data(bank="CCB"), headers=HTMX).status_code == 403
    page = strict.get(PURCHASE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page
    answer = strict.post(CARD, form_data(bank="CCB"), headers={**HTMX, "X-CSRFToken": token})
    assert answer.status_code == 200
