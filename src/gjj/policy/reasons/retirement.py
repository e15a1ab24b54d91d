"""离退休提取 (03 离休、退休): a retired member withdraws the whole balance; the account is closed
(销户) when the bank confirms the payment."""

from __future__ import annotations

from gjj.core.money import format_yuan
from gjj.policy.facts import SOURCE_CENTRE, EvaluationFacts
from gjj.policy.reasons import SUBJECT_RETIREMENT, Reason
from gjj.policy.rules import (
    CARD_RULES,
    RuleResult,
    account_found,
    account_status,
    failed,
    open_application,
    passed,
)
from gjj.policy.schema import Policy


def retired(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    """A retirement date from the social-security data, on or before the day of the application."""
    if facts.retired_on is None:
        return failed("retired", SOURCE_CENTRE, "未查询到您的退休信息（社保退休数据），不符合离退休提取条件")
    if facts.retired_on > facts.on:
        return failed(
            "retired",
            SOURCE_CENTRE,
            f"您的退休日期为 {facts.retired_on.isoformat()}，须在退休后申请离退休提取",
        )
    return passed("retired", SOURCE_CENTRE)


def loan_active(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.has_unsettled_loan:
        return failed(
            "loan_active",
            SOURCE_CENTRE,
            "您有未结清的住房公积金贷款，须先结清贷款后再申请离退休提取",
        )
    return passed("loan_active", SOURCE_CENTRE)


def retirement_max_amount_fen(policy: Policy, facts: EvaluationFacts) -> int | None:
    """The whole balance (only when nothing of it is frozen)."""
    if facts.account is None or facts.account.frozen_fen:
        return None
    return facts.account.balance_fen


def amount(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    account = facts.account
    if account is None:
        return failed("amount", SOURCE_CENTRE, "未能确定公积金账户信息，无法核定可提取金额")
    if account.frozen_fen:
        return failed(
            "amount",
            SOURCE_CENTRE,
            f"您的账户有冻结金额 {format_yuan(account.frozen_fen)}，离退休提取须一次提取全部余额，请待解冻后再申请",
        )
    if account.balance_fen <= 0:
        return failed("amount", SOURCE_CENTRE, "您的公积金账户余额为 0.00 元，没有可提取的金额")
    requested = facts.requested_amount_fen if facts.requested_amount_fen is not None else account.balance_fen
    if requested != account.balance_fen:
        return failed(
            "amount",
            SOURCE_CENTRE,
            f"离退休提取须一次提取全部余额 {format_yuan(account.balance_fen)}，"
            f"不能提取 {format_yuan(requested)}",
        )
    return passed("amount", SOURCE_CENTRE)


REASON = Reason(
    summary="职工离休、退休的，可一次提取住房公积金账户全部余额，到账后个人账户销户。",
    key="retirement",
    subject=SUBJECT_RETIREMENT,
    rules=(account_found, account_status, retired, loan_active, open_application, amount, *CARD_RULES),
    max_amount=retirement_max_amount_fen,
    national_code=lambda policy: policy.retirement.reason_code,
    name=lambda policy: policy.retirement.reason_name,
    materials=lambda policy, house_kind, relation: policy.retirement.materials,
    reject_reasons=lambda policy: policy.retirement.reject_reasons,
    declaration=lambda policy: policy.retirement.declaration,
    closes_account=True,
    amount_fixed=True,
)
