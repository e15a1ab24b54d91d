"""The synthetic dataset generator: deterministic, valid, and with the mix of cases the rules need."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from gjj.core.identity_numbers import card_number_problem, id_number_problem
from gjj.datasets.generator import DEBIT_CARD_BINS, DEMO_PASSWORD, dataset_generate
from gjj.datasets.validation import validate_dataset
from tests.gjj.datasets.conftest import DEMO_DATASET, NAMED_MEMBERS, REPO_ROOT

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return dataset_generate(people=3000, seed=42, as_of=AS_OF)


def test_the_same_seed_gives_the_same_document() -> None:
    first = dataset_generate(people=200, seed=5, as_of=AS_OF)
    second = dataset_generate(people=200, seed=5, as_of=AS_OF)
    other = dataset_generate(people=200, seed=6, as_of=AS_OF)

    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)
    assert first["people"] != other["people"]


def test_the_output_validates(generated: dict[str, Any]) -> None:
    assert validate_dataset(generated) == []
    assert len(generated["people"]) == 3000
    assert generated["as_of"] == "2026-11-27"


def test_ids_and_cards_are_valid_and_on_real_debit_bins(generated: dict[str, Any]) -> None:
    assert all(id_number_problem(person["id_number"]) is None for person in generated["people"])
    bins = {bank: dict(pairs) for bank, pairs in DEBIT_CARD_BINS.items()}
    for card in generated["bank_accounts"]:
        assert card_number_problem(card["card_no"]) is None
        length = bins[card["bank"]][card["card_no"][:6]]
        assert len(card["card_no"]) == length
    lengths = Counter(len(card["card_no"]) for card in generated["bank_accounts"] if card["bank"] == "SJB")
    assert set(lengths) == {16, 18, 19}


def test_people_look_like_people(generated: dict[str, Any]) -> None:
    people = generated["people"]
    assert all(2 <= len(person["name"]) <= 3 for person in people)
    assert len({person["phone"] for person in people}) == len(people)
    assert {person["id_number"][:2] for person in people} == {"21"}  # 辽宁
    births = [dt.date(int(p["id_number"][6:10]), 1, 1) for p in people]
    assert min(births).year >= AS_OF.year - 61
    assert max(births).year <= AS_OF.year - 21
    married = [person for person in people if person["spouse_id_number"]]
    assert 0.2 < len(married) / len(people) < 0.5


def test_the_mix_of_cases_is_there(generated: dict[str, Any]) -> None:
    accounts = generated["accounts"]
    statuses = Counter(account["status"] for account in accounts)
    assert statuses["normal"] > 0.8 * len(accounts)
    assert statuses["sealed"] and statuses["frozen"] and statuses["closed"]
    assert any(a["status"] == "normal" and a["consecutive_months"] < 3 for a in accounts)
    assert all(a["balance"] == "0.00" for a in accounts if a["status"] == "closed")

    loans = Counter(loan["status"] for loan in generated["loans"])
    assert loans["active"] > loans["overdue"] > 0 and loans["settled"]

    houses = generated["houses"]
    assert Counter(h["kind"] for h in houses).keys() == {"new", "resale"}
    assert any(h["status"] == "cancelled" for h in houses)
    two_years_ago = AS_OF.replace(year=AS_OF.year - 2)
    dates = [dt.date.fromisoformat(h["filed_on"] or h["registered_on"]) for h in houses]
    assert any(day < two_years_ago for day in dates) and any(day > two_years_ago for day in dates)
    assert any(len(h["buyers"]) > 1 for h in houses)
    spouses = {p["id_number"]: p["spouse_id_number"] for p in generated["people"]}
    assert any(
        spouses.get(h["buyers"][0]["id_number"]) == h["buyers"][1]["id_number"]
        for h in houses
        if len(h["buyers"]) > 1
    )
    for house in houses:
        if house["kind"] == "new":
            assert house["contract_no"].startswith("SY" + house["filed_on"].replace("-", ""))
            assert len(house["contract_no"]) == 17
        else:
            assert len(house["archive_no"]) == 13 and house["archive_no"].isdigit()
    assert generated["prior_withdrawals"]

    cards = generated["bank_accounts"]
    assert Counter(card["account_class"] for card in cards)[1] > 0.8 * len(cards)
    assert any(card["account_class"] == 2 for card in cards)
    assert any(card["status"] == "frozen" for card in cards)
    assert {"CCB", "ICBC", "SJB"} < {card["bank"] for card in cards}
    assert {card["bank"] for card in cards} - {"CCB", "ICBC", "SJB"}  # a few of other banks

    users = generated["gov_users"]
    assert 0.8 * len(generated["people"]) < len(users) < len(generated["people"])
    assert {user["password"] for user in users} == {DEMO_PASSWORD}


def test_named_members_are_merged_first_without_clashes() -> None:
    named = json.loads(NAMED_MEMBERS.read_text(encoding="utf-8"))

    document = dataset_generate(people=500, seed=1, as_of=AS_OF, named=named)

    assert validate_dataset(document) == []
    assert document["people"][: len(named["people"])] == named["people"]
    assert document["accounts"][: len(named["accounts"])] == named["accounts"]
    assert document["houses"][: len(named["houses"])] == named["houses"]
    assert len(document["people"]) == 500 + len(named["people"])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), people=st.integers(min_value=0, max_value=40))
def test_any_seed_and_size_validates(seed: int, people: int) -> None:
    assert validate_dataset(dataset_generate(people=people, seed=seed, as_of=AS_OF)) == []


@pytest.mark.django_db
def test_the_command_writes_the_same_file_twice(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for output in (first, second):
        call_command(
            "generate_dataset", "--people", "50", "--seed", "9", "--as-of", "2026-11-27", "--output", str(output),
            "--no-progress",
        )  # fmt: skip

    assert first.read_bytes() == second.read_bytes()
    assert validate_dataset(json.loads(first.read_text(encoding="utf-8"))) == []


def test_the_command_refuses_a_bad_named_file(tmp_path: Path) -> None:
    bad = tmp_path / "named.json"
    bad.write_text('{"format": "gjj-dataset/1"}', encoding="utf-8")

    with pytest.raises(CommandError, match="--named"):
        call_command("generate_dataset", "--people", "5", "--named", str(bad), stderr=io.StringIO())


def test_the_shipped_demo_dataset_is_what_the_generator_makes() -> None:
    """data/demo-dataset.json must be regenerated when the generator changes:
    gjj generate-dataset --people 300 --seed 20261127 --named data/named-members.json --output data/demo-dataset.json
    """
    finished = subprocess.run(
        [
            sys.executable, "-m", "gjj.cli", "generate-dataset", "--people", "300", "--seed", "20261127",
            "--named", str(NAMED_MEMBERS), "--no-progress",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    )  # fmt: skip

    assert finished.stdout == DEMO_DATASET.read_bytes()
    assert DEMO_DATASET.stat().st_size < 600_000


def test_the_named_members_are_the_shared_sample() -> None:
    sample = REPO_ROOT.parent / "shared" / "data" / "sample-dataset.json"
    if not sample.exists():
        pytest.skip("shared/data/sample-dataset.json is not beside the repository")
    assert json.loads(NAMED_MEMBERS.read_text(encoding="utf-8")) == json.loads(
        sample.read_text(encoding="utf-8")
    )
    assert not NAMED_MEMBERS.is_symlink()
