"""Loading houses and bank accounts from a gjj-dataset/1 document: over HTTP into the running
simulator, and with the ``load_dataset`` command into a database of its own."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.sims import REPO_ROOT, LiveSims, SimsError


def _luhn_complete(partial: str) -> str:
    digits = [int(d) for d in reversed(partial)]
    total = sum(d if i % 2 else sum(divmod(d * 2, 10)) for i, d in enumerate(digits))
    return partial + str((10 - total % 10) % 10)


def _synthetic_document(*, prefix: str, houses: int, accounts: int) -> dict[str, Any]:
    """Keys no other test uses, so loading them into the shared simulator disturbs nobody."""
    return {
        "format": "gjj-dataset/1",
        "as_of": "2026-11-27",
        "houses": [
            {
                "contract_no": f"{prefix}C{index:08d}" if index % 2 == 0 else None,
                "archive_no": None if index % 2 == 0 else f"{prefix}A{index:08d}",
                "kind": "new" if index % 2 == 0 else "resale",
                "address": f"沈阳市测试区{index}号",
                "area_m2": "88.50",
                "total_price": f"{500000 + index}.25",
                "filed_on": "2026-01-02" if index % 2 == 0 else None,
                "registered_on": None if index % 2 == 0 else "2026-03-04",
                "status": "valid",
                "buyers": [
                    {"id_number": "210102198803120158", "name": "张伟"},
                    {"id_number": "210103199007050241", "name": "李娜"},
                ][: 1 + index % 2],
            }
            for index in range(houses)
        ],
        "bank_accounts": [
            {
                "card_no": _luhn_complete(f"623668{prefix_digits(prefix)}{index:08d}"),
                "bank": "CCB",
                "holder_id_number": "210102198803120158",
                "holder_name": "张伟",
                "account_class": 1,
                "status": "normal",
            }
            for index in range(accounts)
        ],
    }


def prefix_digits(prefix: str) -> str:
    return f"{sum(map(ord, prefix)) % 10000:04d}"


def _house(sims: LiveSims, **params: str) -> dict[str, Any]:
    response = requests.get(f"{sims.url}/registry/houses", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_loading_the_same_document_twice_changes_nothing_the_second_time(sims: LiveSims) -> None:
    document = _synthetic_document(prefix="IDEM", houses=6, accounts=4)

    first = sims.load_dataset(document)
    second = sims.load_dataset(document)

    assert first == {
        "houses": {"created": 6, "updated": 0, "unchanged": 0},
        "bank_accounts": {"created": 4, "updated": 0, "unchanged": 0},
    }
    assert second == {
        "houses": {"created": 0, "updated": 0, "unchanged": 6},
        "bank_accounts": {"created": 0, "updated": 0, "unchanged": 4},
    }
    resale = _house(sims, archive_no="IDEMA00000001")
    assert [buyer["name"] for buyer in resale["buyers"]] == ["张伟", "李娜"]
    assert resale["total_price"] == "500001.25"


def test_a_changed_document_updates_houses_buyers_and_accounts(sims: LiveSims) -> None:
    document = _synthetic_document(prefix="UPD", houses=2, accounts=2)
    sims.load_dataset(document)
    changed = copy.deepcopy(document)
    changed["houses"][0]["status"] = "cancelled"
    changed["houses"][1]["buyers"] = [{"id_number": "21010419850101028X", "name": "王芳"}]
    changed["bank_accounts"][0]["status"] = "frozen"

    counts = sims.load_dataset(changed)

    assert counts["houses"] == {"created": 0, "updated": 2, "unchanged": 0}
    assert counts["bank_accounts"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert _house(sims, contract_no="UPDC00000000")["status"] == "cancelled"
    assert _house(sims, archive_no="UPDA00000001")["buyers"] == [
        {"id_number": "21010419850101028X", "name": "王芳"}
    ]
    card = changed["bank_accounts"][0]["card_no"]
    verified = requests.post(
        f"{sims.url}/bank/cards/verify", json={"card_no": card, "bank": "CCB"}, timeout=10
    )
    assert verified.json()["status"] == "frozen"


def test_loading_more_rows_than_one_chunk_keeps_every_row(sims: LiveSims) -> None:
    # Over 900 rows per key: the loader works in chunks, and no chunk boundary may lose a row.
    document = _synthetic_document(prefix="BULK", houses=2100, accounts=1900)

    first = sims.load_dataset(document)
    second = sims.load_dataset(document)

    assert first["houses"]["created"] == 2100
    assert first["bank_accounts"]["created"] == 1900
    assert second["houses"]["unchanged"] == 2100
    assert second["bank_accounts"]["unchanged"] == 1900
    assert _house(sims, archive_no="BULKA00002099")["address"] == "沈阳市测试区2099号"


def test_a_malformed_document_is_refused_with_every_problem_and_nothing_written(sims: LiveSims) -> None:
    document = _synthetic_document(prefix="BAD", houses=2, accounts=2)
    document["houses"][1]["kind"] = "castle"
    document["houses"][1]["total_price"] = "12.345"
    document["bank_accounts"][0]["account_class"] = 4

    with pytest.raises(SimsError) as refused:
        sims.load_dataset(document)

    message = str(refused.value)
    assert "HTTP 400" in message
    for path in ("houses[1].kind", "houses[1].total_price", "bank_accounts[0].account_class"):
        assert path in message
    # The valid first house was not written either.
    assert (
        requests.get(
            f"{sims.url}/registry/houses", params={"contract_no": "BADC00000000"}, timeout=10
        ).status_code
        == 404
    )


def test_buyers_and_holders_born_before_their_districts_code_are_loaded(sims: LiveSims) -> None:
    """data/older-members.json: 刘国庆 (1962, 和平区 210102) and 孙秀兰 (1970, 铁西区 210106) buy
    houses; 马桂芝 holds 辽中县's retired 210122."""
    document = json.loads((REPO_ROOT / "data" / "older-members.json").read_text(encoding="utf-8"))

    sims.load_dataset(document)

    house = requests.get(
        f"{sims.url}/registry/houses", params={"contract_no": "SY202609150004321"}, timeout=10
    ).json()
    assert house["buyers"] == [{"id_number": "210102196204180133", "name": "刘国庆"}]


def test_a_number_no_one_can_hold_is_refused_with_the_validators_reason(sims: LiveSims) -> None:
    document = _synthetic_document(prefix="BADID", houses=1, accounts=1)
    document["bank_accounts"][0]["holder_id_number"] = "210102196204180134"

    with pytest.raises(SimsError) as refused:
        sims.load_dataset(document)

    assert "bank_accounts[0].holder_id_number" in str(refused.value)
    assert "校验位" in str(refused.value)


def test_a_document_of_another_format_is_refused(sims: LiveSims) -> None:
    with pytest.raises(SimsError, match="gjj-dataset/1"):
        sims.load_dataset({"format": "something-else", "houses": []})


def test_duplicate_keys_in_one_document_are_refused(sims: LiveSims) -> None:
    document = _synthetic_document(prefix="DUP", houses=1, accounts=1)
    document["houses"].append(copy.deepcopy(document["houses"][0]))

    with pytest.raises(SimsError, match="重复"):
        sims.load_dataset(document)


@pytest.fixture
def sims_database(tmp_path: Path) -> dict[str, str]:
    """A migrated, empty simulator database of its own, for the management command."""
    env = dict(os.environ)
    env.update({"SIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'sims.sqlite3'}", "GJJ_VAR_DIR": str(tmp_path)})
    subprocess.run(
        [sys.executable, "-m", "sims", "migrate", "-v", "0"], cwd=REPO_ROOT, env=env, check=True, timeout=120
    )
    return env


def _load_command(env: dict[str, str], path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", "load_dataset", str(path), "--settings=sims.settings"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_loads_the_sample_dataset_idempotently(
    sims_database: dict[str, str], sample_dataset: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(sample_dataset, ensure_ascii=False), encoding="utf-8")

    first = _load_command(sims_database, path)
    second = _load_command(sims_database, path)

    assert first.returncode == 0, first.stderr
    assert "房屋：新增 7，更新 0，未变 0；银行账户：新增 12，更新 0，未变 0" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "房屋：新增 0，更新 0，未变 7；银行账户：新增 0，更新 0，未变 12" in second.stdout


def test_the_command_fails_clearly_on_malformed_input(sims_database: dict[str, str], tmp_path: Path) -> None:
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('{"format": "gjj-dataset/1", "houses": [', encoding="utf-8")
    bad_house = tmp_path / "bad.json"
    bad_house.write_text(
        json.dumps({"format": "gjj-dataset/1", "houses": [{"contract_no": None, "archive_no": None}]}),
        encoding="utf-8",
    )

    results = {
        "missing": _load_command(sims_database, tmp_path / "missing.json"),
        "broken": _load_command(sims_database, broken_json),
        "bad": _load_command(sims_database, bad_house),
    }

    assert all(result.returncode != 0 for result in results.values())
    assert "找不到数据集文件" in results["missing"].stderr
    assert "不是有效的 JSON" in results["broken"].stderr
    assert "数据集格式不正确，未写入任何数据" in results["bad"].stderr
    assert "houses[0]" in results["bad"].stderr


REASONS_SAMPLE = REPO_ROOT / "data" / "sample-reasons.json"


def test_the_other_reasons_sample_loads_its_cards_and_no_house(sims: LiveSims) -> None:
    """data/sample-reasons.json: people[].retired_on and a rent withdrawal without a house are not
    the simulator's; its three cards are."""
    document = json.loads(REASONS_SAMPLE.read_text(encoding="utf-8"))

    first = sims.load_dataset(document)
    second = sims.load_dataset(document)

    assert first["houses"] == {"created": 0, "updated": 0, "unchanged": 0}
    assert first["bank_accounts"]["created"] + first["bank_accounts"]["unchanged"] == 3
    assert second["bank_accounts"] == {"created": 0, "updated": 0, "unchanged": 3}
    verified = requests.post(
        f"{sims.url}/bank/cards/verify", json={"card_no": "6217006362656765957", "bank": "CCB"}, timeout=10
    ).json()
    assert (verified["holder_name"], verified["holder_id_number"], verified["account_class"]) == (
        "韩梅",
        "210102196503150524",
        1,
    )


def test_the_command_loads_the_other_reasons_sample_after_the_sample(
    sims_database: dict[str, str], sample_dataset: dict[str, Any], tmp_path: Path
) -> None:
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps(sample_dataset, ensure_ascii=False), encoding="utf-8")
    assert _load_command(sims_database, sample).returncode == 0

    first = _load_command(sims_database, REASONS_SAMPLE)
    second = _load_command(sims_database, REASONS_SAMPLE)

    assert first.returncode == 0, first.stderr
    assert "房屋：新增 0，更新 0，未变 0；银行账户：新增 3，更新 0，未变 0" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "银行账户：新增 0，更新 0，未变 3" in second.stdout
