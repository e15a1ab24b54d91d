"""The withdrawal reasons, as data plus small pure functions: each reason is one module here (its
national code and name come from its policy section; its subject — a house, a tenancy, a
retirement —, its rules in the order members read them, its maximum amount and its materials).

``REASONS`` is the registry every channel, the API, the texts and the back office take the list
from; ``evaluate`` (gjj.policy.evaluation) runs the reason's rules. Adding a reason is a module
here, a section of the policy file, and the gathering of its facts (gjj.withdrawals.eligibility).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gjj.policy.facts import EvaluationFacts
from gjj.policy.rules import Rule
from gjj.policy.schema import Declaration, Policy

SUBJECT_HOUSE = "house"
SUBJECT_TENANCY = "tenancy"
SUBJECT_RETIREMENT = "retirement"


@dataclass(frozen=True)
class Reason:
    key: str  # purchase, rent, retirement: the `gjj evaluate --reason` and API value
    subject: str
    rules: tuple[Rule, ...]
    max_amount: Callable[[Policy, EvaluationFacts], int | None]
    national_code: Callable[[Policy], str]
    name: Callable[[Policy], str]  # as lists and receipts show it
    materials: Callable[[Policy, str | None, str | None], tuple[str, ...]]  # (policy, house kind, relation)
    # The 承诺书 the member accepts for this reason (its version is what an application keeps).
    declaration: Callable[[Policy], Declaration] = lambda policy: policy.declaration
    # The standard 不予通过 reasons a reviewer picks from for a case of this reason.
    reject_reasons: Callable[[Policy], tuple[str, ...]] = lambda policy: policy.reject_reasons
    # One sentence for the lists of reasons (desktop tiles, the H5 home, GET /reasons).
    summary: str = ""
    # The whole balance is paid and the account closed (销户) when the bank confirms.
    closes_account: bool = False
    # The amount is fixed by the rules (the whole balance): the member does not type it.
    amount_fixed: bool = False

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.__name__ for rule in self.rules)


def _registry() -> dict[str, Reason]:
    from gjj.policy.reasons import purchase, rent, retirement

    return {reason.key: reason for reason in (purchase.REASON, rent.REASON, retirement.REASON)}


REASONS: dict[str, Reason] = _registry()
REASON_KEYS: tuple[str, ...] = tuple(REASONS)


class UnknownReason(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"未知的提取原因“{key}”（可选：{'、'.join(REASON_KEYS)}）")


def reason_for(key: str) -> Reason:
    try:
        return REASONS[key]
    except KeyError:
        raise UnknownReason(key) from None


def reason_name(policy: Policy, key: str) -> str:
    """The reason's full name as lists, receipts and the back office show it (购买商品住房提取)."""
    from gjj.policy.rules import reason_short_name

    return reason_for(key).name(policy) or reason_short_name(policy, key)


def declaration_for(policy: Policy, key: str) -> Declaration:
    """The 承诺书 of the reason ``key`` (purchase's for an unknown key: the page still shows one)."""
    reason = REASONS.get(key)
    return reason.declaration(policy) if reason is not None else policy.declaration
