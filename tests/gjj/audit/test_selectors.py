"""audit_search filters and audit_csv's export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from gjj.audit.models import AuditAction, AuditEntry
from gjj.audit.selectors import CSV_HEADER, audit_csv, audit_search
from gjj.audit.services import audit_record
from gjj.core.timeutil import SHANGHAI
from tests.gjj.audit.conftest import as_dba

pytestmark = pytest.mark.django_db


def at(entry: AuditEntry, moment: dt.datetime) -> None:
    """Place an entry at a chosen time (as a DBA would): the search, not the chain, is under test."""
    value = AuditEntry._meta.get_field("at").get_db_prep_value(moment, connection)
    as_dba("UPDATE {table} SET at = %s WHERE seq = %s", [value, entry.seq])


def seqs(entries) -> list[int]:
    return [entry.seq for entry in entries]


def test_newest_first_and_every_filter(chain, chushen):
    fuhe = get_user_model().objects.create_user(username="fuhe", first_name="李复核")
    reject = audit_record(
        action=AuditAction.APPLICATION_REJECT,
        summary="不予通过提取申请 TQ20261127000002",
        actor=fuhe,
        target_type="application",
        target_id="TQ20261127000002",
    )
    assert seqs(audit_search()) == [6, 5, 4, 3, 2, 1]
    assert seqs(audit_search(action=AuditAction.CASE_VIEW)) == [3, 2]
    assert seqs(audit_search(actor="李复核")) == [6]
    assert seqs(audit_search(actor="chushen")) == [5, 4, 3, 2, 1]
    assert seqs(audit_search(target="TQ20261127000002")) == [6, 3]
    assert seqs(audit_search(text="TQ20261127000001")) == [4, 2]
    assert seqs(audit_search(text="不予通过")) == [reject.seq]
    assert seqs(audit_search(text="复核")) == [6]  # the actor's label
    assert seqs(audit_search(text="TQ20261127000002", action=AuditAction.CASE_VIEW)) == [3]
    assert seqs(audit_search(text="没有这条")) == []


def test_dates_are_shanghai_days_both_ends_included(chain):
    # 2026-11-27 00:30 in Shanghai is still the 26th in UTC; 23:30 on the 27th is the 27th in UTC.
    at(chain[0], dt.datetime(2026, 11, 26, 23, 59, tzinfo=SHANGHAI))
    at(chain[1], dt.datetime(2026, 11, 27, 0, 30, tzinfo=SHANGHAI))
    at(chain[2], dt.datetime(2026, 11, 27, 23, 30, tzinfo=SHANGHAI))
    at(chain[3], dt.datetime(2026, 11, 28, 0, 0, tzinfo=SHANGHAI))
    at(chain[4], dt.datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI))
    day = dt.date(2026, 11, 27)
    assert seqs(audit_search(date_from=day, date_to=day)) == [3, 2]
    assert seqs(audit_search(date_from=day)) == [5, 4, 3, 2]
    assert seqs(audit_search(date_to=day)) == [3, 2, 1]
    assert seqs(audit_search(date_from=dt.date(2026, 11, 28), date_to=dt.date(2026, 11, 28))) == [5, 4]


def test_search_loads_the_actor_with_the_entry(chain, django_assert_num_queries):
    with django_assert_num_queries(1):
        labels = [entry.actor.username for entry in audit_search() if entry.actor]
    assert labels == ["chushen"] * 5


def test_csv_has_a_chinese_header_and_shanghai_times(chain):
    at(chain[0], dt.datetime(2026, 11, 27, 0, 30, 5, tzinfo=SHANGHAI))
    rows = list(csv.reader(io.StringIO(audit_csv(audit_search(action=AuditAction.STAFF_LOGIN)))))
    assert rows[0] == list(CSV_HEADER)
    assert rows[0] == ["序号", "时间", "操作人", "操作", "对象类型", "对象", "摘要", "IP", "客户端", "哈希"]
    entry = AuditEntry.objects.get(seq=1)
    assert rows[1] == [
        "1",
        "2026-11-27 00:30:05",
        "张初审（chushen）",
        "登录",
        "",
        "",
        "登录后台",
        "10.0.0.7",
        "",
        entry.hash,
    ]
    assert len(rows) == 2


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_neutralizes_formulas_and_masks_nothing_itself(start):
    audit_record(
        action=AuditAction.AUDIT_SEARCH,
        summary=f'{start}HYPERLINK("http://example.invalid")',
        actor_label=f"{start}cmd",
        target_id=f"{start}1+1",
        user_agent=f"{start}SUM(A1)",
    )
    # An unmasked number in an entry (put there by hand) stays as it is: audit_csv only exports.
    entries = list(AuditEntry.objects.all())
    entries[0].summary = f"{start}HYPERLINK 210102199003071234"
    row = list(csv.reader(io.StringIO(audit_csv(entries))))[1]
    assert row[2] == f"'{start}cmd"
    assert row[5] == f"'{start}1+1"
    assert row[6] == f"'{start}HYPERLINK 210102199003071234"
    assert row[8] == f"'{start}SUM(A1)"
    assert row[0] == "1"  # ordinary cells untouched
