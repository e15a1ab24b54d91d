"""After the sample import and a whole application, paid, a dump of the hall's database (the
SQLite file with its write-ahead log, or `pg_dump` of PostgreSQL) holds no 身份证号, phone number
or card number of anyone in clear."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from gjj.withdrawals.models import State
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = pytest.mark.django_db(transaction=True)


def _personal_numbers(document: dict) -> set[str]:
    numbers = {person["id_number"] for person in document["people"]}
    numbers |= {person["phone"] for person in document["people"]}
    numbers |= {card["card_no"] for card in document["bank_accounts"]}
    numbers |= {buyer["id_number"] for house in document["houses"] for buyer in house["buyers"]}
    return numbers


def _database_dump() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = settings["NAME"]
        connection.close()  # everything written through to the file
        files = [Path(f"{path}{suffix}") for suffix in ("", "-wal")]
        return b"".join(file.read_bytes() for file in files if file.exists()).decode("latin-1")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is missing (Debian's postgresql-client)")
    finished = subprocess.run(
        [
            pg_dump, "--data-only", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432),
            "-U", settings["USER"] or "postgres", settings["NAME"],
        ],
        capture_output=True, text=True, check=True, env={"PGPASSWORD": settings.get("PASSWORD") or ""},
    )  # fmt: skip
    return finished.stdout


def test_no_personal_number_is_in_the_database_in_clear(loaded, sample_dataset) -> None:
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    assert zhang.final_submit(application).state in (State.APPROVED, State.PAID)

    dump = _database_dump()

    assert "e1." in dump  # the numbers are there, encrypted
    leaked = sorted(number for number in _personal_numbers(sample_dataset) if number in dump)
    assert leaked == [], f"{len(leaked)} numbers in clear, e.g. {leaked[0][:4]}…"
    assert json.dumps(ZHANG_WEI) not in dump
