"""租房提取 and 离退休提取 (DESIGN.md, "Other withdrawal reasons") as pure rules on the shipped policy,
and the registry every channel takes the reasons from. No database, no network."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gjj.core.timeutil import whole_months_between
from gjj.policy.evaluation import evaluate
from gjj.policy.facts import SOURCE_REGISTRY, OwnedHouse
from gjj.policy.reasons import REASON_KEYS, REASONS, UnknownReason, reason_for
from gjj.policy.rules import CARD_RULES
from tests.gjj.policy.test_rules import POLICY, account, card, facts

SHARED_IDS = {"account_found", "account_status", "open_application", "amount"} | {
    r.__name__ for r in CARD_RULES
}


def rent(**changes: object):
    # 曹阳: rents, 3,000.00 元 paid for rent on 2026-08-20; 30,000.00 元 available.
    base = facts(
        reason="rent",
        house=None,
        account=account(balance_fen=3_000_000, frozen_fen=0),
        last_rent_paid_on=dt.date(2026, 8, 20),
    )
    return dataclasses.replace(base, **changes)


def retirement(**changes: object):
    # 韩梅: retired on 2025-03-31, a sealed account of 156,300.25 元.
    base = facts(
        reason="retirement",
        house=None,
        account=account(status="sealed", balance_fen=15_630_025, frozen_fen=0, consecutive_months=0),
        retired_on=dt.date(2025, 3, 31),
    )
    return dataclasses.replace(base, **changes)


def failed(evaluation) -> dict[str, str]:
    return {result.rule: result.reason for result in evaluation.failures}


# --- the registry -----------------------------------------------------------------------------


def test_the_registry_names_each_reason_with_its_national_code_and_rules():
    assert REASON_KEYS == ("purchase", "rent", "retirement")
    assert [(REASONS[k].national_code(POLICY), REASONS[k].name(POLICY)) for k in REASON_KEYS] == [
        ("01", "购买商品住房提取"),
        ("07", "租房提取"),
        ("03", "离退休提取"),
    ]
    assert REASONS["rent"].rule_ids[4:6] == ("owns_house", "rent_interval")
    assert {"retired", "loan_active"} <= set(REASONS["retirement"].rule_ids)
    for key in REASON_KEYS:  # rules shared with 购房提取 keep their ids
        assert set(REASONS[key].rule_ids) >= SHARED_IDS, key
    assert REASONS["retirement"].materials(POLICY, None, None) == (
        "id_card_front",
        "id_card_back",
        "retirement_certificate",
        "bank_card",
    )
    with pytest.raises(UnknownReason, match="未知的提取原因“gift”"):
        reason_for("gift")


# --- 租房提取 --------------------------------------------------------------------------------------


def test_cao_yang_may_withdraw_three_months_of_rent():
    evaluation = evaluate(POLICY, rent())

    assert evaluation.eligible, failed(evaluation)
    assert evaluation.max_amount_fen == 450_000  # 1,500.00 元 × 3 whole months
    assert evaluation.relation is None
    assert evaluation.as_json()["max_amount"] == "4500.00"


def test_rent_asks_for_more_than_the_months_allow():
    evaluation = evaluate(POLICY, rent(requested_amount_fen=450_001))
    assert failed(evaluation) == {
        "amount": "提取金额 4,500.01 元超过本次最多可提取的 4,500.00 元"
        "（每月 1,500.00 元 × 3 个月，且不超过可用余额 30,000.00 元）"
    }


def test_a_day_short_of_the_interval_is_refused_naming_the_date():
    evaluation = evaluate(POLICY, rent(on=dt.date(2026, 11, 19)))
    assert failed(evaluation)["rent_interval"] == (
        "您上次租房提取于 2026-08-20 支付，距今 2 个月，两次租房提取须间隔至少 3 个月"
    )


def test_a_first_rent_withdrawal_counts_twelve_months_and_the_balance_caps_it():
    assert evaluate(POLICY, rent(last_rent_paid_on=None)).max_amount_fen == 1_800_000
    small = rent(last_rent_paid_on=None, account=account(balance_fen=500_000, frozen_fen=100_000))
    assert evaluate(POLICY, small).max_amount_fen == 400_000
    long_ago = rent(last_rent_paid_on=dt.date(2020, 1, 1))
    assert evaluate(POLICY, long_ago).max_amount_fen == 1_800_000  # at most 12 months


@pytest.mark.parametrize(("owner", "who"), [("buyer", "您"), ("spouse", "您的配偶")])
def test_a_member_or_spouse_who_owns_a_house_is_refused_rent(owner, who):
    evaluation = evaluate(POLICY, rent(owned_houses=(OwnedHouse(key="SY202605180001234", owner=owner),)))
    reason = failed(evaluation)["owns_house"]
    assert reason.startswith(f"{who}名下有住房（房屋编号 SY202605180001234）")
    assert evaluation.result("owns_house").source == SOURCE_REGISTRY


def test_the_registry_down_decides_nothing_about_houses():
    result = evaluate(POLICY, rent(owned_houses_unavailable=True)).result("owns_house")
    assert not result.passed and "暂时无法访问" in result.reason


def test_rent_uses_its_own_account_terms():
    sealed = failed(evaluate(POLICY, rent(account=account(status="sealed", frozen_fen=0))))
    assert sealed["account_status"] == "您的公积金账户状态为封存，不符合租房提取条件（账户状态须为正常）"
    new_member = failed(evaluate(POLICY, rent(account=account(consecutive_months=2, frozen_fen=0))))
    assert new_member["contribution_months"] == "您的公积金已连续缴存 2 个月，租房提取须连续足额缴存满 3 个月"


# --- 离退休提取 ------------------------------------------------------------------------------------


def test_han_mei_withdraws_her_whole_sealed_balance():
    evaluation = evaluate(POLICY, retirement())

    assert evaluation.eligible, failed(evaluation)
    assert evaluation.as_json()["max_amount"] == "156300.25"
    assert evaluation.machine_verified


def test_deng_chao_must_settle_his_loan_first():
    evaluation = evaluate(POLICY, retirement(has_unsettled_loan=True))
    assert failed(evaluation) == {"loan_active": "您有未结清的住房公积金贷款，须先结清贷款后再申请离退休提取"}


@pytest.mark.parametrize(
    ("retired_on", "reason"),
    [
        (None, "未查询到您的退休信息（社保退休数据），不符合离退休提取条件"),
        (dt.date(2026, 12, 31), "您的退休日期为 2026-12-31，须在退休后申请离退休提取"),
    ],
)
def test_no_retirement_yet(retired_on, reason):
    assert failed(evaluate(POLICY, retirement(retired_on=retired_on))) == {"retired": reason}


def test_the_whole_balance_and_nothing_frozen():
    part = failed(evaluate(POLICY, retirement(requested_amount_fen=10_000_000)))
    assert part == {"amount": "离退休提取须一次提取全部余额 156,300.25 元，不能提取 100,000.00 元"}
    held = evaluate(
        POLICY, retirement(account=account(status="sealed", balance_fen=15_630_025, frozen_fen=1))
    )
    assert "冻结金额 0.01 元" in failed(held)["amount"] and held.max_amount_fen is None


@pytest.mark.parametrize("status", ["frozen", "closed"])
def test_a_frozen_or_closed_account_cannot_retire_its_balance(status):
    reason = failed(evaluate(POLICY, retirement(account=account(status=status, frozen_fen=0))))[
        "account_status"
    ]
    assert reason.endswith("不符合离退休提取条件（账户状态须为正常、封存）")


def test_both_reasons_check_the_card_as_purchase_does():
    other = card(bank_holder_id_number="11010519491231002X")
    for build in (rent, retirement):
        assert "card_holder" in failed(evaluate(POLICY, build(card=other)))


# --- whole months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2026-08-20", "2026-11-20", 3),
        ("2026-08-20", "2026-11-19", 2),
        ("2026-01-31", "2026-02-28", 0),
        ("2025-12-15", "2026-01-15", 1),
        ("2026-11-27", "2026-11-01", 0),
    ],
)
def test_whole_months_as_design_counts_them(start, end, months):
    assert whole_months_between(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == months


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 1, 1)), st.integers(0, 200))
def test_whole_months_never_counts_a_month_not_yet_complete(start, days):
    end = start + dt.timedelta(days=days)
    months = whole_months_between(start, end)
    assert 0 <= months <= days // 28
