"""租房提取 (07 租赁住房): a member with no house of their own (nor the spouse) withdraws up to a
monthly limit for the months since the last rent withdrawal."""

from __future__ import annotations

from gjj.core.money import format_yuan
from gjj.core.timeutil import whole_months_between
from gjj.policy.facts import SOURCE_CENTRE, SOURCE_REGISTRY, EvaluationFacts
from gjj.policy.reasons import SUBJECT_TENANCY, Reason
from gjj.policy.rules import (
    CARD_RULES,
    RuleResult,
    account_found,
    account_status,
    contribution_months,
    failed,
    loan_overdue,
    open_application,
    passed,
)
from gjj.policy.schema import Policy

OWNER_NAMES = {"buyer": "您", "spouse": "您的配偶"}


def owns_house(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    """Neither the member nor the spouse is a buyer of any valid house in the registry."""
    if facts.owned_houses_unavailable:
        return failed("owns_house", SOURCE_REGISTRY, "房屋信息系统暂时无法访问，无法核验名下住房，请稍后再试")
    if facts.owned_houses:
        house = facts.owned_houses[0]
        return failed(
            "owns_house",
            SOURCE_REGISTRY,
            f"{OWNER_NAMES.get(house.owner, '您')}名下有住房（房屋编号 {house.key}），"
            "本人及配偶均无自有住房的才能办理租房提取",
        )
    return passed("owns_house", SOURCE_REGISTRY)


def months_since_last_rent(facts: EvaluationFacts) -> int | None:
    if facts.last_rent_paid_on is None:
        return None
    return whole_months_between(facts.last_rent_paid_on, facts.on)


def rent_months_counted(policy: Policy, facts: EvaluationFacts) -> int:
    """The months the monthly limit is counted for: since the last rent withdrawal, at most
    max_months (max_months when there was none)."""
    return rent_months_capped(policy, months_since_last_rent(facts))


def rent_months_capped(policy: Policy, months: int | None) -> int:
    """``months`` since the last rent withdrawal as counted: at most max_months (None: none yet)."""
    return policy.rent.max_months if months is None else min(months, policy.rent.max_months)


def rent_interval(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    months, least = months_since_last_rent(facts), policy.rent.min_months_between
    if months is not None and months < least:
        assert facts.last_rent_paid_on is not None
        return failed(
            "rent_interval",
            SOURCE_CENTRE,
            f"您上次租房提取于 {facts.last_rent_paid_on.isoformat()} 支付，距今 {months} 个月，"
            f"两次租房提取须间隔至少 {least} 个月",
        )
    return passed("rent_interval", SOURCE_CENTRE)


def rent_max_amount_fen(policy: Policy, facts: EvaluationFacts) -> int | None:
    """min(available balance, monthly limit × whole months since the last rent withdrawal, counting
    at most max_months; max_months when there was none). None when the account is unknown."""
    if facts.account is None:
        return None
    return min(
        facts.account.available_fen, policy.rent.monthly_limit_fen * rent_months_counted(policy, facts)
    )


def amount(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    limit = rent_max_amount_fen(policy, facts)
    if limit is None:
        return failed("amount", SOURCE_CENTRE, "未能确定公积金账户信息，无法核定可提取金额")
    assert facts.account is not None
    if limit <= 0:
        if facts.account.available_fen <= 0:
            return failed("amount", SOURCE_CENTRE, "您的公积金账户可用余额为 0.00 元，没有可提取的金额")
        return failed("amount", SOURCE_CENTRE, "距上次租房提取不足一个月，暂无可提取的租房金额")
    requested = facts.requested_amount_fen if facts.requested_amount_fen is not None else limit
    if requested <= 0:
        return failed("amount", SOURCE_CENTRE, "提取金额须大于 0 元")
    if requested > limit:
        counted = rent_months_counted(policy, facts)
        return failed(
            "amount",
            SOURCE_CENTRE,
            f"提取金额 {format_yuan(requested)}超过本次最多可提取的 {format_yuan(limit)}"
            f"（每月 {format_yuan(policy.rent.monthly_limit_fen)} × {counted} 个月，"
            f"且不超过可用余额 {format_yuan(facts.account.available_fen)}）",
        )
    return passed("amount", SOURCE_CENTRE)


REASON = Reason(
    summary="本人及配偶均无自有住房、租房自住的，可按月度限额提取住房公积金支付房租。",
    key="rent",
    subject=SUBJECT_TENANCY,
    rules=(
        account_found,
        account_status,
        contribution_months,
        loan_overdue,
        owns_house,
        rent_interval,
        open_application,
        amount,
        *CARD_RULES,
    ),
    max_amount=rent_max_amount_fen,
    national_code=lambda policy: policy.rent.reason_code,
    name=lambda policy: policy.rent.reason_name,
    reject_reasons=lambda policy: policy.rent.reject_reasons,
    declaration=lambda policy: policy.rent.declaration,
    materials=lambda policy, house_kind, relation: policy.rent.materials,
)
