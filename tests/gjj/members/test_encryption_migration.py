"""The migration that encrypts the numbers already stored in clear, on a database of the release
before it: every value encrypted where it is, nothing else changed, and loans re-keyed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gjj.core.encrypted import decrypt, is_encrypted

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("members", "0001_initial"), ("withdrawals", "0004_payout_lease_and_history")]
AFTER = [("members", "0002_encrypt_personal_numbers"), ("withdrawals", "0005_encrypt_personal_numbers")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """The next tests of this process share the database: leave it fully migrated again (later
    migrations add columns, members 0003 retired_on for one)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_numbers_stored_in_clear_are_encrypted_in_place() -> None:
    _migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_person (id_number, name, phone, spouse_id) VALUES (%s, %s, %s, NULL)",
            ["210102196204180133", "刘国庆", "13904011962"],
        )
        cursor.execute("SELECT id FROM members_person")
        (person_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO members_loan (person_id, status, overdue_months, source_key) VALUES (%s, %s, %s, %s)",
            [person_id, "active", 0, "210102196204180133#1"],
        )

    _migrate(AFTER)

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, name FROM members_person")
        id_number, phone, name = cursor.fetchone()
        cursor.execute("SELECT source_key FROM members_loan")
        (source_key,) = cursor.fetchone()
    assert is_encrypted(id_number) and is_encrypted(phone) and name == "刘国庆"
    assert decrypt(id_number, context="members.person.id_number") == "210102196204180133"
    assert decrypt(phone, context="members.person.phone") == "13904011962"
    assert source_key == f"p{person_id}#1"
