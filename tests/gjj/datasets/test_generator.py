"""The synthetic dataset generator: deterministic, valid, and with the mix of cases the rules need."""

from __future__ import annotations

import datetime as dt
import io
import itertools
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

from gjj.core.identity_numbers import card_number_problem, id_number_birth_date, id_number_problem
from gjj.core.timeutil import add_years, whole_months_between
from gjj.datasets.generator import DEBIT_CARD_BINS, DEMO_PASSWORD, dataset_generate
from gjj.datasets.validation import validate_dataset
from tests.gjj.datasets.conftest import DEMO_DATASET, NAMED_MEMBERS, OLDER_MEMBERS, REPO_ROOT, SAMPLE_REASONS

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
    married = [person for person in people if person["spouse_id_number"]]
    assert 0.2 < len(married) / len(people) < 0.5


def test_members_are_18_to_90_across_the_working_and_retired_range(generated: dict[str, Any]) -> None:
    births = [id_number_birth_date(person["id_number"]) for person in generated["people"]]
    assert all(add_years(AS_OF, -91) < birth <= add_years(AS_OF, -18) for birth in births)
    years = Counter(birth.year for birth in births)
    assert all(years[year] for year in range(1955, 2006)), "every birth year 1955–2005 is met"
    assert any(birth.year < 1945 for birth in births) and any(birth.year > 2005 for birth in births)
    # Most members are of working age; a good part were born before 沈阳's district codes (1983).
    working = sum(add_years(AS_OF, -60) < birth <= add_years(AS_OF, -22) for birth in births)
    assert working > 0.7 * len(births)
    assert 0.3 < sum(birth.year < 1983 for birth in births) / len(births) < 0.7


def test_every_shenyang_district_holds_members_born_before_1983(generated: dict[str, Any]) -> None:
    older = Counter(p["id_number"][:6] for p in generated["people"] if p["id_number"][6:10] < "1983")
    for district in (
        "210102",
        "210103",
        "210104",
        "210105",
        "210106",
        "210111",
        "210112",
        "210113",
        "210114",
    ):
        assert older[district] > 0, district


def test_retired_codes_only_on_numbers_issued_before_their_retirement(generated: dict[str, Any]) -> None:
    """A number is issued at about 16 (from 1984): 辽中县's 210122 (until 2016) only for people born
    by 2000, 辽中区's 210115 (since 2016) only for people born from 2000, 新民县's 210121 (until
    1993) only for people born by 1977."""
    births_by_area: dict[str, list[int]] = {}
    for person in generated["people"]:
        births_by_area.setdefault(person["id_number"][:6], []).append(int(person["id_number"][6:10]))
    assert births_by_area["210122"] and max(births_by_area["210122"]) <= 2000
    assert births_by_area["210115"] and min(births_by_area["210115"]) >= 2000
    assert births_by_area["210121"] and max(births_by_area["210121"]) <= 1977
    assert births_by_area["210181"]  # 新民市, its successor


def test_members_past_retirement_age_mostly_stopped_paying(generated: dict[str, Any]) -> None:
    people = {person["id_number"]: person for person in generated["people"]}

    def retired(id_number: str) -> bool:
        male = int(id_number[16]) % 2 == 1
        return add_years(id_number_birth_date(id_number), 60 if male else 55) <= AS_OF

    retired_accounts = [a for a in generated["accounts"] if retired(a["id_number"])]
    assert retired_accounts and all(a["id_number"] in people for a in retired_accounts)
    statuses = Counter(account["status"] for account in retired_accounts)
    assert statuses["sealed"] + statuses["closed"] > 0.7 * len(retired_accounts)
    assert statuses["normal"]  # some work on past retirement age


def test_the_mix_of_cases_is_there(generated: dict[str, Any]) -> None:
    accounts = generated["accounts"]
    statuses = Counter(account["status"] for account in accounts)
    assert statuses["normal"] > 0.65 * len(accounts)
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
    make demo-dataset
    """
    finished = subprocess.run(
        [
            sys.executable, "-m", "gjj.cli", "generate-dataset", "--people", "300", "--seed", "20261127",
            "--named", str(NAMED_MEMBERS), "--named", str(OLDER_MEMBERS), "--named", str(SAMPLE_REASONS),
            "--no-progress",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    )  # fmt: skip

    assert finished.stdout == DEMO_DATASET.read_bytes()
    assert DEMO_DATASET.stat().st_size < 600_000
    named = " ".join(
        f"--named {path.relative_to(REPO_ROOT)}" for path in (NAMED_MEMBERS, OLDER_MEMBERS, SAMPLE_REASONS)
    )
    assert named in (REPO_ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_demo_dataset_holds_the_older_named_members_and_many_born_before_1983() -> None:
    demo = json.loads(DEMO_DATASET.read_text(encoding="utf-8"))
    older = json.loads(OLDER_MEMBERS.read_text(encoding="utf-8"))
    named = json.loads(NAMED_MEMBERS.read_text(encoding="utf-8"))
    assert demo["people"][: len(named["people"]) + len(older["people"])] == named["people"] + older["people"]
    born_before_1983 = [p for p in demo["people"] if p["id_number"][6:10] < "1983"]
    assert len(born_before_1983) > 0.3 * len(demo["people"])
    assert {p["id_number"][:6] for p in born_before_1983} >= {"210102", "210103", "210106"}


def test_several_named_files_are_merged_in_their_order(tmp_path: Path) -> None:
    out = tmp_path / "merged.json"
    call_command(
        "generate_dataset", "--people", "20", "--named", str(NAMED_MEMBERS), "--named", str(OLDER_MEMBERS),
        "--output", str(out), "--no-progress", stderr=io.StringIO(),
    )  # fmt: skip

    merged = json.loads(out.read_text(encoding="utf-8"))
    named = json.loads(NAMED_MEMBERS.read_text(encoding="utf-8"))
    older = json.loads(OLDER_MEMBERS.read_text(encoding="utf-8"))
    assert merged["as_of"] == named["as_of"]
    for section in ("people", "accounts", "houses", "bank_accounts", "gov_users"):
        assert merged[section][: len(named[section]) + len(older[section])] == named[section] + older[section]
    assert len(merged["people"]) == len(named["people"]) + len(older["people"]) + 20


def test_the_same_named_file_twice_is_refused_as_a_clash(tmp_path: Path) -> None:
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="未写出文件"):
        call_command(
            "generate_dataset", "--people", "5", "--named", str(OLDER_MEMBERS), "--named", str(OLDER_MEMBERS),
            "--output", str(tmp_path / "clash.json"), "--no-progress", stderr=stderr,
        )  # fmt: skip
    assert "people[4].id_number" in stderr.getvalue()
    assert not (tmp_path / "clash.json").exists()


def test_the_demo_dataset_holds_the_other_reasons_sample_after_the_older_members() -> None:
    """韩梅, 曹阳 and 邓超 (data/sample-reasons.json) are in ``make run``'s demo, with their
    retirement dates and 曹阳's rent withdrawal; the sample's employers are not repeated."""
    demo = json.loads(DEMO_DATASET.read_text(encoding="utf-8"))
    named, older, reasons = (
        json.loads(path.read_text(encoding="utf-8"))
        for path in (NAMED_MEMBERS, OLDER_MEMBERS, SAMPLE_REASONS)
    )
    start = len(named["people"]) + len(older["people"])
    assert demo["people"][start : start + len(reasons["people"])] == reasons["people"]
    for section in ("accounts", "loans", "bank_accounts", "gov_users", "prior_withdrawals"):
        assert all(item in demo[section] for item in reasons[section]), section
    codes = [employer["code"] for employer in demo["employers"]]
    assert len(codes) == len(set(codes))


def test_the_other_reasons_sample_is_the_shared_one() -> None:
    shared = REPO_ROOT.parent / "shared" / "data" / "sample-reasons.json"
    if not shared.exists():
        pytest.skip("shared/data/sample-reasons.json is not beside the repository")
    assert SAMPLE_REASONS.read_bytes() == shared.read_bytes()
    assert not SAMPLE_REASONS.is_symlink()


def test_the_named_members_are_the_shared_sample() -> None:
    sample = REPO_ROOT.parent / "shared" / "data" / "sample-dataset.json"
    if not sample.exists():
        pytest.skip("shared/data/sample-dataset.json is not beside the repository")
    assert json.loads(NAMED_MEMBERS.read_text(encoding="utf-8")) == json.loads(
        sample.read_text(encoding="utf-8")
    )
    assert not NAMED_MEMBERS.is_symlink()


# -- the other withdrawal reasons ----------------------------------------------------------------------


def _male(id_number: str) -> bool:
    return int(id_number[16]) % 2 == 1


def test_retirement_dates_follow_the_statutory_ages(generated: dict[str, Any]) -> None:
    """Men at 60, women at 50 or 55, at the end of that birthday's month, on or before as_of."""
    retired = [
        (p["id_number"], dt.date.fromisoformat(p["retired_on"]))
        for p in generated["people"]
        if "retired_on" in p
    ]
    assert retired
    ages_by_sex: dict[bool, set[int]] = {True: set(), False: set()}
    for id_number, retired_on in retired:
        birth = id_number_birth_date(id_number)
        assert retired_on <= AS_OF
        assert (retired_on + dt.timedelta(days=1)).day == 1, "the end of a month"
        age = retired_on.year - birth.year
        assert (retired_on.month, age) == (birth.month, age)
        ages_by_sex[_male(id_number)].add(age)
    assert ages_by_sex == {True: {60}, False: {50, 55}}


def test_most_but_not_all_members_past_retirement_age_have_a_recorded_date(generated: dict[str, Any]) -> None:
    past = [p for p in generated["people"] if add_years(id_number_birth_date(p["id_number"]), 61) <= AS_OF]
    recorded = sum("retired_on" in p for p in past)
    assert 0.7 * len(past) < recorded < len(past)
    assert all(p.get("retired_on") is None for p in generated["people"]
               if add_years(id_number_birth_date(p["id_number"]), 50) > AS_OF)  # fmt: skip


def test_retired_members_accounts_are_mostly_sealed_or_closed(generated: dict[str, Any]) -> None:
    retired = {p["id_number"] for p in generated["people"] if "retired_on" in p}
    statuses = Counter(a["status"] for a in generated["accounts"] if a["id_number"] in retired)
    assert statuses["sealed"] + statuses["closed"] > 0.7 * sum(statuses.values())
    assert statuses["normal"]  # 离退休提取 of a normal account, too
    loans = {loan["id_number"] for loan in generated["loans"] if loan["status"] in ("active", "overdue")}
    assert retired & loans, "some retired members still have a loan running (loan_active)"


def _by_reason(generated: dict[str, Any], reason: str) -> list[dict[str, Any]]:
    return [w for w in generated["prior_withdrawals"] if w.get("reason", "purchase") == reason]


def test_rent_withdrawals_go_to_members_who_own_no_house(generated: dict[str, Any]) -> None:
    rent = _by_reason(generated, "rent")
    owners = {buyer["id_number"] for house in generated["houses"] for buyer in house["buyers"]}
    spouses = {p["id_number"]: p["spouse_id_number"] for p in generated["people"]}
    accounts = {a["id_number"]: a for a in generated["accounts"]}
    renters = {w["id_number"] for w in rent}
    assert 0.02 * len(generated["people"]) < len(renters) < 0.15 * len(generated["people"])
    for withdrawal in rent:
        assert withdrawal["house"] is None
        assert withdrawal["id_number"] not in owners and spouses[withdrawal["id_number"]] not in owners
        account = accounts[withdrawal["id_number"]]
        assert account["status"] == "normal"
        assert account["opened_on"] < withdrawal["paid_on"] <= AS_OF.isoformat()


def test_rent_withdrawals_cover_whole_periods_within_the_monthly_limit_and_are_spaced(
    generated: dict[str, Any],
) -> None:
    by_person: dict[str, list[dict[str, Any]]] = {}
    for withdrawal in _by_reason(generated, "rent"):
        by_person.setdefault(withdrawal["id_number"], []).append(withdrawal)
    assert any(len(payments) > 1 for payments in by_person.values())
    last_paid = []
    for payments in by_person.values():
        days = [dt.date.fromisoformat(w["paid_on"]) for w in payments]
        assert days == sorted(days)
        for earlier, later in itertools.pairwise(days):
            assert whole_months_between(earlier, later) >= 3
        for payment in payments:
            fen = int(payment["amount"].replace(".", ""))
            assert fen % 10_000 == 0 and 0 < fen <= 150_000 * 12
        last_paid.append(whole_months_between(days[-1], AS_OF))
    # Some paid within the last three months (rent_interval refuses them), most longer ago.
    assert any(months < 3 for months in last_paid) and any(months >= 12 for months in last_paid)


def test_retirement_withdrawals_emptied_accounts_now_closed(generated: dict[str, Any]) -> None:
    retirement = _by_reason(generated, "retirement")
    retired_on = {p["id_number"]: p.get("retired_on") for p in generated["people"]}
    statuses = {a["id_number"]: a["status"] for a in generated["accounts"]}
    assert retirement
    for withdrawal in retirement:
        assert withdrawal["house"] is None
        assert statuses[withdrawal["id_number"]] == "closed"
        assert retired_on[withdrawal["id_number"]] < withdrawal["paid_on"] <= AS_OF.isoformat()


def test_an_employer_named_in_two_files_is_kept_once(tmp_path: Path) -> None:
    """sample-reasons.json names the sample's two employers again: one employer each in the merge,
    while anything else given twice is still refused (see the same named file twice)."""
    out = tmp_path / "merged.json"
    call_command(
        "generate_dataset", "--people", "5", "--named", str(NAMED_MEMBERS), "--named", str(SAMPLE_REASONS),
        "--output", str(out), "--no-progress", stderr=io.StringIO(),
    )  # fmt: skip

    merged = json.loads(out.read_text(encoding="utf-8"))
    named = json.loads(NAMED_MEMBERS.read_text(encoding="utf-8"))
    assert merged["employers"][: len(named["employers"])] == named["employers"]
    codes = [employer["code"] for employer in merged["employers"]]
    assert len(codes) == len(set(codes))
    assert validate_dataset(merged) == []
