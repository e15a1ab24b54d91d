"""`gjj evaluate` on the sample dataset: the cases of the foundation issue, through the live
registry and bank simulators, printing the JSON contract of DESIGN.md."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from gjj.datasets.hall_loader import dataset_load_into_hall
from gjj.policy.rules import RULE_IDS
from tests.support.sims import REPO_ROOT

OLDER_MEMBERS = REPO_ROOT / "data" / "older-members.json"

pytestmark = pytest.mark.django_db


def evaluate(*args: str) -> dict:
    out = io.StringIO()
    call_command("evaluate", *args, "--on", "2026-11-27", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "evaluate prints exactly one JSON object"
    return json.loads(lines[0])


def failed(result: dict) -> set[str]:
    return {check["rule"] for check in result["checks"] if not check["passed"]}


def case(id_number: str, house: str, bank: str, card: str, *extra: str) -> dict:
    house_args = ("--archive-no", house) if house.isdigit() else ("--contract-no", house)
    return evaluate("--id-number", id_number, *house_args, "--bank", bank, "--card", card, *extra)


def test_the_contract_shape(loaded):
    result = case("210102198803120158", "SY202605180001234", "CCB", "6217001376212461799")
    assert set(result) == {"eligible", "relation", "max_amount", "checks"}
    assert [check["rule"] for check in result["checks"]] == list(RULE_IDS)
    for check in result["checks"]:
        assert set(check) == {"rule", "passed", "reason"}
        assert (check["reason"] == "") == check["passed"]


@pytest.mark.parametrize(
    ("id_number", "house", "bank", "card", "relation", "max_amount"),
    [
        ("210102198803120158", "SY202605180001234", "CCB", "6217001376212461799", "buyer", "86420.50"),
        ("210103199007050241", "SY202605180001234", "ICBC", "6222024013192319654", "spouse", "45000.00"),
        ("210106198411110378", "2026010203456", "SJB", "6224553012333258487", "buyer", "120500.80"),
        ("210113199302280421", "SY202606060002468", "CCB", "6227005926859734117", "buyer", "38000.00"),
        # the house price less 钱坤's earlier withdrawal
        ("210103198604040717", "SY202603150007777", "ICBC", "6222007019795107231", "buyer", "70000.00"),
    ],
)
def test_eligible_members(loaded, id_number, house, bank, card, relation, max_amount):
    result = case(id_number, house, bank, card)
    assert failed(result) == set()
    assert result["eligible"] is True
    assert (result["relation"], result["max_amount"]) == (relation, max_amount)


@pytest.mark.parametrize(
    ("id_number", "house", "bank", "card", "must_fail", "words"),
    [
        (
            "21010419850101028X",
            "SY202605180001234",
            "CCB",
            "6217001395353254425",
            {"account_status", "house_found"},
            "封存",
        ),
        (
            "210105199506200139",
            "SY202606060002468",
            "CCB",
            "4367427767603688092",
            {"contribution_months"},
            "3 个月",
        ),
        ("210106198709090461", "SY202204070009876", "ICBC", "6222088635267063982", {"time_window"}, "2 年"),
        ("210113199302280421", "SY202606060002468", "ICBC", "6212260122184678383", {"card_class"}, "二类"),
        ("210105198405150190", "SY202608300004321", "CCB", "6212848194943347205", {"loan_overdue"}, "逾期"),
        ("210102199108180647", "SY202607010005555", "SJB", "6231088259690819", {"house_status"}, "撤销备案"),
        (
            "210102198803120158",
            "SY202605180001234",
            "ICBC",
            "6217001376212461799",
            {"card_bank_match"},
            "建设银行",
        ),
        ("210102198803120158", "SY202605180001234", "CCB", "6217001395353254425", {"card_holder"}, "本人"),
        ("210102198803120158", "SY202605180001234", "CCB", "6217001376212461798", {"card_number"}, "校验位"),
        (
            "210104199701010828",
            "SY202605180001234",
            "CCB",
            "6217006129480648091",
            {"house_found"},
            "未查询到",
        ),
        (
            "210105199202020913",
            "SY202605180001234",
            "CCB",
            "6217001376212461799",
            {"account_found"},
            "公积金账户",
        ),
    ],
)
def test_refused_members_name_the_failed_rule(loaded, id_number, house, bank, card, must_fail, words):
    result = case(id_number, house, bank, card)
    assert result["eligible"] is False
    assert must_fail <= failed(result)
    reasons = " ".join(c["reason"] for c in result["checks"] if c["rule"] in must_fail)
    assert words in reasons


def test_exactly_the_expected_rules_fail_for_single_fault_cases(loaded):
    """Where a member has one problem, only that rule (and nothing else) fails."""
    assert failed(case("210105199506200139", "SY202606060002468", "CCB", "4367427767603688092")) == {
        "contribution_months"
    }
    assert failed(case("210106198709090461", "SY202204070009876", "ICBC", "6222088635267063982")) == {
        "time_window"
    }
    assert failed(case("210113199302280421", "SY202606060002468", "ICBC", "6212260122184678383")) == {
        "card_class"
    }
    assert failed(case("210105198405150190", "SY202608300004321", "CCB", "6212848194943347205")) == {
        "loan_overdue"
    }
    assert failed(case("210102199108180647", "SY202607010005555", "SJB", "6231088259690819")) == {
        "house_status"
    }


def test_amount_above_the_maximum(loaded):
    result = case(
        "210102198803120158", "SY202605180001234", "CCB", "6217001376212461799", "--amount", "90000"
    )
    assert failed(result) == {"amount"}
    assert result["max_amount"] == "86420.50"
    assert "86,420.50" in next(c["reason"] for c in result["checks"] if c["rule"] == "amount")


def test_a_house_that_is_not_theirs_reads_like_a_missing_one(loaded):
    not_theirs = case("210104199701010828", "SY202605180001234", "CCB", "6217006129480648091")
    missing = case("210104199701010828", "SY209901010000000", "CCB", "6217006129480648091")
    house_rules = {"house_found", "house_status", "house_kind", "time_window", "house_used"}
    assert [c for c in not_theirs["checks"] if c["rule"] in house_rules] == [
        c for c in missing["checks"] if c["rule"] in house_rules
    ]
    assert not_theirs["relation"] is None and not_theirs["max_amount"] is None


def test_the_registry_being_down_is_said_plainly(loaded, sims):
    sims.set_fault(system="registry", operation="lookup", mode="error")
    result = case("210102198803120158", "SY202605180001234", "CCB", "6217001376212461799")
    assert result["eligible"] is False
    assert "暂时无法访问" in next(c["reason"] for c in result["checks"] if c["rule"] == "house_found")


def test_a_bad_amount_is_refused_with_a_message(loaded):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="格式不正确"):
        case("210102198803120158", "SY202605180001234", "CCB", "6217001376212461799", "--amount", "12.345")


@pytest.fixture
def loaded_older(sims, sample_dataset):
    """The sample and the members born before their districts' codes existed, everywhere."""
    older_members = json.loads(OLDER_MEMBERS.read_text(encoding="utf-8"))
    for document in (sample_dataset, older_members):
        sims.load_dataset(document)
        dataset_load_into_hall(document=document)
    return older_members


@pytest.mark.parametrize(
    ("id_number", "house", "bank", "card", "max_amount"),
    [
        # born 1962 in 和平区 (210102, a code from 1983): a new house
        ("210102196204180133", "SY202609150004321", "CCB", "6217001376621962049", "152380.60"),
        # born 1970 in 铁西区 (210106): a resale house
        ("210106197008152469", "2026070801234", "ICBC", "6222024013700815243", "68900.00"),
    ],
)
def test_members_born_before_their_districts_code_existed_are_eligible(
    loaded_older, id_number, house, bank, card, max_amount
):
    result = case(id_number, house, bank, card)
    assert failed(result) == set()
    assert result["eligible"] is True
    assert (result["relation"], result["max_amount"]) == ("buyer", max_amount)


def test_the_id_number_is_taken_as_typed(loaded_older):
    """Spaces and full-width digits from a Chinese input method are what people type."""
    typed = "２１０１０２ １９６２０４１８ ０１３３"
    result = case(typed, "SY202609150004321", "CCB", "6217001376621962049")
    assert result["eligible"] is True
