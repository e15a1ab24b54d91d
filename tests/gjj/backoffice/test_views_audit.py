"""审计's pages: searching the log by text, action, actor, target and dates (the search recorded too),
the CSV export (recorded), and ``gjj audit-check`` over the entries the staff flows left — intact, then
with one row deleted behind the application's back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from gjj.audit.models import AuditAction, AuditEntry
from gjj.audit.selectors import CSV_HEADER, audit_search
from gjj.core.timeutil import today_shanghai
from gjj.staff.roles import StaffRole
from tests.gjj.audit.conftest import as_dba
from tests.gjj.withdrawals.conftest import (  # noqa: F401
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    _media_in_tmp,
    _sample_day,
    loaded,
)
from tests.gjj.withdrawals.test_review import _submitted, no_instant_approval  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

AUDITOR_IP = "10.20.30.43"
REVIEWER_IP = "10.20.30.44"
ROW = re.compile(
    r'<tr><td class="num">(\d+)</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>\s*<td>([^<]*)</td>'
)


@pytest.fixture
def flows(loaded, no_instant_approval, staff, sign_in) -> str:  # noqa: F811
    """A 初审 reviewer opens a case and two of its materials through the pages: the log's content.
    (The decisions' own entries are asserted in test_views_review.)"""
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    number = application.business_no
    assert number
    reviewer = Client(REMOTE_ADDR=REVIEWER_IP)
    sign_in(reviewer, staff[StaffRole.FIRST_REVIEWER])
    assert reviewer.get(f"/backoffice/cases/{number}/").status_code == 200
    for kind in ("id_card_front", "purchase_contract"):
        material = application.materials.get(kind=kind, is_current=True)
        assert reviewer.get(f"/backoffice/cases/{number}/materials/{material.pk}/").status_code == 200
    return number


@pytest.fixture
def auditor(staff, sign_in) -> Client:
    client = Client(REMOTE_ADDR=AUDITOR_IP)
    sign_in(client, staff[StaffRole.AUDITOR])
    return client


def _shown(client: Client, query: str) -> list[tuple[int, str, str, str]]:
    """(seq, actor, action label, target) of each row the search page shows."""
    response = client.get(f"/backoffice/audit/{query}")
    assert response.status_code == 200
    return [
        (int(seq), actor, action, target)
        for seq, actor, action, target in ROW.findall(response.content.decode())
    ]


def _seqs(rows: list[tuple[int, str, str, str]]) -> list[int]:
    return [row[0] for row in rows]


def test_search_filters_by_text_action_actor_target_and_dates(flows, auditor):
    number = flows
    about_case = list(
        AuditEntry.objects.filter(target_id__startswith=number).order_by("-seq").values_list("seq", flat=True)
    )
    assert len(about_case) == 3  # the case and two of its materials

    assert _seqs(_shown(auditor, f"?target={number}")) == about_case
    # Exact results of a text search: see test_a_text_search_shows_the_log_as_it_was_when_searched.
    by_text = _shown(auditor, f"?text={number}")
    # Earlier searches for the number are entries too (their summaries name it).
    assert by_text and all(number in row[3] or row[2] == "查询审计日志" for row in by_text)
    assert "登录" not in {row[2] for row in by_text}

    views = _shown(auditor, "?action=case_view")
    assert [(row[1], row[2], row[3]) for row in views] == [("张初审（first_reviewer）", "查看申请", number)]
    materials = _shown(auditor, "?action=material_view")
    assert [row[2] for row in materials] == ["查看材料", "查看材料"]
    assert all(row[3].startswith(f"{number}/") for row in materials)

    by_actor = _shown(auditor, "?actor=first_reviewer")
    assert by_actor and {row[1] for row in by_actor} == {"张初审（first_reviewer）"}
    assert [row[2] for row in by_actor] == ["查看材料", "查看材料", "查看申请", "登录"]
    assert _shown(auditor, "?actor=nobody") == []
    assert _seqs(_shown(auditor, "?actor=张初审&action=case_view")) == [
        AuditEntry.objects.get(action=AuditAction.CASE_VIEW).seq
    ]

    today = today_shanghai()
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)
    assert _shown(auditor, f"?target={number}&date_from={today}&date_to={today}") != []
    assert _seqs(_shown(auditor, f"?target={number}&date_from={today}&date_to={today}")) == about_case
    assert _shown(auditor, f"?target={number}&date_from={tomorrow}") == []
    assert _shown(auditor, f"?target={number}&date_to={yesterday}") == []


def test_a_bad_date_is_named(flows, auditor):
    response = auditor.get("/backoffice/audit/?date_from=2026-02-30")

    assert response.status_code == 200
    assert "开始日期“2026-02-30”不是有效日期（格式 YYYY-MM-DD）" in response.content.decode()


def test_the_search_itself_is_recorded(flows, auditor, staff):
    number = flows

    auditor.get(f"/backoffice/audit/?target={number}&action=case_view")

    entry = AuditEntry.objects.filter(action=AuditAction.AUDIT_SEARCH).get()
    assert (entry.actor, entry.ip) == (staff[StaffRole.AUDITOR].user, AUDITOR_IP)
    assert entry.details == {"target": number, "action": "case_view"}
    # Opening the page without any criteria is not a search.
    auditor.get("/backoffice/audit/")
    assert AuditEntry.objects.filter(action=AuditAction.AUDIT_SEARCH).count() == 1


def test_a_text_search_shows_the_log_as_it_was_when_searched(flows, auditor):
    number = flows
    expected = [entry.seq for entry in audit_search(text=number)]
    assert len(expected) == 3

    assert _seqs(_shown(auditor, f"?text={number}")) == expected


def test_the_export_is_csv_with_a_bom_and_the_chinese_header_and_is_recorded(flows, auditor, staff):
    number = flows

    response = auditor.get(f"/backoffice/audit/export.csv?target={number}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff序号,时间,操作人,操作,对象类型,对象,摘要,IP,客户端,哈希")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert [row[3] for row in rows[1:]] == ["查看材料", "查看材料", "查看申请"]
    assert [row[2] for row in rows[1:]] == ["张初审（first_reviewer）"] * 3
    assert {row[7] for row in rows[1:]} == {REVIEWER_IP}
    assert ZHANG_WEI not in body and ZHANG_CARD not in body
    entry = AuditEntry.objects.filter(action=AuditAction.AUDIT_EXPORT).get()
    assert (entry.actor, entry.ip, entry.details) == (
        staff[StaffRole.AUDITOR].user,
        AUDITOR_IP,
        {"target": number},
    )
    assert "导出审计日志 3 条" in entry.summary


def test_only_the_auditor_reads_the_log(flows, staff, sign_in):
    reviewer = Client()
    sign_in(reviewer, staff["first_reviewer_2"])

    assert reviewer.get("/backoffice/audit/?text=TQ").status_code == 403
    assert reviewer.get("/backoffice/audit/export.csv").status_code == 403
    assert not AuditEntry.objects.filter(
        action__in=[AuditAction.AUDIT_SEARCH, AuditAction.AUDIT_EXPORT]
    ).exists()


def test_audit_check_passes_after_the_flows_and_names_a_deleted_entry(flows, auditor, capsys):
    number = flows
    auditor.get(f"/backoffice/audit/?target={number}")
    auditor.get("/backoffice/audit/export.csv")
    total = AuditEntry.objects.count()
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        AuditAction.STAFF_LOGIN,
        AuditAction.CASE_VIEW,
        AuditAction.MATERIAL_VIEW,
        AuditAction.MATERIAL_VIEW,
        AuditAction.STAFF_LOGIN,
        AuditAction.AUDIT_SEARCH,
        AuditAction.AUDIT_EXPORT,
    ]

    call_command("audit_check")
    assert capsys.readouterr().out.strip() == f"审计日志完整：共 {total} 条，哈希链校验通过"

    # A DBA removes the record of the case having been viewed.
    viewed = AuditEntry.objects.get(action=AuditAction.CASE_VIEW)
    as_dba("DELETE FROM {table} WHERE seq = %s", [viewed.seq])
    assert not AuditEntry.objects.filter(seq=viewed.seq).exists()

    with pytest.raises(CommandError) as failed:
        call_command("audit_check")

    assert failed.value.returncode == 1
    err = capsys.readouterr().err
    assert f"第 {viewed.seq} 条审计记录缺失（第 {viewed.seq - 1} 条之后是第 {viewed.seq + 1} 条）" in err
