"""The withdrawal rules of DESIGN.md, one pure function each, on the shipped default policy.

Plain unit tests: no database, no network. Facts are built from a valid set by ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import gjj.policy
from gjj.core.identity_numbers import luhn_check_digit
from gjj.core.timeutil import add_years
from gjj.policy.evaluation import Evaluation, evaluate
from gjj.policy.facts import (
    MACHINE_SOURCES,
    SOURCE_APPLICANT,
    SOURCE_BANK,
    SOURCE_CENTRE,
    SOURCE_REGISTRY,
    AccountFacts,
    CardFacts,
    EvaluationFacts,
    HouseFacts,
)
from gjj.policy.rules import HOUSE_RULE_IDS, RULE_IDS, RULES, RuleResult, max_amount_fen
from gjj.policy.schema import policy_load

POLICY = policy_load(Path(gjj.policy.__file__).parent / "default_policy.toml")
RULE = {rule.__name__: rule for rule in RULES}

# The order and ids of DESIGN.md's table.
DESIGN_RULE_IDS = (
    "account_found",
    "account_status",
    "contribution_months",
    "loan_overdue",
    "house_found",
    "house_status",
    "house_kind",
    "time_window",
    "open_application",
    "house_used",
    "amount",
    "bank_allowed",
    "card_number",
    "card_type",
    "card_bank_match",
    "card_class",
    "card_holder",
    "card_status",
)
CARD_RULES = frozenset(DESIGN_RULE_IDS[11:])
BANK_ANSWER_RULES = frozenset({"card_class", "card_holder", "card_status"})
NO_HOUSE_RULES = frozenset(
    {"house_found", "house_status", "house_kind", "time_window", "house_used", "amount"}
)
NO_ACCOUNT_RULES = frozenset({"account_found", "account_status", "contribution_months", "amount"})

ON = dt.date(2026, 11, 27)
APPLICANT_ID = "110101199003070011"
APPLICANT_NAME = "张伟"
OTHER_ID = "11010519491231002X"


def card_no(prefix: str, length: int, fill: str = "3") -> str:
    """A Luhn-valid card number of ``length`` digits starting with ``prefix``."""
    partial = (prefix + fill * length)[: length - 1]
    return partial + luhn_check_digit(partial)


def with_bad_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


CCB_CARD = card_no("621700", 19)
ICBC_CARD = card_no("622202", 19)
SJB_CARD_16 = card_no("623108", 16)
SJB_CARD_18 = card_no("566666", 18)
CCB_CREDIT = card_no("436718", 16)
ICBC_CREDIT = card_no("427010", 16)
ABC_CARD = card_no("622848", 19)  # 农业银行: no bin in the policy


def account(**changes: object) -> AccountFacts:
    # balance − frozen = 86,420.50 元 available
    base = AccountFacts(
        account_no="210100000123",
        status="normal",
        balance_fen=9_000_000,
        frozen_fen=357_950,
        consecutive_months=36,
    )
    return dataclasses.replace(base, **changes)


def house(**changes: object) -> HouseFacts:
    base = HouseFacts(
        looked_up_by="contract_no",
        key="SY2025-000123",
        kind="new",
        status="valid",
        filed_on=dt.date(2025, 6, 1),
        registered_on=None,
        total_price_fen=150_000_000,  # 1,500,000.00 元
        relation="buyer",
    )
    return dataclasses.replace(base, **changes)


def resale_house(**changes: object) -> HouseFacts:
    base = house(
        looked_up_by="archive_no",
        key="2025-0456789",
        kind="resale",
        filed_on=None,
        registered_on=dt.date(2025, 6, 1),
    )
    return dataclasses.replace(base, **changes)


def card(**changes: object) -> CardFacts:
    base = CardFacts(
        bank="CCB",
        card_no=CCB_CARD,
        bank_found=True,
        bank_card_type="debit",
        bank_account_class=1,
        bank_holder_id_number=APPLICANT_ID,
        bank_holder_name=APPLICANT_NAME,
        bank_status="normal",
    )
    return dataclasses.replace(base, **changes)


def bank_did_not_answer(**changes: object) -> CardFacts:
    blank = {
        "bank_found": None,
        "bank_card_type": None,
        "bank_account_class": None,
        "bank_holder_id_number": None,
        "bank_holder_name": None,
        "bank_status": None,
    }
    return card(**{**blank, **changes})


def facts(**changes: object) -> EvaluationFacts:
    base = EvaluationFacts(
        on=ON,
        applicant_id_number=APPLICANT_ID,
        applicant_name=APPLICANT_NAME,
        account=account(),
        has_overdue_loan=False,
        house=house(),
        registry_unavailable=False,
        open_application_numbers=(),
        member_withdrawals_on_house=0,
        house_withdrawn_fen=0,
        card=card(),
        requested_amount_fen=None,
    )
    return dataclasses.replace(base, **changes)


def run(rule_id: str, the_facts: EvaluationFacts, policy=POLICY) -> RuleResult:
    result = RULE[rule_id](policy, the_facts)
    assert result.rule == rule_id
    assert isinstance(result.passed, bool)
    assert (result.reason == "") == result.passed
    return result


def failing_rules(the_facts: EvaluationFacts, policy=POLICY) -> set[str]:
    return {result.rule for result in evaluate(policy, the_facts).failures}


# --- the rule set ----------------------------------------------------------------------------


def test_rule_ids_are_those_of_the_design_in_its_order() -> None:
    assert RULE_IDS == DESIGN_RULE_IDS
    assert frozenset(RULE_IDS[11:]) == CARD_RULES
    assert {"house_found", "house_status", "house_kind", "time_window", "house_used"} == HOUSE_RULE_IDS


def test_all_rules_pass_for_valid_facts() -> None:
    evaluation = evaluate(POLICY, facts())
    assert [r.rule for r in evaluation.results] == list(RULE_IDS)
    assert evaluation.failures == ()
    assert evaluation.eligible is True
    assert evaluation.max_amount_fen == 8_642_050
    for rule_id in RULE_IDS:
        assert run(rule_id, facts()).passed


@pytest.mark.parametrize(
    "valid",
    [
        pytest.param(facts(house=resale_house()), id="resale house by archive number"),
        pytest.param(facts(house=house(relation="spouse")), id="spouse of the buyer"),
        pytest.param(facts(card=card(bank="ICBC", card_no=ICBC_CARD)), id="ICBC card"),
        pytest.param(facts(card=card(bank="SJB", card_no=SJB_CARD_16)), id="SJB 16-digit card"),
        pytest.param(facts(card=card(bank="SJB", card_no=SJB_CARD_18)), id="SJB 18-digit card"),
        pytest.param(facts(card=card(bank_card_type=None)), id="bank did not say the card type"),
        pytest.param(facts(account=account(consecutive_months=3)), id="exactly 3 months"),
        pytest.param(facts(requested_amount_fen=1), id="one fen"),
        pytest.param(facts(requested_amount_fen=8_642_050), id="exactly the available balance"),
        pytest.param(facts(account=account(frozen_fen=0)), id="nothing frozen"),
        pytest.param(facts(has_overdue_loan=False, open_application_numbers=()), id="no loan, nothing open"),
    ],
)
def test_other_valid_facts_are_eligible(valid: EvaluationFacts) -> None:
    assert failing_rules(valid) == set()


# --- failing cases: every rule, each way it fails --------------------------------------------

# (facts, the rule under test, words its reason must contain, every rule that fails on these facts)
FAILING = [
    # account_found
    pytest.param(
        facts(account=None),
        "account_found",
        ["未查询到", "住房公积金账户"],
        NO_ACCOUNT_RULES,
        id="no account",
    ),
    # account_status
    pytest.param(
        facts(account=account(status="sealed")),
        "account_status",
        ["账户状态为封存", "不符合购房提取条件", "正常"],
        {"account_status"},
        id="account sealed",
    ),
    pytest.param(
        facts(account=account(status="frozen")),
        "account_status",
        ["冻结", "正常"],
        {"account_status"},
        id="frozen",
    ),
    pytest.param(
        facts(account=account(status="closed")),
        "account_status",
        ["销户", "正常"],
        {"account_status"},
        id="closed",
    ),
    pytest.param(
        facts(account=None), "account_status", ["未查询到"], NO_ACCOUNT_RULES, id="status without account"
    ),
    # contribution_months
    pytest.param(
        facts(account=account(consecutive_months=2)),
        "contribution_months",
        ["连续缴存 2 个月", "满 3 个月"],
        {"contribution_months"},
        id="2 months",
    ),
    pytest.param(
        facts(account=account(consecutive_months=0)),
        "contribution_months",
        ["0 个月", "3 个月"],
        {"contribution_months"},
        id="0 months",
    ),
    pytest.param(
        facts(account=None), "contribution_months", ["未查询到"], NO_ACCOUNT_RULES, id="months no account"
    ),
    # loan_overdue
    pytest.param(
        facts(has_overdue_loan=True), "loan_overdue", ["贷款", "逾期"], {"loan_overdue"}, id="overdue loan"
    ),
    # house_found
    pytest.param(
        facts(house=None),
        "house_found",
        ["未查询到", "备案合同号", "房证新档案号"],
        NO_HOUSE_RULES,
        id="no house",
    ),
    pytest.param(
        facts(house=None, registry_unavailable=True),
        "house_found",
        ["房屋信息系统暂时无法访问", "稍后再试"],
        NO_HOUSE_RULES,
        id="registry unavailable",
    ),
    # house_status
    pytest.param(
        facts(house=house(status="cancelled")),
        "house_status",
        ["撤销备案"],
        {"house_status"},
        id="filing cancelled",
    ),
    pytest.param(facts(house=None), "house_status", ["未查询到"], NO_HOUSE_RULES, id="status without house"),
    # house_kind
    pytest.param(
        facts(house=house(looked_up_by="archive_no")),
        "house_kind",
        ["新建商品房", "备案合同号"],
        {"house_kind"},
        id="new house by archive number",
    ),
    pytest.param(
        facts(house=resale_house(looked_up_by="contract_no")),
        "house_kind",
        ["存量房", "房证新档案号"],
        {"house_kind"},
        id="resale house by contract number",
    ),
    # time_window
    pytest.param(
        facts(house=house(filed_on=dt.date(2024, 11, 26))),
        "time_window",
        ["购房合同备案日期为 2024-11-26", "2 年", "2026-11-26"],
        {"time_window"},
        id="filed 2 years and a day ago",
    ),
    pytest.param(
        facts(house=resale_house(registered_on=dt.date(2024, 11, 26))),
        "time_window",
        ["不动产登记日期为 2024-11-26", "2 年", "2026-11-26"],
        {"time_window"},
        id="registered 2 years and a day ago",
    ),
    pytest.param(
        facts(house=house(filed_on=None)),
        "time_window",
        ["没有购房合同备案日期"],
        {"time_window"},
        id="no filing date",
    ),
    pytest.param(
        facts(house=resale_house(registered_on=None)),
        "time_window",
        ["没有不动产登记日期"],
        {"time_window"},
        id="no registration date",
    ),
    # open_application
    pytest.param(
        facts(open_application_numbers=("TQ20261120000007",)),
        "open_application",
        ["1 笔未办结", "TQ20261120000007", "最多办理 1 笔"],
        {"open_application"},
        id="one open application",
    ),
    pytest.param(
        facts(open_application_numbers=("TQ20261120000007", "TQ20261121000001")),
        "open_application",
        ["2 笔未办结", "TQ20261120000007、TQ20261121000001", "最多办理 1 笔"],
        {"open_application"},
        id="two open applications",
    ),
    # house_used
    pytest.param(
        facts(member_withdrawals_on_house=1),
        "house_used",
        ["办理过 1 次", "最多提取 1 次"],
        {"house_used"},
        id="house already used",
    ),
    # amount
    pytest.param(
        facts(requested_amount_fen=8_642_051),
        "amount",
        ["提取金额 86,420.51 元", "可用余额 86,420.50 元"],
        {"amount"},
        id="over the available balance",
    ),
    pytest.param(
        facts(
            house=house(relation="spouse", total_price_fen=50_000_000),
            house_withdrawn_fen=49_000_000,
            requested_amount_fen=1_000_001,
        ),
        "amount",
        [
            "提取金额 10,000.01 元",
            "尚可提取的金额 10,000.00 元",
            "总价 500,000.00 元",
            "已提取 490,000.00 元",
        ],
        {"amount"},
        id="over what is left of the house price",
    ),
    pytest.param(
        facts(account=account(balance_fen=357_950, frozen_fen=357_950)),
        "amount",
        ["可用余额为 0.00 元"],
        {"amount"},
        id="nothing available",
    ),
    pytest.param(
        facts(account=account(balance_fen=100, frozen_fen=500)),
        "amount",
        ["可用余额为 0.00 元"],
        {"amount"},
        id="more frozen than the balance",
    ),
    pytest.param(
        facts(house_withdrawn_fen=150_000_000),
        "amount",
        ["房屋总价 1,500,000.00 元", "不能再提取"],
        {"amount"},
        id="house price used up",
    ),
    pytest.param(facts(requested_amount_fen=0), "amount", ["大于 0 元"], {"amount"}, id="zero requested"),
    pytest.param(
        facts(requested_amount_fen=-100), "amount", ["大于 0 元"], {"amount"}, id="negative requested"
    ),
    pytest.param(
        facts(house=None), "amount", ["无法核定可提取金额"], NO_HOUSE_RULES, id="amount without house"
    ),
    pytest.param(
        facts(account=None), "amount", ["无法核定可提取金额"], NO_ACCOUNT_RULES, id="amount without account"
    ),
    # bank_allowed
    pytest.param(
        facts(card=card(bank="BOC")),
        "bank_allowed",
        ["收款银行", "建设银行", "工商银行", "盛京银行"],
        {"bank_allowed", "card_bank_match"},
        id="other bank",
    ),
    pytest.param(facts(card=None), "bank_allowed", ["收款银行"], CARD_RULES, id="no card"),
    # card_number
    pytest.param(
        facts(card=card(card_no=with_bad_check_digit(CCB_CARD))),
        "card_number",
        ["校验位不正确"],
        {"card_number"} | BANK_ANSWER_RULES,
        id="bad Luhn digit",
    ),
    pytest.param(
        facts(card=card(card_no=card_no("621700", 15))),
        "card_number",
        ["16–19 位", "您输入的是 15 位"],
        {"card_number", "card_bank_match"} | BANK_ANSWER_RULES,
        id="15 digits",
    ),
    pytest.param(
        facts(card=card(card_no=card_no("621700", 20))),
        "card_number",
        ["16–19 位", "您输入的是 20 位"],
        {"card_number", "card_bank_match"} | BANK_ANSWER_RULES,
        id="20 digits",
    ),
    pytest.param(
        facts(card=card(card_no=f"{CCB_CARD[:4]} {CCB_CARD[4:8]} {CCB_CARD[8:12]} {CCB_CARD[12:]}")),
        "card_number",
        ["全部为数字"],
        CARD_RULES - {"bank_allowed"},
        id="card number with spaces",
    ),
    pytest.param(facts(card=None), "card_number", ["银行卡号码"], CARD_RULES, id="card number missing"),
    # card_type
    pytest.param(
        facts(card=card(card_no=CCB_CREDIT, bank_card_type="credit")),
        "card_type",
        ["信用卡", "借记卡"],
        {"card_type"},
        id="CCB credit bin 436718",
    ),
    pytest.param(
        facts(card=card(bank="ICBC", card_no=ICBC_CREDIT, bank_card_type="credit")),
        "card_type",
        ["信用卡", "借记卡"],
        {"card_type"},
        id="ICBC credit bin 427010",
    ),
    pytest.param(
        facts(card=card(card_no=CCB_CREDIT, bank_card_type=None)),
        "card_type",
        ["信用卡"],
        {"card_type"},
        id="credit bin, bank silent on the type",
    ),
    pytest.param(
        facts(card=card(bank_card_type="credit")),
        "card_type",
        ["信用卡"],
        {"card_type"},
        id="bank says credit on a debit bin",
    ),
    pytest.param(
        facts(card=bank_did_not_answer(card_no=ABC_CARD, bank_found=False)),
        "card_type",
        ["无法识别", "借记卡"],
        {"card_type", "card_bank_match"} | BANK_ANSWER_RULES,
        id="unknown bin",
    ),
    # card_bank_match
    pytest.param(
        facts(card=card(bank="ICBC", card_no=CCB_CARD)),
        "card_bank_match",
        ["该卡号属于建设银行", "所选收款银行工商银行"],
        {"card_bank_match"},
        id="CCB card with ICBC chosen",
    ),
    pytest.param(
        facts(card=card(bank="CCB", card_no=SJB_CARD_16)),
        "card_bank_match",
        ["盛京银行", "建设银行"],
        {"card_bank_match"},
        id="SJB card with CCB chosen",
    ),
    pytest.param(
        facts(card=card(card_no=card_no("621700", 16))),
        "card_bank_match",
        ["建设银行", "应为 19 位", "您输入的是 16 位"],
        {"card_bank_match"},
        id="wrong length for the bin",
    ),
    pytest.param(
        facts(card=card(bank="SJB", card_no=card_no("623108", 19))),
        "card_bank_match",
        ["盛京银行", "应为 16 位", "您输入的是 19 位"],
        {"card_bank_match"},
        id="19 digits on a 16-digit bin",
    ),
    # card_class
    pytest.param(
        facts(card=card(bank_account_class=2)),
        "card_class",
        ["该卡为二类账户", "一类账户"],
        {"card_class"},
        id="class II",
    ),
    pytest.param(
        facts(card=card(bank_account_class=3)),
        "card_class",
        ["三类账户", "一类账户"],
        {"card_class"},
        id="class III",
    ),
    pytest.param(
        facts(card=card(bank_account_class=None)),
        "card_class",
        ["未知类别账户", "一类账户"],
        {"card_class"},
        id="class not reported",
    ),
    # card_holder
    pytest.param(
        facts(card=card(bank_holder_id_number=OTHER_ID)),
        "card_holder",
        ["户主不是申请人本人"],
        {"card_holder"},
        id="other holder id",
    ),
    pytest.param(
        facts(card=card(bank_holder_name="李娜")),
        "card_holder",
        ["户主不是申请人本人"],
        {"card_holder"},
        id="other holder name",
    ),
    # card_status
    pytest.param(
        facts(card=card(bank_status="frozen")),
        "card_status",
        ["状态为冻结", "正常状态"],
        {"card_status"},
        id="card frozen",
    ),
    pytest.param(
        facts(card=card(bank_status="closed")),
        "card_status",
        ["销户", "正常状态"],
        {"card_status"},
        id="card closed",
    ),
    pytest.param(
        facts(card=card(bank_status=None)),
        "card_status",
        ["异常", "正常状态"],
        {"card_status"},
        id="no status",
    ),
    # the bank could not be asked, or did not know the card
    *[
        pytest.param(
            facts(card=bank_did_not_answer(bank_unavailable=True)),
            rule_id,
            ["银行系统暂时无法核验"],
            BANK_ANSWER_RULES,
            id=f"{rule_id}: bank unavailable",
        )
        for rule_id in sorted(BANK_ANSWER_RULES)
    ],
    *[
        pytest.param(
            facts(card=bank_did_not_answer(bank_found=False)),
            rule_id,
            ["银行未查询到该卡"],
            BANK_ANSWER_RULES,
            id=f"{rule_id}: card not found at the bank",
        )
        for rule_id in sorted(BANK_ANSWER_RULES)
    ],
]


@pytest.mark.parametrize(("the_facts", "rule_id", "words", "all_failing"), FAILING)
def test_failing_case(
    the_facts: EvaluationFacts, rule_id: str, words: list[str], all_failing: set[str]
) -> None:
    result = run(rule_id, the_facts)
    assert result.passed is False
    for word in words:
        assert word in result.reason, (word, result.reason)
    # The fact at fault fails exactly the rules that depend on it, and no other.
    assert failing_rules(the_facts) == set(all_failing)


def test_every_rule_has_failing_cases() -> None:
    assert {case.values[1] for case in FAILING} == set(RULE_IDS)


# --- boundaries ------------------------------------------------------------------------------


def test_account_status_follows_the_policy() -> None:
    lenient = dataclasses.replace(POLICY, allowed_account_statuses=frozenset({"normal", "sealed"}))
    assert run("account_status", facts(account=account(status="sealed")), lenient).passed
    result = run("account_status", facts(account=account(status="frozen")), lenient)
    assert (
        not result.passed and "冻结" in result.reason and "封存" in result.reason and "正常" in result.reason
    )


@given(st.integers(min_value=0, max_value=600))
def test_contribution_months_at_least_three(months: int) -> None:
    result = run("contribution_months", facts(account=account(consecutive_months=months)))
    assert result.passed == (months >= 3)


def test_contribution_months_follows_the_policy() -> None:
    policy = dataclasses.replace(POLICY, min_consecutive_months=6)
    assert run("contribution_months", facts(account=account(consecutive_months=6)), policy).passed
    result = run("contribution_months", facts(account=account(consecutive_months=5)), policy)
    assert "5 个月" in result.reason and "6 个月" in result.reason


def test_overdue_loans_may_be_allowed_by_the_policy() -> None:
    policy = dataclasses.replace(POLICY, refuse_overdue_loans=False)
    assert run("loan_overdue", facts(has_overdue_loan=True), policy).passed


def test_house_kind_follows_the_policy() -> None:
    only_new = dataclasses.replace(POLICY, allowed_house_kinds=frozenset({"new"}))
    assert run("house_kind", facts(), only_new).passed
    result = run("house_kind", facts(house=resale_house()), only_new)
    assert not result.passed and "存量房" in result.reason and "暂不受理" in result.reason


@pytest.mark.parametrize("make_house", [house, resale_house], ids=["new: filed_on", "resale: registered_on"])
def test_time_window_is_counted_to_the_day(make_house) -> None:
    started = dt.date(2024, 11, 27)
    field = "filed_on" if make_house is house else "registered_on"
    the_house = make_house(**{field: started})
    assert run("time_window", facts(house=the_house, on=dt.date(2026, 11, 27))).passed
    assert run("time_window", facts(house=the_house, on=started)).passed
    late = run("time_window", facts(house=the_house, on=dt.date(2026, 11, 28)))
    assert not late.passed
    assert "2024-11-27" in late.reason and "2026-11-27" in late.reason


@pytest.mark.parametrize("make_house", [house, resale_house], ids=["new", "resale"])
def test_time_window_from_a_leap_day(make_house) -> None:
    field = "filed_on" if make_house is house else "registered_on"
    the_house = make_house(**{field: dt.date(2024, 2, 29)})
    assert run("time_window", facts(house=the_house, on=dt.date(2026, 2, 28))).passed
    late = run("time_window", facts(house=the_house, on=dt.date(2026, 3, 1)))
    assert not late.passed
    assert "2024-02-29" in late.reason and "2026-02-28" in late.reason


def test_time_window_uses_the_date_of_the_house_kind() -> None:
    old, recent = dt.date(2020, 1, 1), dt.date(2026, 1, 1)
    # new: the filing date counts, the registration date does not; resale the other way round.
    assert run("time_window", facts(house=house(filed_on=recent, registered_on=old))).passed
    assert not run("time_window", facts(house=house(filed_on=old, registered_on=recent))).passed
    assert run("time_window", facts(house=resale_house(registered_on=recent, filed_on=old))).passed
    assert not run("time_window", facts(house=resale_house(registered_on=old, filed_on=recent))).passed


def test_time_window_follows_the_policy() -> None:
    policy = dataclasses.replace(POLICY, max_years_since_filing=5)
    the_house = house(filed_on=dt.date(2021, 11, 27))
    assert run("time_window", facts(house=the_house), policy).passed
    result = run("time_window", facts(house=the_house, on=dt.date(2026, 11, 28)), policy)
    assert "5 年" in result.reason


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=-30, max_value=3 * 366),
    st.booleans(),
)
def test_time_window_property(started: dt.date, days_after_two_years: int, new: bool) -> None:
    # Oracle independent of add_years: (y, m, d) tuples compare like dates, and a filing on
    # 29 February is in time until the end of 28 February of a common year.
    on = dt.date(started.year + 2, started.month, min(started.day, 28)) + dt.timedelta(
        days=days_after_two_years
    )
    the_house = house(filed_on=started) if new else resale_house(registered_on=started)
    in_time = (on.year, on.month, on.day) <= (started.year + 2, started.month, started.day)
    assert run("time_window", facts(house=the_house, on=on)).passed == in_time


def test_open_application_follows_the_policy() -> None:
    policy = dataclasses.replace(POLICY, max_open_applications=2)
    assert run("open_application", facts(open_application_numbers=("TQ1",)), policy).passed
    result = run("open_application", facts(open_application_numbers=("TQ1", "TQ2")), policy)
    assert "最多办理 2 笔" in result.reason


def test_house_used_follows_the_policy() -> None:
    policy = dataclasses.replace(POLICY, max_withdrawals_per_member_per_house=2)
    assert run("house_used", facts(member_withdrawals_on_house=1), policy).passed
    assert not run("house_used", facts(member_withdrawals_on_house=2), policy).passed


def test_a_house_withdrawn_on_by_someone_else_still_counts_toward_the_price() -> None:
    # The other spouse withdrew on this house before: the member's own count is 0, the sum is not.
    the_facts = facts(
        house=house(relation="spouse", total_price_fen=50_000_000), house_withdrawn_fen=49_000_000
    )
    assert failing_rules(the_facts) == set()
    assert max_amount_fen(the_facts) == 1_000_000
    assert run("amount", dataclasses.replace(the_facts, requested_amount_fen=1_000_000)).passed


# --- a house that is not the applicant's -----------------------------------------------------


@given(
    withdrawals=st.integers(min_value=0, max_value=5),
    withdrawn=st.integers(min_value=0, max_value=10**10),
    requested=st.none() | st.integers(min_value=-(10**6), max_value=10**10),
)
def test_a_house_that_is_not_theirs_tells_nothing_about_the_house(
    withdrawals: int, withdrawn: int, requested: int | None
) -> None:
    # The registry has the house but the applicant is neither buyer nor spouse: the facts carry no
    # house, exactly as for a number that does not exist. Whatever the hall's records say about
    # withdrawals on that key, the answers are word for word those of a missing house.
    missing = evaluate(POLICY, facts(house=None))
    not_theirs = evaluate(
        POLICY,
        facts(
            house=None,
            member_withdrawals_on_house=withdrawals,
            house_withdrawn_fen=withdrawn,
            requested_amount_fen=requested,
        ),
    )
    for rule_id in NO_HOUSE_RULES:
        assert not_theirs.result(rule_id) == missing.result(rule_id)
        assert not any(ch.isdigit() for ch in not_theirs.result(rule_id).reason)
    assert not_theirs.relation is None and not_theirs.max_amount_fen is None
    assert not_theirs.as_json()["max_amount"] is None


def test_missing_house_reasons_do_not_describe_a_house() -> None:
    evaluation = evaluate(POLICY, facts(house=None))
    for rule_id in HOUSE_RULE_IDS:
        reason = evaluation.result(rule_id).reason
        assert reason.startswith("未查询到您（或配偶）名下")
        for word in ("新建商品房", "存量房", "撤销", "已超过", "办理过", "暂时无法访问"):
            assert word not in reason


# --- amounts ---------------------------------------------------------------------------------


@given(
    balance=st.integers(min_value=0, max_value=10**10),
    frozen=st.integers(min_value=0, max_value=10**10),
    price=st.integers(min_value=0, max_value=10**10),
    withdrawn=st.integers(min_value=0, max_value=10**10),
)
def test_max_amount_is_the_most_that_may_be_withdrawn(
    balance: int, frozen: int, price: int, withdrawn: int
) -> None:
    the_facts = facts(
        account=account(balance_fen=balance, frozen_fen=frozen),
        house=house(total_price_fen=price),
        house_withdrawn_fen=withdrawn,
    )
    most = max_amount_fen(the_facts)
    assert most is not None
    assert 0 <= most <= max(balance - frozen, 0)
    assert most <= max(price - withdrawn, 0)
    assert evaluate(POLICY, the_facts).max_amount_fen == most

    default = run("amount", the_facts)  # no amount asked for: the most
    assert default.passed == (most > 0)
    if most > 0:
        assert run("amount", dataclasses.replace(the_facts, requested_amount_fen=most)).passed
        too_much = run("amount", dataclasses.replace(the_facts, requested_amount_fen=most + 1))
        assert not too_much.passed
        assert "超过" in too_much.reason


@given(requested=st.integers(min_value=-(10**6), max_value=10**8))
def test_amount_passes_exactly_between_one_fen_and_the_most(requested: int) -> None:
    # available 86,420.50 元, house price 1,500,000.00 元 untouched
    passed = run("amount", facts(requested_amount_fen=requested)).passed
    assert passed == (1 <= requested <= 8_642_050)


# --- cards -----------------------------------------------------------------------------------


@pytest.mark.parametrize("position", range(19))
def test_any_single_digit_change_of_the_card_number_fails(position: int) -> None:
    for digit in "0123456789":
        if digit == CCB_CARD[position]:
            continue
        changed = CCB_CARD[:position] + digit + CCB_CARD[position + 1 :]
        assert not run("card_number", facts(card=card(card_no=changed))).passed


def test_card_class_follows_the_policy() -> None:
    policy = dataclasses.replace(POLICY, required_account_class=2)
    assert run("card_class", facts(card=card(bank_account_class=2)), policy).passed
    result = run("card_class", facts(card=card(bank_account_class=1)), policy)
    assert "一类账户" in result.reason and "二类账户" in result.reason


# --- the evaluation and its JSON contract ----------------------------------------------------


def test_as_json_of_an_eligible_member() -> None:
    out = evaluate(POLICY, facts()).as_json()
    assert set(out) == {"eligible", "relation", "max_amount", "checks"}
    assert out["eligible"] is True
    assert out["relation"] == "buyer"
    assert out["max_amount"] == "86420.50"
    assert [check["rule"] for check in out["checks"]] == list(RULE_IDS)
    for check in out["checks"]:
        assert set(check) == {"rule", "passed", "reason"}
        assert check["passed"] is True
        assert check["reason"] == ""
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out


def test_as_json_of_a_refused_member() -> None:
    the_facts = facts(
        account=account(status="sealed"),
        house=house(relation="spouse"),
        card=card(bank_account_class=2),
    )
    evaluation = evaluate(POLICY, the_facts)
    out = evaluation.as_json()
    assert out["eligible"] is False
    assert out["relation"] == "spouse"
    assert out["max_amount"] == "86420.50"
    assert [check["rule"] for check in out["checks"]] == list(RULE_IDS)
    failed = {check["rule"]: check["reason"] for check in out["checks"] if not check["passed"]}
    assert set(failed) == {"account_status", "card_class"}
    assert "封存" in failed["account_status"] and "二类" in failed["card_class"]
    for check in out["checks"]:
        assert set(check) == {"rule", "passed", "reason"}
        assert (check["reason"] == "") == check["passed"]
        assert check["reason"] == evaluation.result(check["rule"]).reason


@pytest.mark.parametrize(
    ("available", "text"), [(5, "0.05"), (100, "1.00"), (8_642_050, "86420.50"), (123_456_789, "1234567.89")]
)
def test_max_amount_is_yuan_with_two_decimals(available: int, text: str) -> None:
    out = evaluate(POLICY, facts(account=account(balance_fen=available, frozen_fen=0))).as_json()
    assert out["max_amount"] == text


def test_max_amount_and_relation_are_null_when_unknown() -> None:
    for the_facts in (facts(account=None), facts(house=None), facts(house=None, registry_unavailable=True)):
        out = evaluate(POLICY, the_facts).as_json()
        assert out["max_amount"] is None
        assert out["eligible"] is False
    assert evaluate(POLICY, facts(house=None)).as_json()["relation"] is None


def test_results_json_adds_the_source() -> None:
    evaluation = evaluate(POLICY, facts())
    stored = evaluation.results_json()
    assert [{k: v for k, v in row.items() if k != "source"} for row in stored] == evaluation.as_json()[
        "checks"
    ]
    assert all(row["source"] in MACHINE_SOURCES for row in stored)


def test_every_fact_of_a_valid_evaluation_comes_from_a_data_source() -> None:
    evaluation = evaluate(POLICY, facts())
    assert evaluation.machine_verified is True
    sources = {r.rule: r.source for r in evaluation.results}
    for rule_id in (
        "account_found",
        "account_status",
        "contribution_months",
        "loan_overdue",
        "open_application",
    ):
        assert sources[rule_id] == SOURCE_CENTRE
    for rule_id in ("house_found", "house_status", "house_kind", "time_window"):
        assert sources[rule_id] == SOURCE_REGISTRY
    for rule_id in BANK_ANSWER_RULES | {"card_type"}:
        assert sources[rule_id] == SOURCE_BANK


def test_a_fact_from_the_applicant_is_not_machine_verified() -> None:
    evaluation = evaluate(POLICY, facts())
    by_applicant = RuleResult(rule="house_found", passed=True, reason="", source=SOURCE_APPLICANT)
    mixed = Evaluation(
        results=tuple(by_applicant if r.rule == "house_found" else r for r in evaluation.results),
        max_amount_fen=evaluation.max_amount_fen,
        relation=evaluation.relation,
    )
    assert mixed.eligible is True
    assert mixed.machine_verified is False


# --- any facts at all ------------------------------------------------------------------------


def luhn_is_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


_DATES = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2030, 1, 1))
# Each entry changes one fact of the valid set; a case applies a few of them at once, so that both
# eligible and refused members occur often.
MUTATIONS: dict[str, st.SearchStrategy] = {
    "on": _DATES,
    "account": st.none(),
    "account.status": st.sampled_from(["normal", "sealed", "frozen", "closed", "unknown"]),
    "account.balance_fen": st.integers(min_value=0, max_value=10**9),
    "account.frozen_fen": st.integers(min_value=0, max_value=10**9),
    "account.consecutive_months": st.integers(min_value=0, max_value=10),
    "has_overdue_loan": st.booleans(),
    "house": st.sampled_from([None, resale_house(), house(relation="spouse")]),
    "house.looked_up_by": st.sampled_from(["contract_no", "archive_no"]),
    "house.kind": st.sampled_from(["new", "resale", "other"]),
    "house.status": st.sampled_from(["valid", "cancelled"]),
    "house.filed_on": st.none() | _DATES,
    "house.registered_on": st.none() | _DATES,
    "house.total_price_fen": st.integers(min_value=0, max_value=10**9),
    "registry_unavailable": st.booleans(),
    "open_application_numbers": st.lists(st.just("TQ20261120000007"), max_size=2).map(tuple),
    "member_withdrawals_on_house": st.integers(min_value=0, max_value=3),
    "house_withdrawn_fen": st.integers(min_value=0, max_value=10**9),
    "requested_amount_fen": st.none() | st.integers(min_value=-100, max_value=10**9),
    "card": st.none(),
    "card.bank": st.sampled_from(["CCB", "ICBC", "SJB", "BOC"]),
    "card.card_no": st.sampled_from(
        [
            CCB_CARD,
            ICBC_CARD,
            SJB_CARD_16,
            SJB_CARD_18,
            CCB_CREDIT,
            ICBC_CREDIT,
            ABC_CARD,
            card_no("621700", 16),
        ]
    )
    | st.text(max_size=20)
    | st.text(alphabet="0123456789", min_size=14, max_size=20).map(lambda n: "621700" + n),
    "card.bank_found": st.sampled_from([True, False, None]),
    "card.bank_card_type": st.sampled_from(["debit", "credit", None]),
    "card.bank_account_class": st.sampled_from([1, 2, 3, None]),
    "card.bank_holder_id_number": st.sampled_from([APPLICANT_ID, OTHER_ID, None]),
    "card.bank_holder_name": st.sampled_from([APPLICANT_NAME, "李娜", None]),
    "card.bank_status": st.sampled_from(["normal", "frozen", "closed", None]),
    "card.bank_unavailable": st.booleans(),
}


@st.composite
def any_facts(draw: st.DrawFn, max_changes: int = 5) -> EvaluationFacts:
    names = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), max_size=max_changes, unique=True))
    changes = {name: draw(MUTATIONS[name]) for name in names}
    parts = {"account": account(), "house": house(), "card": card()}
    top: dict[str, object] = {}
    for name, value in changes.items():
        if "." in name:
            part, field = name.split(".")
            parts[part] = dataclasses.replace(parts[part], **{field: value})
        else:
            top[name] = value
    return facts(**{**parts, **top})


@given(any_facts())
def test_every_evaluation_answers_every_rule(the_facts: EvaluationFacts) -> None:
    evaluation = evaluate(POLICY, the_facts)
    out = evaluation.as_json()
    assert [check["rule"] for check in out["checks"]] == list(RULE_IDS)
    for check in out["checks"]:
        assert set(check) == {"rule", "passed", "reason"}
        assert isinstance(check["passed"], bool)
        assert isinstance(check["reason"], str)
        assert (check["reason"] == "") == check["passed"]
    assert out["eligible"] == all(check["passed"] for check in out["checks"])
    json.dumps(out, ensure_ascii=False)


@given(any_facts(max_changes=2))
def test_an_eligible_member_meets_every_limit_of_the_design(f: EvaluationFacts) -> None:
    evaluation = evaluate(POLICY, f)
    assume(evaluation.eligible)
    # Checked here from DESIGN.md's table, not through the rule functions.
    acc, h, c = f.account, f.house, f.card
    assert acc is not None and acc.status == "normal" and acc.consecutive_months >= 3
    assert not f.has_overdue_loan
    assert h is not None and not f.registry_unavailable and h.status == "valid"
    assert (h.kind, h.looked_up_by) in {("new", "contract_no"), ("resale", "archive_no")}
    started = h.filed_on if h.kind == "new" else h.registered_on
    assert started is not None
    assert (f.on.year, f.on.month, f.on.day) <= (started.year + 2, started.month, started.day)
    assert add_years(started, 2) >= f.on
    assert f.open_application_numbers == () and f.member_withdrawals_on_house == 0
    amount = f.requested_amount_fen if f.requested_amount_fen is not None else evaluation.max_amount_fen
    assert amount is not None and 0 < amount <= acc.balance_fen - acc.frozen_fen
    assert f.house_withdrawn_fen + amount <= h.total_price_fen
    assert c is not None and c.bank in {"CCB", "ICBC", "SJB"}
    assert c.card_no.isascii() and c.card_no.isdigit() and 16 <= len(c.card_no) <= 19
    assert luhn_is_valid(c.card_no)
    issuer = POLICY.find_bin(c.card_no)
    assert (
        issuer is not None
        and issuer.type == "debit"
        and issuer.bank == c.bank
        and issuer.length == len(c.card_no)
    )
    assert c.bank_card_type != "credit"
    assert c.bank_found is True and not c.bank_unavailable
    assert c.bank_account_class == 1 and c.bank_status == "normal"
    assert (c.bank_holder_id_number, c.bank_holder_name) == (APPLICANT_ID, APPLICANT_NAME)
