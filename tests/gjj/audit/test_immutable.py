"""The log only grows: the application refuses every change, and on PostgreSQL so does the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gjj.audit.models import AuditEntry, AuditHead, AuditLogImmutable
from gjj.audit.selectors import audit_chain_check
from tests.gjj.audit.conftest import TABLE

pytestmark = pytest.mark.django_db


def test_saving_an_existing_entry_is_refused(chain):
    entry = AuditEntry.objects.get(seq=2)
    entry.summary = "改过的摘要"
    with pytest.raises(AuditLogImmutable, match="只能追加"):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.save(update_fields=["summary"])
    assert AuditEntry.objects.get(seq=2).summary == "查看提取申请 TQ20261127000001"


def test_deleting_an_entry_is_refused(chain):
    with pytest.raises(AuditLogImmutable, match="不能删除"):
        AuditEntry.objects.get(seq=2).delete()
    assert AuditEntry.objects.count() == 5


def test_queryset_update_and_delete_are_refused(chain):
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(seq=2).update(summary="改过的摘要")
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.bulk_update(list(AuditEntry.objects.all()), ["summary"])
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.bulk_create([AuditEntry(seq=99, summary="x")])
    assert AuditEntry.objects.count() == 5
    assert audit_chain_check() == []


def test_deleting_the_actor_account_is_refused(chain, chushen):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        chushen.delete()


@pytest.mark.postgres_only
def test_postgresql_refuses_update_and_delete_through_a_raw_cursor(chain):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's trigger (the suite's second run)")
    # Table names come from the models, not from input.
    for sql in (
        f"UPDATE {TABLE} SET summary = '改过的摘要' WHERE seq = 2",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE seq = 5",  # noqa: S608
        f"DELETE FROM {AuditHead._meta.db_table}",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="审计日志只能追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 5
    assert AuditEntry.objects.get(seq=2).summary == "查看提取申请 TQ20261127000001"
    assert audit_chain_check() == []
