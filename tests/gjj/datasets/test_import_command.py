"""``gjj import-dataset FILE``: refuse bad documents whole, load good ones everywhere, idempotently."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gjj.core.encrypted import decrypt
from gjj.members.models import Employer, FundAccount, LedgerEntry, Loan, Person, PriorWithdrawal
from gjj.members.selectors import ledger_inconsistencies
from tests.gjj.datasets.conftest import (
    NAMED_MEMBERS,
    OLDER_MEMBERS,
    REPO_ROOT,
    SAMPLE_REASONS,
    write_document,
)

pytestmark = pytest.mark.django_db

HALL_MODELS = (Employer, Person, FundAccount, LedgerEntry, Loan, PriorWithdrawal)


def hall_row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in HALL_MODELS}


def run_import(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_a_bad_document_is_refused_with_every_path_and_nothing_is_written(
    tmp_path: Path, named_document: dict[str, Any]
) -> None:
    named_document["people"][3]["id_number"] = "210105199506200138"
    named_document["accounts"][0]["balance"] = "-5"
    named_document["bank_accounts"][2]["card_no"] = "6224553012333258488"
    named_document["houses"][1]["kind"] = "new"
    file = write_document(tmp_path / "bad.json", named_document)
    stderr = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_dataset", str(file), stdout=io.StringIO(), stderr=stderr)

    assert refused.value.returncode == 1
    assert "未导入任何数据" in str(refused.value)
    printed = stderr.getvalue()
    for path in (
        "people[3].id_number: 身份证号校验位（第 18 位）与前 17 位不符，请逐位核对",
        "accounts[0].balance:",
        "accounts[3].id_number:",
        "bank_accounts[2].card_no:",
        "houses[1].contract_no:",
    ):
        assert path in printed
    assert set(hall_row_counts().values()) == {0}


def test_a_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到数据文件") as refused:
        run_import(str(tmp_path / "nowhere.json"))
    assert refused.value.returncode == 1


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    file = tmp_path / "broken.json"
    file.write_text('{\n  "format": "gjj-dataset/1",\n  "as_of": 2026-11-27\n}\n', encoding="utf-8")

    with pytest.raises(CommandError, match="第 3 行第 16 列，此处缺少逗号"):
        run_import(str(file))


def test_hall_only_loads_the_hall_and_a_re_import_reports_no_change() -> None:
    first, _ = run_import(str(NAMED_MEMBERS), "--hall-only")

    assert "缴存职工：新增 12" in first
    assert "已跳过模拟器和 govsso" in first
    assert hall_row_counts() == {
        "Employer": 2,
        "Person": 12,
        "FundAccount": 11,
        "LedgerEntry": 11,
        "Loan": 1,
        "PriorWithdrawal": 1,
    }

    second, _ = run_import(str(NAMED_MEMBERS), "--hall-only")

    assert "缴存职工：新增 0，更新 0，未变 12" in second
    assert "大厅数据没有变化" in second


# -- with the simulator and govsso subprocesses ------------------------------------------------


def _migrate(settings_module: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v0", f"--settings={settings_module}"],
        check=True,
        cwd=REPO_ROOT,
        capture_output=True,
    )


@pytest.fixture
def outside_databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Temporary SQLite files for the simulators and govsso, migrated; the import's subprocesses
    find them through the same environment variables as in production."""
    files = {"sims": tmp_path / "sims.sqlite3", "govsso": tmp_path / "govsso.sqlite3"}
    monkeypatch.setenv("GJJ_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SIMS_DATABASE_URL", f"sqlite:///{files['sims']}")
    monkeypatch.setenv("GOVSSO_DATABASE_URL", f"sqlite:///{files['govsso']}")
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    _migrate("sims.settings")
    _migrate("govsso.settings")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "gjj.settings.test")
    return files


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_the_full_import_loads_the_simulators_and_govsso_too(outside_databases: dict[str, Path]) -> None:
    output, _ = run_import(str(NAMED_MEMBERS))

    assert "房屋：新增 7" in output
    assert "政务服务网账户：新增 12" in output
    assert _rows(outside_databases["sims"], "SELECT COUNT(*) FROM registry_house") == [(7,)]
    assert _rows(outside_databases["sims"], "SELECT COUNT(*) FROM bank_bankaccount") == [(12,)]
    assert _rows(outside_databases["govsso"], "SELECT COUNT(*) FROM accounts_naturalperson") == [(12,)]
    assert hall_row_counts()["Person"] == 12
    assert ledger_inconsistencies() == []
    govsso_before = _rows(outside_databases["govsso"], "SELECT * FROM accounts_naturalperson ORDER BY id")
    sims_before = _rows(outside_databases["sims"], "SELECT * FROM registry_house ORDER BY id")

    again, _ = run_import(str(NAMED_MEMBERS))

    assert "大厅数据没有变化" in again
    assert "没有变化" in again.split("政务服务网（govsso）")[1]
    assert (
        _rows(outside_databases["govsso"], "SELECT * FROM accounts_naturalperson ORDER BY id")
        == govsso_before
    )
    assert _rows(outside_databases["sims"], "SELECT * FROM registry_house ORDER BY id") == sims_before


def test_members_born_before_their_districts_codes_are_loaded_everywhere(
    outside_databases: dict[str, Path],
) -> None:
    """刘国庆 (1962, 和平区 210102), 孙秀兰 (1970, 铁西区 210106), 赵德明 (1958, 沈河区 210103) and
    马桂芝 (辽中县 210122, retired in 2016): the codes date from 1983 or are retired, the numbers are real."""
    output, _ = run_import(str(OLDER_MEMBERS))

    assert "缴存职工：新增 4" in output
    assert set(Person.objects.values_list("id_number", flat=True)) == {
        "210102196204180133",
        "210106197008152469",
        "210103195803121751",
        "210122196010100583",
    }
    assert FundAccount.objects.count() == 4
    assert _rows(outside_databases["sims"], "SELECT COUNT(*) FROM registry_house") == [(2,)]
    assert _rows(outside_databases["sims"], "SELECT holder_id_number FROM bank_bankaccount ORDER BY 1") == [
        ("210102196204180133",),
        ("210106197008152469",),
        ("210122196010100583",),
    ]
    # govsso keeps the numbers encrypted at rest (gjj.core.encrypted); they decrypt to the people.
    stored = [
        value
        for (value,) in _rows(outside_databases["govsso"], "SELECT id_number FROM accounts_naturalperson")
    ]
    assert all(value.startswith("e1.") and "2101" not in value for value in stored)
    assert sorted(decrypt(value, context="accounts.naturalperson.id_number") for value in stored) == [
        "210102196204180133",
        "210106197008152469",
        "210122196010100583",
    ]


def test_the_other_reasons_sample_imports_everywhere_after_the_sample(
    outside_databases: dict[str, Path],
) -> None:
    """``gjj import-dataset data/sample-reasons.json`` after the sample: 韩梅 (retired, sealed), 曹阳
    (a rent withdrawal, no house) and 邓超 (retired, an active loan) in the hall, their cards in the
    bank simulator, their government accounts in govsso; a second import changes nothing."""
    run_import(str(NAMED_MEMBERS))

    output, _ = run_import(str(SAMPLE_REASONS))

    assert "缴存职工：新增 3" in output
    assert "历史提取：新增 1" in output
    assert "房屋：新增 0" in output
    assert "政务服务网账户：新增 3" in output
    retired = dict(Person.objects.exclude(retired_on=None).values_list("id_number", "retired_on"))
    assert {id_number: str(day) for id_number, day in retired.items()} == {
        "210102196503150524": "2025-03-31",
        "210105196407010176": "2024-07-31",
    }
    rent = PriorWithdrawal.objects.get(reason="rent")
    assert (rent.person.name, rent.house_key, rent.amount_fen) == ("曹阳", "", 300000)
    assert FundAccount.objects.get(person__name="韩梅").balance_fen == 15630025
    assert _rows(outside_databases["sims"], "SELECT COUNT(*) FROM bank_bankaccount") == [(15,)]
    assert _rows(outside_databases["govsso"], "SELECT COUNT(*) FROM accounts_naturalperson") == [(15,)]
    assert ledger_inconsistencies() == []

    again, _ = run_import(str(SAMPLE_REASONS))

    assert "大厅数据没有变化" in again
    assert "没有变化" in again.split("政务服务网（govsso）")[1]


def test_a_failing_outside_load_leaves_the_hall_untouched(
    outside_databases: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # govsso pointed at a database without its tables: its loader fails after the hall loaded.
    monkeypatch.setenv("GOVSSO_DATABASE_URL", f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}")

    with pytest.raises(CommandError, match="政务服务网（govsso）导入失败") as failed:
        run_import(str(NAMED_MEMBERS))

    assert failed.value.returncode == 1
    assert "大厅数据未改动" in str(failed.value)
    assert set(hall_row_counts().values()) == {0}


def test_the_gjj_command_exits_1_and_lists_problems(tmp_path: Path, named_document: dict[str, Any]) -> None:
    """The installed ``gjj`` entry point, as an operator runs it."""
    named_document["gov_users"][0]["phone"] = "12345"
    named_document["loans"][0]["status"] = "late"
    file = write_document(tmp_path / "bad.json", named_document)
    hall = tmp_path / "hall.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "GJJ_VAR_DIR": str(tmp_path / "var"),
        "GJJ_DATABASE_URL": f"sqlite:///{hall}",
        "DJANGO_SETTINGS_MODULE": "gjj.settings.test",
    }

    finished = subprocess.run(
        [sys.executable, "-m", "gjj.cli", "import-dataset", str(file)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 1
    assert "gov_users[0].phone: 手机号应为以 1 开头的 11 位数字" in finished.stderr
    assert "loans[0].status:" in finished.stderr
    assert (
        not hall.exists() or _rows(hall, "SELECT name FROM sqlite_master WHERE name='members_person'") == []
    )
