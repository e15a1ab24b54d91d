"""audit_record and audit_record_request: who, from where, masked, and cut to the columns."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from gjj.audit.models import AuditAction, AuditEntry
from gjj.audit.selectors import audit_chain_check
from gjj.audit.services import audit_record, audit_record_request, request_origin

pytestmark = pytest.mark.django_db

ZHANG_ID = "210102199003071234"
CARD = "6217000010012345678"
PHONE = "13812345678"


def test_the_actor_label_is_name_and_username_or_system(chushen, django_user_model):
    assert audit_record(action=AuditAction.STAFF_LOGIN, summary="登录", actor=chushen).actor_label == (
        "张初审（chushen）"
    )
    nameless = django_user_model.objects.create_user(username="fuhe")
    assert audit_record(action=AuditAction.STAFF_LOGIN, summary="登录", actor=nameless).actor_label == "fuhe"
    system = audit_record(action=AuditAction.PAYOUT_REDRIVE, summary="重新驱动支付 TQ20261127000001")
    assert (system.actor_id, system.actor_label) == (None, "系统")
    failed = audit_record(
        action=AuditAction.STAFF_LOGIN_FAILED, summary="登录失败：密码错误", actor_label="chushen"
    )
    assert failed.actor_label == "chushen"


def test_personal_data_in_the_summary_and_details_is_masked(chushen):
    entry = audit_record(
        action=AuditAction.CASE_VIEW,
        summary=f"查看 {ZHANG_ID} 的申请，卡号 {CARD}，电话 {PHONE}",
        actor=chushen,
        details={"query": ZHANG_ID, "nested": [{"phone": PHONE}], "amount_fen": 100},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    for raw in (ZHANG_ID, CARD, PHONE):
        assert raw not in stored.summary
        assert raw not in str(stored.details)
    assert "2101**********1234" in stored.summary
    assert stored.details == {
        "query": "2101**********1234",
        "nested": [{"phone": "138****5678"}],
        "amount_fen": 100,
    }
    assert audit_chain_check() == []


def test_long_values_are_cut_to_their_columns_and_the_hash_still_holds(chushen):
    entry = audit_record(
        action=AuditAction.STATEMENT_IMPORT,
        summary="导" * 600,
        actor=chushen,
        target_type="statement",
        target_id="S" * 80,
        user_agent="U" * 400,
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (len(stored.summary), len(stored.target_id), len(stored.user_agent)) == (500, 64, 300)
    assert audit_chain_check() == []


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("10.0.0.7", "10.0.0.7"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::ffff:10.0.0.7", "::ffff:10.0.0.7"),
        ("not-an-address", None),
        ("", None),
    ],
)
def test_addresses_are_stored_as_the_database_gives_them_back(given, stored):
    entry = audit_record(action=AuditAction.STAFF_LOGIN_FAILED, summary="登录失败", ip=given)
    assert AuditEntry.objects.get(pk=entry.pk).ip == stored
    assert audit_chain_check() == []


def test_details_are_hashed_as_the_json_column_returns_them():
    import datetime as dt

    entry = audit_record(
        action=AuditAction.STATEMENT_EXPORT,
        summary="导出对账报告",
        details={"day": dt.date(2026, 11, 27), "rows": (1, 2), 3: "三"},
    )
    assert AuditEntry.objects.get(pk=entry.pk).details == {"day": "2026-11-27", "rows": [1, 2], "3": "三"}
    assert audit_chain_check() == []


def test_a_request_gives_actor_address_and_client(chushen, settings):
    settings.GJJ_TRUST_X_FORWARDED_FOR = False
    request = RequestFactory().get(
        "/backoffice/",
        REMOTE_ADDR="10.0.0.9",
        HTTP_USER_AGENT="Mozilla/5.0 Firefox",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    request.user = chushen
    entry = audit_record_request(
        request,
        action=AuditAction.CASE_VIEW,
        summary="查看提取申请 TQ20261127000001",
        target_type="application",
        target_id="TQ20261127000001",
    )
    assert (entry.actor_id, entry.actor_label) == (chushen.pk, "张初审（chushen）")
    assert (entry.ip, entry.user_agent) == ("10.0.0.9", "Mozilla/5.0 Firefox")
    assert (entry.target_type, entry.target_id) == ("application", "TQ20261127000001")


def test_x_forwarded_for_is_believed_only_when_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1")
    settings.GJJ_TRUST_X_FORWARDED_FOR = False
    assert request_origin(request)[0] == "127.0.0.1"
    settings.GJJ_TRUST_X_FORWARDED_FOR = True
    assert request_origin(request)[0] == "203.0.113.5"
    del settings.GJJ_TRUST_X_FORWARDED_FOR
    assert request_origin(request)[0] == "127.0.0.1"


def test_an_anonymous_request_records_the_given_actor_or_none(chushen):
    request = RequestFactory().post("/backoffice/login/", REMOTE_ADDR="10.0.0.9")
    request.user = AnonymousUser()
    failed = audit_record_request(
        request, action=AuditAction.STAFF_LOGIN_FAILED, summary="登录失败：密码错误"
    )
    assert (failed.actor_id, failed.actor_label, failed.user_agent) == (None, "系统", "")
    signed_in = audit_record_request(
        request, action=AuditAction.STAFF_LOGIN, summary="登录后台", actor=chushen
    )
    assert signed_in.actor_id == chushen.pk
