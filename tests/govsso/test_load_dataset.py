"""govsso's ``load_dataset``: gov_users become natural-person accounts with hashed passwords, and
loading the same document again changes nothing.

Each test runs the command in a subprocess on a temporary SQLite file of its own, exactly as
``gjj import-dataset`` runs it, whatever database this pytest session was given."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gjj.core.encrypted import decrypt

REPO_ROOT = Path(__file__).resolve().parents[2]
NAMED_MEMBERS = REPO_ROOT / "data" / "named-members.json"
ZHANG_WEI = "210102198803120158"


class Govsso:
    def __init__(self, tmp_path: Path) -> None:
        self.database = tmp_path / "govsso.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "GJJ_VAR_DIR": str(tmp_path / "var"),
            "GOVSSO_DATABASE_URL": f"sqlite:///{self.database}",
        }
        self.tmp_path = tmp_path

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "django", *args, "--settings=govsso.settings"],
            env=self.env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    def load(self, document: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        file = self.tmp_path / "dataset.json"
        file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return self.manage("load_dataset", str(file))

    def rows(self) -> list[dict[str, Any]]:
        """The accounts as stored, their numbers decrypted (they are stored encrypted)."""
        with sqlite3.connect(self.database) as connection:
            connection.row_factory = sqlite3.Row
            stored = [
                dict(row) for row in connection.execute("SELECT * FROM accounts_naturalperson ORDER BY id")
            ]
        for row in stored:
            for column in ("id_number", "phone"):
                assert row[column].startswith("e1."), "stored in clear"
                row[column] = decrypt(row[column], context=f"accounts.naturalperson.{column}")
        return stored

    def account(self, id_number: str) -> dict[str, Any]:
        return next(row for row in self.rows() if row["id_number"] == id_number)


@pytest.fixture
def govsso(tmp_path: Path) -> Govsso:
    govsso = Govsso(tmp_path)
    migrated = govsso.manage("migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return govsso


@pytest.fixture
def document() -> dict[str, Any]:
    return copy.deepcopy(json.loads(NAMED_MEMBERS.read_text(encoding="utf-8")))


def pbkdf2_matches(password: str, encoded: str) -> bool:
    """Django's pbkdf2_sha256 format, checked independently of Django's settings."""
    algorithm, iterations, salt, digest = encoded.split("$")
    assert algorithm == "pbkdf2_sha256"
    computed = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations))
    return base64.b64encode(computed).decode() == digest


def test_gov_users_are_loaded_with_hashed_passwords(govsso: Govsso, document: dict[str, Any]) -> None:
    loaded = govsso.load(document)

    assert loaded.returncode == 0, loaded.stderr
    assert "新增 12" in loaded.stdout
    rows = govsso.rows()
    assert len(rows) == 12
    zhang = govsso.account(ZHANG_WEI)
    assert (zhang["name"], zhang["phone"], zhang["is_active"]) == ("张伟", "13804001001", 1)
    assert "Demo@2026" not in zhang["password"]
    assert pbkdf2_matches("Demo@2026", zhang["password"])
    assert not pbkdf2_matches("demo@2026", zhang["password"])


def test_loading_the_same_document_again_changes_nothing(govsso: Govsso, document: dict[str, Any]) -> None:
    govsso.load(document)
    before = govsso.rows()

    again = govsso.load(document)

    assert again.returncode == 0, again.stderr
    assert "新增 0，更新 0，未变 12（没有变化）" in again.stdout
    assert govsso.rows() == before


def test_a_changed_password_name_or_phone_is_updated(govsso: Govsso, document: dict[str, Any]) -> None:
    govsso.load(document)
    before = govsso.account(ZHANG_WEI)
    document["gov_users"][0]["password"] = "New@2027"
    # two accounts swap phone numbers: never one number on two accounts at once
    document["gov_users"][1]["phone"], document["gov_users"][2]["phone"] = (
        document["gov_users"][2]["phone"],
        document["gov_users"][1]["phone"],
    )
    document["gov_users"][3]["name"] = "刘阳"

    loaded = govsso.load(document)

    assert loaded.returncode == 0, loaded.stderr
    assert "更新 4" in loaded.stdout
    zhang = govsso.account(ZHANG_WEI)
    assert pbkdf2_matches("New@2027", zhang["password"])
    assert zhang["date_joined"] == before["date_joined"]
    assert govsso.account(document["gov_users"][1]["id_number"])["phone"] == document["gov_users"][1]["phone"]
    assert govsso.account(document["gov_users"][3]["id_number"])["name"] == "刘阳"


def test_a_bad_document_is_refused_and_nothing_is_written(govsso: Govsso, document: dict[str, Any]) -> None:
    document["gov_users"][0]["id_number"] = "210102198803120159"
    document["gov_users"][5]["password"] = ""

    refused = govsso.load(document)

    assert refused.returncode == 1
    assert "gov_users[0].id_number: 身份证号校验位（第 18 位）与前 17 位不符，请逐位核对" in refused.stderr
    assert "gov_users[5].password:" in refused.stderr
    assert govsso.rows() == []


def test_health(govsso: Govsso) -> None:
    checked = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json; django.setup(); from django.test import Client; "
            "r = Client().get('/health', HTTP_HOST='127.0.0.1'); print(r.status_code, json.dumps(r.json()))",
        ],
        env={**govsso.env, "DJANGO_SETTINGS_MODULE": "govsso.settings"},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert checked.stdout.strip() == '200 {"status": "ok", "service": "govsso"}'


def test_every_account_gets_its_own_oidc_subject(govsso: Govsso, document: dict[str, Any]) -> None:
    govsso.load(document)

    subjects = [row["subject"] for row in govsso.rows()]

    assert all(subjects) and len(set(subjects)) == len(subjects) == 12


def test_the_subject_migration_fills_existing_accounts(tmp_path: Path) -> None:
    """Accounts created before the subject existed each get a distinct one when migrating."""
    govsso = Govsso(tmp_path)
    assert govsso.manage("migrate", "accounts", "0001", "--noinput", "-v0").returncode == 0
    with sqlite3.connect(govsso.database) as connection:
        connection.executemany(
            "INSERT INTO accounts_naturalperson (password, id_number, name, phone, date_joined, is_active)"
            " VALUES ('!', ?, ?, ?, '2026-01-01 00:00:00', 1)",
            [("210102198803120158", "张伟", "13804001001"), ("210102199003071233", "王小明", "13904001234")],
        )

    migrated = govsso.manage("migrate", "--noinput", "-v0")

    assert migrated.returncode == 0, migrated.stderr
    subjects = [row["subject"] for row in govsso.rows()]
    assert all(subjects) and len(set(subjects)) == 2


def test_the_database_file_holds_no_number_in_clear(govsso: Govsso, document: dict[str, Any]) -> None:
    """After the import, and failed logins that django-axes records, neither the SQLite file nor its
    write-ahead log holds any 身份证号 or phone number in clear."""
    assert govsso.load(document).returncode == 0
    probe = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='127.0.0.1')\n"
        f"for typed in {[user['id_number'] for user in document['gov_users']][:3]!r}:\n"
        "    client.post('/login/', {'username': typed, 'password': 'Wrong@2026x'})\n"
        "client.post('/login/', {'username': '13804001001', 'password': 'Wrong@2026x'})\n"
        "from axes.models import AccessAttempt\n"
        "print(AccessAttempt.objects.count())\n"
    )
    recorded = subprocess.run(
        [sys.executable, "-c", probe],
        env={**govsso.env, "DJANGO_SETTINGS_MODULE": "govsso.settings"},
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert int(recorded.stdout.strip().splitlines()[-1]) >= 3  # the failures are on record, keyed

    stored = b"".join(
        path.read_bytes() for path in (govsso.database, Path(f"{govsso.database}-wal")) if path.exists()
    )
    numbers = {user["id_number"] for user in document["gov_users"]} | {
        user["phone"] for user in document["gov_users"]
    }
    assert b"e1." in stored
    assert sorted(number for number in numbers if number.encode() in stored) == []


def test_the_other_reasons_sample_loads_after_the_sample(govsso: Govsso, document: dict[str, Any]) -> None:
    """data/sample-reasons.json (韩梅, 曹阳, 邓超) carries people[].retired_on and a rent withdrawal
    without a house: govsso takes its gov_users and accepts the rest of the document."""
    reasons = json.loads((REPO_ROOT / "data" / "sample-reasons.json").read_text(encoding="utf-8"))
    assert govsso.load(document).returncode == 0

    loaded = govsso.load(reasons)
    again = govsso.load(reasons)

    assert loaded.returncode == 0, loaded.stderr
    assert "新增 3，更新 0，未变 0" in loaded.stdout
    assert len(govsso.rows()) == 15
    han_mei = govsso.account("210102196503150524")
    assert (han_mei["name"], han_mei["phone"]) == ("韩梅", "13804001013")
    assert pbkdf2_matches("Demo@2026", han_mei["password"])
    assert again.returncode == 0, again.stderr
    assert "新增 0，更新 0，未变 3（没有变化）" in again.stdout
