"""Concurrent appends on PostgreSQL (real row locks) form one linear chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gjj.audit.models import AuditAction, AuditEntry
from gjj.audit.selectors import audit_chain_check
from gjj.audit.services import audit_record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (the suite's second run)")


def test_appends_from_many_connections_form_one_chain():
    writers, per_writer = 4, 5
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(per_writer):
                audit_record(action=AuditAction.CASE_VIEW, summary=f"并发写入 {index}-{n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, writers * per_writer + 1))
    assert audit_chain_check() == []
