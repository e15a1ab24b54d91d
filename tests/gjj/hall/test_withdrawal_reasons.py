"""【提取】 from the registry of reasons, and the desktop forms of the reasons without a house:
租房提取 (the maximum from monthly limit × months since the last rent withdrawal, which the member may
lower) and 离退休提取 (the whole balance, shown read-only; the account closed when paid) — their
labels, refusals in the error summary, materials, result, 我的业务 and the detail, named by the
reason and never 购房提取. Against the live simulators, with the sample and the other reasons'
sample (韩梅, 曹阳)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from gjj.members.models import AccountStatus, FundAccount
from gjj.policy.active import active_policy
from gjj.policy.reasons import declaration_for
from gjj.withdrawals.models import Application, State
from tests.gjj.hall import test_withdrawal_form as form
from tests.gjj.hall.test_withdrawal_form import HTMX, draft_of, error_summary, login, text_of
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, jpeg_bytes
from tests.gjj.withdrawals.test_evaluate_reasons import CAO_YANG, HAN_MEI

_media_in_tmp = form._media_in_tmp
loaded = form.loaded

pytestmark = pytest.mark.django_db

KINDS = "/hall/withdrawals/"
RENT = "/hall/withdrawals/rent/"
RETIREMENT = "/hall/withdrawals/retirement/"
CAO_ID, CAO_BANK, CAO_CARD = CAO_YANG
HAN_ID, HAN_BANK, HAN_CARD = HAN_MEI
DAY = dt.date(2026, 11, 27)  # the samples' day: 曹阳's last rent payment (2026-08-20) is 3 months back


@pytest.fixture(autouse=True)
def _sample_day(monkeypatch):
    for where in (
        "gjj.withdrawals.services.today_shanghai",
        "gjj.withdrawals.form_selectors.today_shanghai",
        "gjj.applications.presenters.today_shanghai",
    ):
        monkeypatch.setattr(where, lambda: DAY)


def posted(
    reason: str,
    *,
    bank: str = "",
    card_no: str = "",
    amount: str | None = None,
    declaration: bool = True,
):
    """The form of ``reason`` as posted, with its own 承诺书's version (as the page's hidden field)."""
    data = {
        "bank": bank,
        "card_no": card_no,
        "declaration_version": declaration_for(active_policy(), reason).version,
        "action": "submit",
    }
    if amount is not None:
        data["amount"] = amount
    if declaration:
        data["declaration"] = "accepted"
    return data


def labelled(page: str, control_id: str, label: str) -> bool:
    return f'<label for="{control_id}">{label}</label>' in page and f'id="{control_id}"' in page


def no_purchase_words(page: str) -> None:
    text = text_of(page)
    for words in ("购房提取", "购买商品住房", "备案合同号", "房证新档案号", "与购房人关系", "房屋坐落"):
        assert words not in text, f"{words} on a page of another reason"


def upload_all(client: Client, application: Application) -> list[str]:
    """Every material of the dialog's rows, as the member uploads them; the kinds uploaded."""
    page = client.get(f"/hall/withdrawals/{application.business_no}/materials/").content.decode()
    kinds = re.findall(r'<li class="material[^"]*" id="material-([a-z_]+)">', page)
    for kind in kinds:
        response = client.post(
            f"/hall/withdrawals/{application.business_no}/materials/{kind}/",
            {"file": form_file()},
        )
        assert response.status_code == 302, response.content.decode()[:1000]
    return kinds


def form_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", jpeg_bytes(), "image/jpeg")


def final_submit_and_pay(client: Client, application: Application, capture) -> str:
    """The dialog's 提交申请 (秒批), then the payout the approval enqueued: the result page."""
    with capture(execute=False) as callbacks:
        response = client.post(f"/hall/withdrawals/{application.business_no}/submit/")
    assert response.status_code == 302, response.content.decode()[:1000]
    for callback in callbacks:
        callback()
    application.refresh_from_db()
    assert application.state == State.PAID, application.state
    return client.get(response["Location"]).content.decode()


# --- 【提取】 -----------------------------------------------------------------------------------------


def test_the_list_has_the_registrys_reasons_open_and_the_others_not_yet(loaded_reasons, client):
    login(client, CAO_ID)

    page = client.get(KINDS).content.decode()

    items = re.findall(r'<li class="kind( kind--closed)?">(.*?)</li>', page, re.S)
    names = [re.search(r'<h2 class="kind__name">(.*?)</h2>', body).group(1) for _, body in items]
    assert names == [
        "购买商品住房提取",
        "租房提取",
        "离退休提取",
        "建造翻建大修自住住房提取",
        "偿还购房贷款本息提取",
    ]
    for (closed, body), url in zip(
        items, ("/hall/withdrawals/purchase/", RENT, RETIREMENT, None, None), strict=True
    ):
        if url:
            assert not closed and f'<a class="button button--primary" href="{url}">立即办理' in body
            assert "暂未开放" not in body
        else:
            assert closed and "暂未开放" in body and "<a " not in body
    text = text_of(page)
    assert "本人及配偶均无自有住房、租房自住的，可按月度限额提取住房公积金支付房租。" in text
    assert "职工离休、退休的，可一次提取住房公积金账户全部余额，到账后个人账户销户。" in text


def test_the_reason_forms_need_a_member(client):
    for path in (RENT, RETIREMENT):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/hall/?next=")


# --- 租房提取 ------------------------------------------------------------------------------------------


def test_the_rent_form_has_the_seeds_labels_and_shows_the_maximum(loaded_reasons, client):
    person = login(client, CAO_ID)

    response = client.get(RENT)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>租房提取 - " in page and "<h1>租房提取</h1>" in page
    assert re.search(r'<nav class="breadcrumb" aria-label="当前位置">.*?租房提取</li>', page, re.S)
    for control_id, label in (
        ("id_bank", "收款银行"),
        ("id_card_no", "银行卡号码"),
        ("id_amount", "提取金额"),
        ("id_declaration", "我已阅读并同意《承诺书》"),
    ):
        assert labelled(page, control_id, label), label
    assert "<legend" in page and "承诺书</legend>" in page and ">提交申请</button>" in page
    assert 'id="id_contract_no"' not in page and 'id="id_archive_no"' not in page
    # The maximum next to 提取金额, filled in: 1,500.00 元 × 3 months since 2026-08-20.
    text = text_of(page)
    assert "本次最多可提取 4,500.00 元 ，已为您填入，可以改小。" in text
    assert "每月限额 1,500.00 元 × 3 个月 = 4,500.00 元" in text
    assert "您上次租房提取于 2026-08-20 支付" in text
    assert re.search(r'id="id_amount" name="amount"[^>]*value="4500.00"', page)
    # The htmx helpers keep the draft a rent one.
    assert (
        'hx-post="/hall/withdrawals/rent/card/"' in page and 'hx-post="/hall/withdrawals/rent/draft/"' in page
    )
    # Opening the form stores nothing: the draft is created when the member first saves.
    assert not Application.objects.filter(person=person).exists()
    no_purchase_words(page)


def test_cao_yang_applies_for_rent_and_is_paid(loaded_reasons, client, django_capture_on_commit_callbacks):
    person = login(client, CAO_ID)
    client.get(RENT)

    response = client.post(RENT, posted("rent", bank=CAO_BANK, card_no=CAO_CARD, amount="4500.00"))

    assert response.status_code == 302, error_summary(response.content.decode())
    application = Application.objects.get(person=person, state=State.AWAITING_MATERIALS)
    assert (application.reason, application.amount_fen) == ("rent", 450_000)
    assert response["Location"] == f"/hall/withdrawals/{application.business_no}/materials/"
    materials = client.get(response["Location"]).content.decode()
    assert "<title>影像上传 - 租房提取 - " in materials and "<h1>租房提取</h1>" in materials
    no_purchase_words(materials)
    assert upload_all(client, application) == ["id_card_front", "id_card_back", "bank_card"]

    result = final_submit_and_pay(client, application, django_capture_on_commit_callbacks)

    text = text_of(result)
    assert "提交成功" in text and "提取原因 租房提取" in text and "已到账" in text
    assert "4,500.00 元已转入您在工商银行的银行卡" in text
    no_purchase_words(result)
    listing = text_of(client.get("/hall/applications/").content.decode())
    assert f"{application.business_no} 租房提取 4,500.00 元 已到账" in listing
    detail = client.get(f"/hall/applications/{application.business_no}/").content.decode()
    assert "提取原因</dt><dd>租房提取</dd>" in detail
    assert "已销户" not in detail
    no_purchase_words(detail)


def test_the_member_may_lower_the_rent_amount_but_not_raise_it(loaded_reasons, client):
    person = login(client, CAO_ID)

    too_much = client.post(RENT, posted("rent", bank=CAO_BANK, card_no=CAO_CARD, amount="4500.01"))

    assert too_much.status_code == 200
    page = too_much.content.decode()
    summary = error_summary(page)
    assert '<a href="#id_amount">提取金额 4,500.01 元超过本次最多可提取的 4,500.00 元' in summary
    assert re.search(r'id="id_amount" name="amount"[^>]*value="4500.01"[^>]*aria-invalid="true"', page, re.S)
    assert draft_of(person).reason == "rent"

    lowered = client.post(RENT, posted("rent", bank=CAO_BANK, card_no=CAO_CARD, amount="3,000元"))

    assert lowered.status_code == 302
    assert Application.objects.get(person=person, state=State.AWAITING_MATERIALS).amount_fen == 300_000


def test_a_house_owner_is_refused_rent_in_the_error_summary(loaded_reasons, client):
    # 张伟 is a buyer of SY202605180001234 in the sample.
    person = login(client, ZHANG_WEI)

    response = client.post(RENT, posted("rent", bank="CCB", card_no=ZHANG_CARD))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>提交失败 - 租房提取 - " in page
    summary = error_summary(page)
    refusal = f"<li>您名下有住房（房屋编号 {ZHANG_HOUSE}），本人及配偶均无自有住房的才能办理租房提取</li>"
    assert refusal in summary  # not tied to a field: in the summary, without a link
    assert not Application.objects.filter(person=person).exclude(state=State.DRAFT).exists()
    assert draft_of(person).reason == "rent"
    no_purchase_words(page)


def test_the_card_check_and_the_draft_keep_a_rent_draft(loaded_reasons, client):
    person = login(client, CAO_ID)
    client.get(RENT)

    card = client.post(f"{RENT}card/", {"bank": CAO_BANK, "card_no": CAO_CARD}, headers=HTMX)
    amount = client.post(f"{RENT}draft/", {"amount": "1200"}, headers=HTMX)

    assert card.status_code == 200 and "发卡行为工商银行" in card.content.decode()
    assert amount.status_code == 200 and "草稿已自动保存" in amount.content.decode()
    draft = draft_of(person)
    assert (draft.reason, draft.bank, draft.card_no, draft.amount_fen) == ("rent", "ICBC", CAO_CARD, 120_000)
    # Without JavaScript the helper goes back to the rent form.
    assert client.post(f"{RENT}card/", {"bank": CAO_BANK})["Location"] == RENT
    page = client.get(RENT).content.decode()
    assert re.search(r'id="id_amount" name="amount"[^>]*value="1200.00"', page)


def test_opening_another_reason_turns_the_draft_and_says_so(loaded, client):
    person = login(client, ZHANG_WEI)
    client.post(
        form.HOUSE, {**form.form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX
    )
    client.post(form.CARD, {"bank": "CCB", "card_no": ZHANG_CARD}, headers=HTMX)
    assert draft_of(person).house_key == ZHANG_HOUSE

    page = client.get(RENT).content.decode()

    text = text_of(page)
    assert (
        "您之前填写的购买商品住房提取草稿已改为租房提取：原草稿中的房屋信息和提取金额已清除，已填写的收款银行卡保留。"
        in text
    )
    draft = draft_of(person)
    assert (draft.reason, draft.house_key, draft.card_no) == ("rent", "", ZHANG_CARD)
    assert "已改为" not in text_of(client.get(RENT).content.decode())  # said once
    # 【提取】 and 我的业务 continue the draft on its reason's form.
    kinds = text_of(client.get(KINDS).content.decode())
    assert "您有一份未提交的租房提取草稿， 继续填写草稿 。" in kinds
    assert '<a href="/hall/withdrawals/rent/">继续填写草稿</a>' in client.get(KINDS).content.decode()
    listing = client.get("/hall/applications/").content.decode()
    assert (
        '<a href="/hall/withdrawals/rent/">继续办理<span class="visually-hidden">租房提取</span></a>'
        in listing
    )


# --- 离退休提取 ----------------------------------------------------------------------------------------


def test_the_retirement_form_shows_the_whole_balance_read_only(loaded_reasons, client):
    login(client, HAN_ID)

    response = client.get(RETIREMENT)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>离退休提取 - " in page and "<h1>离退休提取</h1>" in page
    for control_id, label in (
        ("id_bank", "收款银行"),
        ("id_card_no", "银行卡号码"),
        ("id_amount", "提取金额"),
    ):
        assert labelled(page, control_id, label), label
    amount = re.search(r'<input[^>]*id="id_amount"[^>]*>', page, re.S).group(0)
    assert 'value="156300.25"' in amount and "readonly" in amount and "name=" not in amount
    text = text_of(page)
    assert "一次提取全部余额，到账后个人账户销户。" in text
    assert "账户状态 封存" in text
    no_purchase_words(page)


def test_han_mei_retires_is_paid_and_her_account_is_closed(
    loaded_reasons, client, django_capture_on_commit_callbacks
):
    person = login(client, HAN_ID)

    # A typed amount is not read: the whole balance is withdrawn.
    response = client.post(RETIREMENT, posted("retirement", bank=HAN_BANK, card_no=HAN_CARD, amount="100.00"))

    assert response.status_code == 302, error_summary(response.content.decode())
    application = Application.objects.get(person=person, state=State.AWAITING_MATERIALS)
    assert (application.reason, application.amount_fen) == ("retirement", 15_630_025)
    materials = client.get(response["Location"]).content.decode()
    assert "退休证明" in materials and "全部余额，到账后个人账户销户" in text_of(materials)
    no_purchase_words(materials)
    assert upload_all(client, application) == [
        "id_card_front",
        "id_card_back",
        "retirement_certificate",
        "bank_card",
    ]

    result = final_submit_and_pay(client, application, django_capture_on_commit_callbacks)

    text = text_of(result)
    assert "提取原因 离退休提取" in text and "156,300.25 元（全部余额）" in text
    assert "已到账" in text and "您的住房公积金个人账户已销户。" in text
    no_purchase_words(result)
    assert FundAccount.objects.get(person=person).status == AccountStatus.CLOSED
    detail = text_of(client.get(f"/hall/applications/{application.business_no}/").content.decode())
    assert "提取原因 离退休提取" in detail and "账户状态 已销户" in detail
    no_purchase_words(detail)
    account = text_of(client.get("/hall/account/").content.decode())
    assert "账户状态 销户" in account


def test_a_member_not_retired_is_told_in_the_summary(loaded_reasons, client):
    login(client, CAO_ID)

    page = client.post(RETIREMENT, posted("retirement", bank=CAO_BANK, card_no=CAO_CARD)).content.decode()

    summary = error_summary(page)
    assert "<li>未查询到您的退休信息（社保退休数据），不符合离退休提取条件</li>" in summary
    no_purchase_words(page)


def test_a_form_not_yet_complete_says_every_problem_at_once(loaded_reasons, client):
    login(client, HAN_ID)

    page = client.post(
        RETIREMENT, posted("retirement", bank="", card_no="", declaration=False)
    ).content.decode()

    summary = error_summary(page)
    assert "请修改" in summary or "提交失败" in summary
    assert '<a href="#id_declaration">请阅读并勾选“我已阅读并同意《承诺书》”</a>' in summary
    assert '<a href="#id_bank">' in summary


def test_a_returned_retirement_is_corrected_with_the_whole_balance_read_only(
    loaded_reasons, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from django.contrib.auth import get_user_model

    from gjj.staff.roles import StaffRole
    from gjj.staff.services import staff_role_grant
    from gjj.withdrawals import services

    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        Path(active_policy().source)
        .read_text(encoding="utf-8")
        .replace("instant_approval = true", "instant_approval = false"),
        encoding="utf-8",
    )
    settings.GJJ_POLICY_FILE = str(policy_file)
    person = login(client, HAN_ID)
    client.post(RETIREMENT, posted("retirement", bank=HAN_BANK, card_no=HAN_CARD))
    application = Application.objects.get(person=person, state=State.AWAITING_MATERIALS)
    upload_all(client, application)
    client.post(f"/hall/withdrawals/{application.business_no}/submit/")
    reviewer = get_user_model().objects.create_user(username="chushen", first_name="初审员", is_staff=True)
    staff_role_grant(user=reviewer, role=StaffRole.FIRST_REVIEWER)
    application.refresh_from_db()
    services.application_claim(application=application, reviewer=reviewer)
    services.application_return(
        application=application,
        reviewer=reviewer,
        what_to_fix=["retirement_certificate"],
        reason="退休证明不清晰，请重新拍摄上传",
    )
    url = f"/hall/applications/{application.business_no}/resubmit/"

    page = client.get(url).content.decode()

    field = re.search(r'<input[^>]*id="field-amount"[^>]*>', page).group(0)
    assert 'value="156300.25"' in field and "readonly" in field
    text = text_of(page)
    assert "离退休提取须一次提取全部余额，金额不能修改；到账后个人账户销户。" in text
    assert "房屋信息：" not in text
    detail = text_of(client.get(f"/hall/applications/{application.business_no}/").content.decode())
    assert "退回补正" in detail and "退休证明" in detail
    no_purchase_words(client.get(f"/hall/applications/{application.business_no}/").content.decode())

    response = client.post(
        url, {"bank": HAN_BANK, "card_no": HAN_CARD, "amount": "156300.25", "declaration": "accepted"}
    )

    assert response.status_code == 302, text_of(response.content.decode())[:1500]
    application.refresh_from_db()
    assert application.state == State.AWAITING_MATERIALS


def test_the_rent_maximum_is_said_plainly_in_the_elder_mode(loaded_reasons, client):
    from tests.gjj.preferences.support import is_elder, switch

    login(client, CAO_ID)
    switch(client, "elder", next_path=RENT)

    page = client.get(RENT).content.decode()

    assert is_elder(page)
    text = text_of(page)
    assert "最多能取 4,500.00 元 ，已帮您填好，也可以改少。" in text
    assert "每月最多 1,500.00 元，上次租房提取是 2026-08-20，这次算 3 个月。" in text
    assert "计算方法" not in text
