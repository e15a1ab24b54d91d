"""The H5 for every withdrawal reason of the registry: the home lists 购房提取, 租房提取 and 离退休提取,
``/m/withdrawals/<reason>/`` starts the draft of that reason (turning another reason's draft into
it), rent and retirement have no 房屋信息 step, rent shows its maximum (monthly limit × months),
retirement the whole balance (read-only; 销户 once paid), the materials are the reason's, and a
member who owns a house is refused 租房提取 with the owns_house reason — with the members of
data/sample-reasons.json (曹阳, 韩梅) and 张伟 of the sample, on the sample's day 2026-11-27."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from gjj.members.models import AccountStatus, FundAccount
from gjj.policy.active import active_policy
from gjj.policy.reasons import declaration_for
from gjj.withdrawals.models import Application, State
from tests.gjj.hall.test_withdrawal_form import login, text_of
from tests.gjj.withdrawals import conftest as withdrawal_fixtures
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, jpeg_bytes

loaded = withdrawal_fixtures.loaded
_media_in_tmp = withdrawal_fixtures._media_in_tmp

pytestmark = pytest.mark.django_db

HAN_MEI, HAN_CARD = "210102196503150524", "6217006362656765957"
CAO_YANG, CAO_CARD = "210104199609090351", "6222022952745110411"
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"


@pytest.fixture(autouse=True)
def _sample_day(monkeypatch):
    day = dt.date(2026, 11, 27)
    monkeypatch.setattr("gjj.withdrawals.services.today_shanghai", lambda: day)
    monkeypatch.setattr("gjj.withdrawals.form_selectors.today_shanghai", lambda: day)
    monkeypatch.setattr("gjj.applications.presenters.today_shanghai", lambda: day)


def step(reason: str, name: str) -> str:
    return f"/m/withdrawals/{reason}/{name}/"


def main_text(response) -> str:
    page = response.content.decode()
    match = re.search(r"<main.*?</main>", page, re.S)
    return text_of(match.group(0) if match else page)


def declare(client, reason: str):
    return client.post(
        step(reason, "declaration"),
        # The reason's own 承诺书, by the version the step's hidden field carries.
        {"declaration": "accepted", "declaration_version": declaration_for(active_policy(), reason).version},
        headers={"User-Agent": PHONE},
    )


def upload_every_material(client, business_no: str) -> list[str]:
    page = client.get(f"/m/withdrawals/{business_no}/materials/").content.decode()
    kinds = re.findall(r'data-kind="([a-z_]+)"', page)
    for kind in kinds:
        response = client.post(
            f"/m/withdrawals/{business_no}/materials/{kind}/",
            {"file": _jpeg_upload(kind)},
            headers={"User-Agent": PHONE},
        )
        assert response.status_code == 200, response.content
    return kinds


def _jpeg_upload(kind: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{kind}.jpg", jpeg_bytes(), content_type="image/jpeg")


# --- the home and the URLs ------------------------------------------------------------------------


def test_the_home_lists_the_reasons_of_the_registry(client):
    page = client.get("/m/").content.decode()

    reasons = re.search(r'<ul class="m-reasons".*?</ul>', page, re.S)
    assert reasons is not None
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', reasons.group(0))
    assert links == [
        ("/m/withdrawals/purchase/", "购房提取"),
        ("/m/withdrawals/rent/", "租房提取"),
        ("/m/withdrawals/retirement/", "离退休提取"),
    ]
    assert "一次提取住房公积金账户全部余额" in text_of(reasons.group(0))
    closed = re.findall(r'm-tile--closed"><span>([^<]+)</span>', page)
    assert closed == ["建造翻建大修提取", "偿还购房贷款本息提取"]


def test_a_reason_starts_its_draft_and_another_reason_turns_it(loaded_reasons, client):
    person = login(client, CAO_YANG)

    response = client.get("/m/withdrawals/rent/")
    assert response["Location"] == "/m/withdrawals/rent/notice/"
    page = client.get(step("rent", "notice"))
    assert page.status_code == 200
    assert not Application.objects.filter(person=person).exists()  # a step shown stores nothing
    assert client.post(step("rent", "notice"))["Location"] == step("rent", "person")
    draft = Application.objects.get(person=person, state=State.DRAFT)
    assert draft.reason == "rent"
    text = main_text(page)
    assert text.startswith("租房提取")
    assert "房屋信息" not in text  # no house step for rent
    assert "温馨提示 - 租房提取" in page.content.decode()
    assert "请准备身份证正面、身份证反面、银行卡" in text
    assert client.get(step("rent", "house")).status_code == 404

    client.get(step("retirement", "notice"))
    draft.refresh_from_db()
    assert draft.reason == "retirement" and Application.objects.filter(person=person).count() == 1
    client.get(step("purchase", "notice"))
    draft.refresh_from_db()
    assert draft.reason == "purchase"
    assert client.get(step("purchase", "house")).status_code == 200  # the purchase URLs as before
    assert client.get("/m/withdrawals/moving/notice/").status_code == 404


# --- 租房提取 -------------------------------------------------------------------------------------


def test_cao_yang_applies_for_rent_with_its_maximum_and_materials(loaded_reasons, client):
    person = login(client, CAO_YANG)
    assert client.post(step("rent", "notice")).status_code == 302
    assert client.post(step("rent", "person"))["Location"] == step("rent", "account")

    account = main_text(client.get(step("rent", "account")))
    assert "本次最多可提取 4,500.00 元" in account
    assert "每月 1,500.00 元 × 3 个月" in account and "上次租房提取于 2026-08-20" in account

    response = client.post(step("rent", "account"), {"bank": "ICBC", "card_no": CAO_CARD, "amount": ""})
    assert response["Location"] == step("rent", "declaration")
    draft = Application.objects.get(person=person, state=State.DRAFT)
    assert draft.amount_fen == 450_000  # blank: the maximum
    declaration = main_text(client.get(step("rent", "declaration")))
    assert "提取原因 租房提取" in declaration and "房屋坐落" not in declaration

    response = declare(client, "rent")
    application = Application.objects.get(person=person)
    assert response["Location"] == f"/m/withdrawals/{application.business_no}/materials/"
    materials = client.get(response["Location"])
    assert "影像上传 - 租房提取" in materials.content.decode()
    assert re.findall(r'data-kind="([a-z_]+)"', materials.content.decode()) == [
        "id_card_front",
        "id_card_back",
        "bank_card",
    ]


def test_a_rent_amount_over_the_limit_is_refused_on_its_step(loaded_reasons, client):
    login(client, CAO_YANG)
    client.post(step("rent", "account"), {"bank": "ICBC", "card_no": CAO_CARD, "amount": "4,500.01"})

    response = declare(client, "rent")

    assert response["Location"] == step("rent", "account")
    refused = main_text(client.get(step("rent", "account")))
    assert "提交失败" in refused
    assert "提取金额 4,500.01 元超过本次最多可提取的 4,500.00 元" in refused


def test_a_member_who_owns_a_house_is_refused_rent_with_the_owns_house_reason(loaded, client):
    login(client, ZHANG_WEI)
    client.get(step("rent", "notice"))

    response = client.post(step("rent", "person"))

    assert response.status_code == 400
    text = main_text(response)
    assert f"您名下有住房（房屋编号 {ZHANG_HOUSE}），本人及配偶均无自有住房的才能办理租房提取" in text
    assert "请先处理以下问题" in text

    # 提交申请 says the same and sends the member back to 个人基本信息.
    client.post(step("rent", "account"), {"bank": "CCB", "card_no": ZHANG_CARD, "amount": "1000"})
    response = declare(client, "rent")
    assert response["Location"] == step("rent", "person")
    refused = main_text(client.get(response["Location"]))
    assert "提交失败" in refused and f"您名下有住房（房屋编号 {ZHANG_HOUSE}）" in refused


# --- 离退休提取 -----------------------------------------------------------------------------------


def test_han_mei_withdraws_the_whole_balance_read_only(loaded_reasons, client):
    person = login(client, HAN_MEI)
    assert client.post(step("retirement", "person"))["Location"] == step("retirement", "account")

    page = client.get(step("retirement", "account")).content.decode()
    assert 'name="amount"' not in page  # not typed
    text = main_text(client.get(step("retirement", "account")))
    assert "提取金额 156,300.25 元 （全部余额）" in text
    assert "离退休提取一次提取全部余额，到账后销户" in text

    # Whatever is posted as an amount, the whole balance is kept.
    response = client.post(
        step("retirement", "account"), {"bank": "CCB", "card_no": HAN_CARD, "amount": "100.00"}
    )
    assert response["Location"] == step("retirement", "declaration")
    draft = Application.objects.get(person=person, state=State.DRAFT)
    assert draft.amount_fen == 15_630_025
    assert "156,300.25 元（全部余额，到账后销户）" in main_text(client.get(step("retirement", "declaration")))

    response = declare(client, "retirement")
    application = Application.objects.get(person=person)
    kinds = upload_every_material(client, application.business_no)
    assert kinds == ["id_card_front", "id_card_back", "retirement_certificate", "bank_card"]
    assert "退休证明" in main_text(client.get(response["Location"]))
    response = client.post(f"/m/withdrawals/{application.business_no}/submit/", headers={"User-Agent": PHONE})
    result = main_text(client.get(response["Location"]))
    assert "提交成功" in result and "提取原因 离退休提取" in result

    listing = main_text(client.get("/m/applications/"))
    assert f"离退休提取 {application.business_no}" in listing
    detail = main_text(client.get(f"/m/applications/{application.business_no}/"))
    assert "离退休提取" in detail and "与购房人关系" not in detail and "房屋坐落" not in detail


def test_the_account_page_says_a_closed_account_is_closed(loaded_reasons, client):
    login(client, HAN_MEI)
    FundAccount.objects.filter(person__id_number=HAN_MEI).update(status=AccountStatus.CLOSED, balance_fen=0)

    text = main_text(client.get("/m/account/"))

    assert "账户状态 销户" in text and "您的个人账户已销户" in text


def test_a_draft_of_rent_continues_from_my_applications(loaded_reasons, client):
    login(client, CAO_YANG)
    client.post(step("rent", "account"), {"bank": "ICBC", "card_no": CAO_CARD, "amount": ""})

    page = client.get("/m/applications/").content.decode()

    assert '<a href="/m/withdrawals/rent/">租房提取（草稿）' in page
