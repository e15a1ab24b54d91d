"""Helpers for the audit log's tests: staff users, and raw SQL as a DBA with full rights would run
it (on PostgreSQL the append-only trigger is switched off first, inside the test's transaction)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from gjj.audit.models import AuditAction, AuditEntry
from gjj.audit.services import audit_record

TABLE = AuditEntry._meta.db_table


def as_dba(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The actor foreign key's deferred checks must run first: PostgreSQL will not alter a
            # table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql.format(table=TABLE), params or [])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def chushen(db):
    return get_user_model().objects.create_user(username="chushen", first_name="张初审")


@pytest.fixture
def chain(chushen):
    """Five entries: a sign-in, two case views, an approval, a sign-out."""
    return [
        audit_record(action=AuditAction.STAFF_LOGIN, summary="登录后台", actor=chushen, ip="10.0.0.7"),
        audit_record(
            action=AuditAction.CASE_VIEW,
            summary="查看提取申请 TQ20261127000001",
            actor=chushen,
            target_type="application",
            target_id="TQ20261127000001",
        ),
        audit_record(
            action=AuditAction.CASE_VIEW,
            summary="查看提取申请 TQ20261127000002",
            actor=chushen,
            target_type="application",
            target_id="TQ20261127000002",
        ),
        audit_record(
            action=AuditAction.APPLICATION_APPROVE,
            summary="审核通过提取申请 TQ20261127000001",
            actor=chushen,
            target_type="application",
            target_id="TQ20261127000001",
            details={"amount_fen": 12_345_600},
        ),
        audit_record(action=AuditAction.STAFF_LOGOUT, summary="退出后台", actor=chushen),
    ]
