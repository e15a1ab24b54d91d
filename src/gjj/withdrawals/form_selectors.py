"""Reads of withdrawal applications for the withdrawal form pages: the house echo, the card checked
as typed, every rule without submitting, materials and payouts. Nothing here writes; the checks a
page shows while the member types run the same rule functions a submission runs, over the same facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gjj.core.timeutil import today_shanghai
from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.policy.evaluation import Evaluation, evaluate
from gjj.policy.facts import SOURCE_POLICY, CardFacts, EvaluationFacts
from gjj.policy.rules import (
    HOUSE_RULE_IDS,
    RuleResult,
    bank_allowed,
    card_bank_match,
    card_number,
    card_type,
)
from gjj.policy.schema import Policy
from gjj.withdrawals.eligibility import (
    application_gather,
    draft_house_lookup,
    house_facts,
    records_facts,
)
from gjj.withdrawals.models import ACTIVE_STATES, Application, Material, Payout, State

# --- which application -------------------------------------------------------------------------


def application_for_member(*, person: Person, business_no: str) -> Application | None:
    """The member's own application with this business number; None for anyone else's."""
    return (
        Application.objects.select_related("person", "account")
        .filter(person=person, business_no=business_no)
        .first()
    )


def member_open_application(*, person: Person) -> Application | None:
    """The member's newest application past the draft that is not yet final (at most one, by the
    open_application rule)."""
    return (
        Application.objects.filter(person=person, state__in=ACTIVE_STATES)
        .exclude(business_no__isnull=True)
        .order_by("-created_at")
        .first()
    )


def member_awaiting_materials(*, person: Person) -> Application | None:
    return (
        Application.objects.filter(person=person, state=State.AWAITING_MATERIALS)
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class ApplicationsInProgress:
    """The member's draft, the application waiting for its materials and the newest open one: what
    a 提取 form page needs to know before it shows, read in one query (four cost it a third of its
    CPU, by the profile in docs/benchmarks.md)."""

    draft: Application | None
    awaiting_materials: Application | None
    open_application: Application | None


def member_applications_in_progress(*, person: Person) -> ApplicationsInProgress:
    rows = list(
        Application.objects.filter(person=person, state__in=(State.DRAFT, *ACTIVE_STATES)).order_by(
            "-created_at"
        )
    )
    return ApplicationsInProgress(
        draft=next((row for row in rows if row.state == State.DRAFT), None),
        awaiting_materials=next((row for row in rows if row.state == State.AWAITING_MATERIALS), None),
        # As member_open_application: past the draft, not final.
        open_application=next(
            (row for row in rows if row.state in ACTIVE_STATES and row.business_no is not None), None
        ),
    )


# --- the draft's house, checked without asking the registry again ---------------------------------


@dataclass(frozen=True)
class HouseCheck:
    """What the rules say of the echoed house before submission: the failures of the house rules
    and the most the member may withdraw (None when unknown)."""

    failures: tuple[RuleResult, ...]
    max_amount_fen: int | None


def draft_house_check(
    application: Application, *, policy: Policy | None = None, on: dt.date | None = None
) -> HouseCheck | None:
    """The house rules and the maximum amount over the echoed house, the member's account and the
    centre's records (``gjj.policy.rules.max_amount_fen``, as a submission computes it). None when
    the draft has no house the member may use."""
    lookup = draft_house_lookup(application)
    if lookup is None or not lookup.mine:
        return None
    policy = policy or active_policy()
    person = application.person
    facts = EvaluationFacts(
        on=on or today_shanghai(),
        applicant_id_number=person.id_number,
        applicant_name=person.name,
        house=house_facts(lookup),
        registry_unavailable=False,
        card=None,
        requested_amount_fen=None,
        **records_facts(person=person, house=lookup, exclude_application_id=application.pk),  # type: ignore[arg-type]
    )
    evaluation = evaluate(policy, facts)
    return HouseCheck(
        failures=tuple(r for r in evaluation.failures if r.rule in HOUSE_RULE_IDS),
        max_amount_fen=evaluation.max_amount_fen,
    )


# --- the card, checked as typed -------------------------------------------------------------------


@dataclass(frozen=True)
class CardPrecheck:
    """The card rules that need no bank: the chosen bank, the number's length and check digit, the
    issuer (bin) against the chosen bank, and debit vs credit."""

    bank_failure: RuleResult | None
    card_failure: RuleResult | None
    issuer_bank_name: str | None

    @property
    def passed(self) -> bool:
        return self.bank_failure is None and self.card_failure is None


def card_precheck(*, bank: str, card_no: str, policy: Policy | None = None) -> CardPrecheck:
    policy = policy or active_policy()
    facts = EvaluationFacts(
        on=today_shanghai(),
        applicant_id_number="",
        applicant_name="",
        account=None,
        has_overdue_loan=False,
        house=None,
        registry_unavailable=False,
        open_application_numbers=(),
        member_withdrawals_on_house=0,
        house_withdrawn_fen=0,
        card=CardFacts(bank=bank, card_no=card_no),
        requested_amount_fen=None,
    )
    bank_result = (
        bank_allowed(policy, facts)
        if bank
        else RuleResult(rule="bank_allowed", passed=False, reason="请选择收款银行", source=SOURCE_POLICY)
    )
    card_failure = None
    # In the order a member fixes them: the number itself, then what its bin says (against the
    # chosen bank once there is one).
    rules = (card_number, card_type, card_bank_match) if bank else (card_number, card_type)
    for rule in rules:
        result = rule(policy, facts)
        if not result.passed:
            card_failure = result
            break
    issuer = policy.find_bin(card_no) if card_no.isascii() and card_no.isdigit() else None
    return CardPrecheck(
        bank_failure=None if bank_result.passed else bank_result,
        card_failure=card_failure,
        issuer_bank_name=policy.bank_name(issuer.bank) if issuer else None,
    )


# --- every rule, without submitting ---------------------------------------------------------------


def draft_evaluation(application: Application, *, policy: Policy | None = None) -> Evaluation:
    """Every rule over the draft as it stands (registry and bank asked), without submitting: what
    提交申请 would answer. Shown when the form cannot be submitted yet, so that the member sees
    every problem at once."""
    policy = policy or active_policy()
    gathered = application_gather(application, on=today_shanghai(), policy=policy)
    return evaluate(policy, gathered.facts)


# --- materials and payouts ------------------------------------------------------------------------


def current_materials(application: Application) -> dict[str, Material]:
    return {m.kind: m for m in application.materials.filter(is_current=True)}


def current_material_kinds(application: Application) -> set[str]:
    return set(application.materials.filter(is_current=True).values_list("kind", flat=True))


def current_material(application: Application, kind: str) -> Material | None:
    return application.materials.filter(kind=kind, is_current=True).first()


def latest_payout(application: Application) -> Payout | None:
    return application.payouts.order_by("-created_at", "-pk").first()
