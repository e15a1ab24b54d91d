"""核验回执 on the centre's site: the business number and the code printed on a receipt (or its QR
code) are checked against the records; the answer masks the name and tells a wrong code and an
unknown number apart from nothing."""

from __future__ import annotations

import pytest

from gjj.withdrawals.receipts import receipt_verification_code, receipt_verify_url
from tests.gjj.hall import test_applications as fixtures
from tests.gjj.hall.test_applications import awaiting_materials, submitted, text_of

loaded = fixtures.loaded
zhang = fixtures.zhang
no_auto_payout = fixtures.no_auto_payout
_media_in_tmp = fixtures._media_in_tmp
_sample_day = fixtures._sample_day

pytestmark = pytest.mark.django_db


def _page(client, **query) -> tuple[int, str]:
    response = client.get("/receipts/verify/", query)
    return response.status_code, text_of(response.content.decode())


def test_the_receipts_code_verifies_it(zhang, client, no_auto_payout, settings):
    settings.GJJ_PUBLIC_BASE_URL = "https://gjj.example.cn"
    application = submitted()
    code = receipt_verification_code(application.business_no)
    visitor = client.__class__()  # whoever holds the receipt: no login

    url = receipt_verify_url(business_no=application.business_no, code=code)
    status, text = _page(visitor, no=application.business_no, code=code.lower())

    assert url == f"https://gjj.example.cn/receipts/verify/?no={application.business_no}&code={code}"
    assert status == 200 and "回执真实有效" in text
    assert "申请人 张* " in text and "张伟" not in text
    assert "当前状态 已审批" in text and "购买商品住房提取" in text


@pytest.mark.parametrize(
    ("no", "code", "message"),
    [
        ("", "ABCDEF012345", "请填写回执上的业务流水号"),
        ("TQ2026", "ABCDEF012345", "业务流水号应为 TQ 加 14 位数字"),
        ("TQ20261127000001", "", "请填写回执上的校验码"),
        ("TQ20261127000001", "not-a-code", "校验码应为 12 位数字或字母 A–F"),
    ],
)
def test_what_cannot_be_a_receipt_is_named(client, db, no, code, message):
    status, text = _page(client, no=no, code=code)
    assert status == 400 and message in text and "回执真实有效" not in text


def test_a_wrong_code_an_unknown_number_and_an_unsubmitted_application_verify_nothing(
    zhang, client, no_auto_payout
):
    draft = awaiting_materials()  # numbered, its materials not yet sent: no receipt
    cases = [
        (draft.business_no, receipt_verification_code(draft.business_no)),
        ("TQ20261127999999", receipt_verification_code("TQ20261127999999")),
        (draft.business_no, "ABCDEF012345"),
    ]
    for no, code in cases:
        status, text = _page(client, no=no, code=code)
        assert status == 200 and "未查到与该校验码相符的回执" in text, (no, code)


def test_the_form_alone(client, db):
    status, text = _page(client)
    assert status == 200 and "核验办理回执" in text and "未查到" not in text
