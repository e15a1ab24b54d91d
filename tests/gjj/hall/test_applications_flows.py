"""我的业务 flows that change an application: 退回补正 → 修改并重新提交 → 影像上传 → 提交申请, and
支付失败 → 更换收款银行卡 → approved again."""

from __future__ import annotations

import re

import pytest

from gjj.members.models import FundAccount, Person
from gjj.withdrawals import payouts, services
from gjj.withdrawals.models import Application, PayoutState, State
from tests.gjj.hall import test_applications as fixtures
from tests.gjj.hall.test_applications import submitted, text_of
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_WEI, jpeg_bytes

loaded = fixtures.loaded
reviewers = fixtures.reviewers
zhang = fixtures.zhang
no_auto_payout = fixtures.no_auto_payout
no_instant_approval = fixtures.no_instant_approval
_media_in_tmp = fixtures._media_in_tmp
_sample_day = fixtures._sample_day

pytestmark = pytest.mark.django_db

OTHER_CARD = "6217009999000000016"  # 张伟's second CCB class-I card, added by the test


@pytest.fixture
def returned(zhang, no_instant_approval, no_auto_payout, reviewers) -> Application:
    application = submitted()
    assert application.state == State.SUBMITTED
    first, _ = reviewers
    services.application_claim(application=application, reviewer=first)
    return services.application_return(
        application=application,
        reviewer=first,
        what_to_fix=["purchase_invoice", "amount"],
        reason="购房发票不清晰；提取金额请按发票金额填写",
    )


def _upload(
    client, application: Application, kind: str, name: str = "invoice.jpg", data: bytes | None = None
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/hall/applications/{application.business_no}/materials/",
        {
            "kind": kind,
            "file": SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), "image/jpeg"),
        },
    )


def test_a_returned_application_says_what_to_fix(returned, client):
    page = client.get(f"/hall/applications/{returned.business_no}/").content.decode()

    section = re.search(
        r'<section class="panel panel--attention" aria-labelledby="returned-title">(.*?)</section>',
        page,
        re.S,
    )
    assert section is not None
    text = text_of(section.group(1))
    assert "退回补正" in text
    assert "审核意见 购房发票不清晰；提取金额请按发票金额填写" in text
    assert "购房发票（需重新上传）" in text and "提取金额" in text
    assert (
        f'<a class="button button--primary" href="/hall/applications/{returned.business_no}/resubmit/">修改并重新提交</a>'
        in section.group(1)
    )
    assert "撤回申请</a>" in page  # a returned application may still be withdrawn


def test_returned_fixed_and_resubmitted_ends_submitted(returned, client):
    base = f"/hall/applications/{returned.business_no}/"
    form = client.get(f"{base}resubmit/").content.decode()
    assert "<h1>修改并重新提交</h1>" in form
    for label in ("收款银行", "银行卡号码", "提取金额（元）", "我已阅读并同意《承诺书》"):
        assert re.search(rf'<label[^>]*for="field-[a-z_]+"[^>]*>{re.escape(label)}</label>', form), label
    assert 'value="86420.50"' in form and f'value="{ZHANG_CARD}"' in form
    assert ">重新提交</button>" in form

    response = client.post(
        f"{base}resubmit/",
        {"bank": "CCB", "card_no": ZHANG_CARD, "amount": "80000.00", "declaration": "accepted"},
    )

    assert response.status_code == 302 and response["Location"] == f"{base}materials/"
    returned.refresh_from_db()
    assert returned.state == State.AWAITING_MATERIALS and returned.amount_fen == 8_000_000

    materials = client.get(f"{base}materials/").content.decode()
    assert "<h1>影像上传</h1>" in materials
    assert "已重新提交，全部条件核验通过" in materials
    invoice = re.search(
        r'<li class="material material--fix" id="material-purchase_invoice">(.*?)</li>', materials, re.S
    )
    assert invoice is not None and "需重新上传" in invoice.group(1)
    assert (
        '<label class="field__label" for="file-purchase_invoice">选择购房发票文件</label>' in invoice.group(1)
    )
    assert materials.count('<li class="material material--fix"') == 1

    # 提交申请 before the invoice is replaced: refused, nothing changes.
    early = client.post(f"{base}submit/")
    assert early.status_code == 422
    assert "请重新上传需补正的材料：购房发票" in early.content.decode()
    returned.refresh_from_db()
    assert returned.state == State.AWAITING_MATERIALS

    # A file that is not an image or PDF is refused with the server's message.
    bad = _upload(client, returned, "purchase_invoice", name="invoice.txt", data=b"not an image")
    assert bad.status_code == 422
    assert "不是 JPG、PNG 或 PDF 格式" in bad.content.decode()

    uploaded = _upload(client, returned, "purchase_invoice")
    assert uploaded.status_code == 302
    after = client.get(f"{base}materials/").content.decode()
    assert "购房发票已上传。" in after and "已重新上传" in after and "material--fix" not in after

    done = client.post(f"{base}submit/")

    assert done.status_code == 302 and done["Location"] == base
    returned.refresh_from_db()
    assert returned.state == State.SUBMITTED and not returned.instant_approved
    page = client.get(base).content.decode()
    assert f"提交成功。业务流水号 {returned.business_no}，当前状态：已提交。" in page
    assert "补正后重新提交，全部条件核验通过" in page
    assert [t.to_state for t in returned.transitions.order_by("at", "id")] == [
        State.AWAITING_MATERIALS,
        State.SUBMITTED,
        State.UNDER_REVIEW,
        State.RETURNED,
        State.AWAITING_MATERIALS,
        State.SUBMITTED,
    ]


def test_resubmit_shows_every_problem_next_to_its_field(returned, client):
    base = f"/hall/applications/{returned.business_no}/"

    response = client.post(f"{base}resubmit/", {"bank": "", "card_no": "", "amount": "12.345"})

    assert response.status_code == 422
    page = response.content.decode()
    assert '<h2 id="error-summary-title">提交失败</h2>' in page
    for field, message in [
        ("bank", "请选择收款银行"),
        ("card_no", "请填写银行卡号码"),
        ("amount", "提取金额“12.345”格式不正确"),
        ("declaration", "请阅读并勾选“我已阅读并同意《承诺书》”"),
    ]:
        assert re.search(rf'<a href="#field-{field}">{re.escape(message)}', page), field
        assert re.search(
            rf'<p class="field__error" id="field-{field}-error-1">.*?{re.escape(message)}', page
        ), field
    assert 'aria-invalid="true"' in page
    returned.refresh_from_db()
    assert returned.state == State.RETURNED


def test_resubmit_runs_the_rules_again(returned, client):
    base = f"/hall/applications/{returned.business_no}/"

    response = client.post(
        f"{base}resubmit/",
        {"bank": "ICBC", "card_no": ZHANG_CARD, "amount": "999999.00", "declaration": "accepted"},
    )

    assert response.status_code == 422
    page = response.content.decode()
    amount_error = re.search(r'<p class="field__error" id="field-amount-error-1">(.*?)</p>', page, re.S)
    card_error = re.search(r'<p class="field__error" id="field-card_no-error-1">(.*?)</p>', page, re.S)
    assert amount_error is not None and "可用余额" in amount_error.group(1)
    assert card_error is not None and "工商银行" in card_error.group(1)
    returned.refresh_from_db()
    assert returned.state == State.RETURNED


def test_resubmit_is_only_for_a_returned_application(zhang, client, no_auto_payout):
    application = submitted()  # approved at once

    response = client.get(f"/hall/applications/{application.business_no}/resubmit/")

    assert response.status_code == 302
    assert response["Location"] == f"/hall/applications/{application.business_no}/"


# --- 支付失败 → 更换收款银行卡 ----------------------------------------------------------------------------


@pytest.fixture
def payout_failed(zhang, no_auto_payout, sims) -> Application:
    application = submitted()
    assert application.state == State.APPROVED
    # The bank refuses: the card was frozen after approval. 张伟 has another class-I card.
    sims.load_dataset(
        {
            "format": "gjj-dataset/1",
            "as_of": "2026-11-27",
            "employers": [],
            "people": [],
            "accounts": [],
            "loans": [],
            "houses": [],
            "prior_withdrawals": [],
            "bank_accounts": [
                {
                    "card_no": ZHANG_CARD,
                    "bank": "CCB",
                    "holder_id_number": ZHANG_WEI,
                    "holder_name": "张伟",
                    "account_class": 1,
                    "status": "frozen",
                },
                {
                    "card_no": OTHER_CARD,
                    "bank": "CCB",
                    "holder_id_number": ZHANG_WEI,
                    "holder_name": "张伟",
                    "account_class": 1,
                    "status": "normal",
                },
            ],
            "gov_users": [],
        }
    )
    payout = payouts.payout_execute(payout_id=application.payouts.get().pk)
    assert payout.state == PayoutState.FAILED
    application.refresh_from_db()
    assert application.state == State.PAYOUT_FAILED
    return application


def test_payout_failed_shows_the_banks_reason(payout_failed, client):
    payout = payout_failed.payouts.get()

    page = client.get(f"/hall/applications/{payout_failed.business_no}/").content.decode()

    section = re.search(r'aria-labelledby="payout-failed-title">(.*?)</section>', page, re.S)
    assert section is not None
    assert payout.bank_message and payout.bank_message in section.group(1)
    assert f'href="/hall/applications/{payout_failed.business_no}/card/">更换收款银行卡</a>' in section.group(
        1
    )
    assert "撤回申请</a>" not in page


def test_payout_failed_change_card_then_approved(payout_failed, client):
    base = f"/hall/applications/{payout_failed.business_no}/"
    form = client.get(f"{base}card/").content.decode()
    assert "<h1>更换收款银行卡</h1>" in form
    assert '<label class="field__label" for="field-bank">收款银行</label>' in form
    assert '<label class="field__label" for="field-card_no">银行卡号码</label>' in form
    assert ">确认更换并重新支付</button>" in form
    assert ZHANG_CARD not in form and "6217 **** **** 1799" in form

    # The same frozen card again: the bank's card_status reason next to the card field.
    refused = client.post(f"{base}card/", {"bank": "CCB", "card_no": ZHANG_CARD})
    assert refused.status_code == 422
    card_error = re.search(
        r'<p class="field__error" id="field-card_no-error-1">(.*?)</p>', refused.content.decode(), re.S
    )
    assert card_error is not None and "冻结" in card_error.group(1)
    payout_failed.refresh_from_db()
    assert payout_failed.state == State.PAYOUT_FAILED

    response = client.post(f"{base}card/", {"bank": "CCB", "card_no": OTHER_CARD})

    assert response.status_code == 302 and response["Location"] == base
    payout_failed.refresh_from_db()
    assert payout_failed.state == State.APPROVED and payout_failed.card_no == OTHER_CARD
    second = payout_failed.payouts.exclude(state=PayoutState.FAILED).get()
    assert second.card_no == OTHER_CARD
    assert FundAccount.objects.get(person__id_number=ZHANG_WEI).frozen_fen == payout_failed.amount_fen
    page = client.get(base).content.decode()
    assert "已更换收款银行卡，中心将向新的银行卡重新支付。" in page
    assert "支付失败 → 已审批" in text_of(page)
    assert "6217 **** **** 0016" in page and OTHER_CARD not in page


def test_change_card_is_only_after_a_failed_payout(zhang, client, no_auto_payout):
    application = submitted()

    response = client.post(
        f"/hall/applications/{application.business_no}/card/", {"bank": "CCB", "card_no": ZHANG_CARD}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.APPROVED
    assert Person.objects.filter(id_number=ZHANG_WEI).exists()
