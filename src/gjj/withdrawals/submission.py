"""提交申请: every rule evaluated (the outside systems asked before the transaction opens, the
hall's own facts read again under locks inside it), then the final submission with the materials
(and 秒批 when every rule is decided from data sources), and another card after a refused payout."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import replace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gjj.clients.bank import CardVerification
from gjj.members.models import Person
from gjj.members.services import InsufficientFunds
from gjj.policy.active import active_policy
from gjj.policy.evaluation import Evaluation, evaluate
from gjj.policy.facts import CardFacts
from gjj.policy.rules import CARD_RULE_IDS, reason_short_name
from gjj.policy.schema import Policy
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.checked_inputs import (
    CHANGED_DURING_SUBMISSION,
    SubmittedInputs,
    evaluated_inputs_record,
    submitted_inputs,
)
from gjj.withdrawals.drafts import HOUSE_FIELDS, house_lookup_keep
from gjj.withdrawals.eligibility import (
    Gathered,
    application_gather,
    card_verify,
    kept_answers,
    records_facts,
)
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.inputs import bank_code_clean, card_number_clean
from gjj.withdrawals.lifecycle import (
    EDITABLE_STATES,
    application_locked,
    application_transition,
    require_owner,
)
from gjj.withdrawals.material_services import require_all_materials
from gjj.withdrawals.models import Application, HouseClaim, State
from gjj.withdrawals.numbering import business_no_next
from gjj.withdrawals.payouts import approval_grant


def _today() -> dt.date:
    """Today in Asia/Shanghai, read through the ``services`` facade: whoever fixes the day there
    (``gjj.withdrawals.services.today_shanghai``, as the tests do) fixes it for every submission."""
    from gjj.withdrawals import services

    return services.today_shanghai()


def _gather_for(application: Application, *, policy: Policy, card: CardFacts | None = None) -> Gathered:
    """The facts to decide on. The registry's and the bank's answers kept on the row within
    GJJ_OUTSIDE_ANSWERS_REUSE_SECONDS (the house's echo, 提交申请's check of the card) are used
    instead of asking again: one lookup of the house and one check of the card per submission.
    ``card``: the bank's answer about a card just checked (a new payout card), instead of the row's.
    The hall's own facts are always read again, under the locks."""
    since = timezone.now() - dt.timedelta(seconds=settings.GJJ_OUTSIDE_ANSWERS_REUSE_SECONDS)
    kept = kept_answers(application, since=since)
    if card is not None:
        kept = replace(kept, card=card)
    return application_gather(application, on=_today(), policy=policy, kept=kept)


def _evaluate_under_locks(application: Application, gathered: Gathered, policy: Policy) -> Evaluation:
    """Re-read the hall's own facts once the member and the house are locked, so that two
    submissions at once (same member, or two spouses on one house) see each other."""
    Person.objects.select_for_update().filter(pk=application.person_id).first()
    if gathered.house is not None and gathered.house.record is not None:
        for key in sorted(
            k for k in (gathered.house.record.contract_no, gathered.house.record.archive_no) if k
        ):
            HouseClaim.objects.select_for_update().filter(key=key).first()
    fresh = records_facts(
        person=application.person,
        house=gathered.house,
        exclude_application_id=application.pk,
        reason=application.reason,
    )
    facts = replace(gathered.facts, **fresh)  # type: ignore[arg-type]
    return evaluate(policy, facts)


def _require_unchanged(locked: Application, inputs: SubmittedInputs) -> None:
    """The outside systems were asked about ``inputs``; commit nothing if the row, now locked, no
    longer holds them (a draft saved in another tab, an API PATCH, during the calls)."""
    if submitted_inputs(locked) != inputs:
        raise ApplicationError(CHANGED_DURING_SUBMISSION)


def _claim_rows_exist(gathered: Gathered) -> None:
    if gathered.house is None or gathered.house.record is None:
        return
    for key in (gathered.house.record.contract_no, gathered.house.record.archive_no):
        if key:
            try:
                with transaction.atomic():
                    HouseClaim.objects.get_or_create(key=key)
            except IntegrityError:
                pass  # created by a concurrent submission


def _card_verification_record(
    verification: CardVerification | None, *, holder_matches: bool
) -> dict[str, object]:
    """What the bank said of the card, kept with the application (the holder's ID and name are not
    copied: whether they match is what matters)."""
    return {
        "found": verification.found if verification else None,
        "bank": verification.bank if verification else None,
        "card_type": verification.card_type if verification else None,
        "account_class": verification.account_class if verification else None,
        "holder_matches": holder_matches,
        "status": verification.status if verification else None,
    }


def _store_evaluation(application: Application, evaluation: Evaluation, gathered: Gathered) -> list[str]:
    """The evaluation, what the outside systems said, and what it covered (``evaluated_inputs``,
    from the row as it will be saved: the amount must be settled before)."""
    application.rule_results = evaluation.results_json()
    application.evaluated_at = timezone.now()
    application.machine_verified = evaluation.machine_verified
    fields = ["rule_results", "evaluated_at", "machine_verified"]
    if gathered.card is not None:
        application.card_verification = _card_verification_record(
            gathered.card, holder_matches=evaluation.result("card_holder").passed
        )
        application.card_verified_at = timezone.now()
        fields += ["card_verification", "card_verified_at"]
    if gathered.house is not None:
        house_lookup_keep(application, gathered.house)
        fields += HOUSE_FIELDS
    application.evaluated_inputs = evaluated_inputs_record(
        application, max_amount_fen=evaluation.max_amount_fen
    )
    return [*fields, "evaluated_inputs"]


def application_submit(*, application: Application, actor: Actor) -> Application:
    """提交申请: evaluate every rule. Refused → ApplicationRefused with the reasons and nothing kept;
    passed → awaiting materials with a business number. Repeating a submit returns the first result."""
    require_owner(application, actor)
    application = Application.objects.select_related("person", "account").get(pk=application.pk)
    if application.state not in EDITABLE_STATES:
        return application
    if not application.declaration_accepted_at:
        raise ApplicationError("请阅读并勾选“我已阅读并同意《承诺书》”", field="declaration")
    policy = active_policy()
    inputs = submitted_inputs(application)
    gathered = _gather_for(application, policy=policy)
    _claim_rows_exist(gathered)
    with transaction.atomic():
        locked = application_locked(application)
        if locked.state not in EDITABLE_STATES:
            return locked  # a concurrent submit got there first: its result stands
        _require_unchanged(locked, inputs)
        evaluation = _evaluate_under_locks(locked, gathered, policy)
        if not evaluation.eligible:
            raise ApplicationRefused(
                evaluation,
                reason_short_name=reason_short_name(policy, locked.reason),
                undecided=evaluation.undecided_by(gathered.facts.unavailable_sources),
            )
        assert evaluation.max_amount_fen is not None
        if locked.amount_fen is None:
            locked.amount_fen = evaluation.max_amount_fen
        fields = _store_evaluation(locked, evaluation, gathered)
        if not locked.business_no:
            locked.business_no = business_no_next()
        locked.materials_due_at = timezone.now() + policy.materials_expiry
        locked.save(update_fields=[*fields, "amount_fen", "business_no", "materials_due_at", "updated_at"])
        reason = "提交申请，全部条件核验通过，待上传影像材料"
        if locked.state == State.RETURNED:
            reason = "补正后重新提交，全部条件核验通过"
        application_transition(
            application=locked, to_state=State.AWAITING_MATERIALS, actor=actor, reason=reason
        )
    return locked


def application_final_submit(*, application: Application, actor: Actor) -> Application:
    """影像上传后的提交申请: all materials present → submitted; approved at once (秒批) when every rule
    is decided again from data sources, the amount is below the four-eyes threshold and the
    application was never returned by a reviewer. Repeating it returns the first result."""
    require_owner(application, actor)
    policy = active_policy()
    application = Application.objects.select_related("person", "account").get(pk=application.pk)
    if application.state != State.AWAITING_MATERIALS:
        return application
    require_all_materials(application, policy)
    inputs = submitted_inputs(application)
    instant_candidate = (
        policy.instant_approval
        and application.amount_fen is not None
        and application.amount_fen < policy.four_eyes_threshold_fen
        and not application.decisions.exists()
    )
    gathered = _gather_for(application, policy=policy) if instant_candidate else None
    with transaction.atomic():
        locked = application_locked(application)
        if locked.state != State.AWAITING_MATERIALS:
            return locked
        # Checked again under the lock: a material removed during the outside calls must not pass.
        require_all_materials(locked, policy)
        _require_unchanged(locked, inputs)
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at", "updated_at"])
        application_transition(
            application=locked, to_state=State.SUBMITTED, actor=actor, reason="影像材料已上传，提交申请"
        )
        if gathered is not None:
            evaluation = _evaluate_under_locks(locked, gathered, policy)
            fields = _store_evaluation(locked, evaluation, gathered)
            locked.save(update_fields=[*fields, "updated_at"])
            if evaluation.eligible and evaluation.machine_verified:
                # If the balance moved since submission, the hold fails and a reviewer decides.
                with contextlib.suppress(InsufficientFunds), transaction.atomic():
                    approval_grant(
                        application=locked,
                        actor=Actor.system("秒批"),
                        reason="秒批：全部条件均由数据源核验通过，自动审批",
                        instant=True,
                    )
    return locked


def application_change_payout_card(
    *, application: Application, bank: str, card_no: str, actor: Actor
) -> Application:
    """After 支付失败 the member names another card; its rules are checked and the payout is re-driven
    under a new serial (the failed one is final at the bank, so no double payment is possible)."""
    require_owner(application, actor)
    policy = active_policy()
    bank, card_no = bank_code_clean(bank), card_number_clean(card_no)
    application = Application.objects.select_related("person", "account").get(pk=application.pk)
    if application.state != State.PAYOUT_FAILED:
        raise ApplicationError(f"申请当前状态为“{application.get_state_display()}”，不能更换收款卡")
    card_facts, verification = card_verify(policy=policy, bank=bank, card_no=card_no)
    gathered = _gather_for(application, policy=policy, card=card_facts)
    evaluation = evaluate(policy, gathered.facts)
    card_failures = [r for r in evaluation.failures if r.rule in CARD_RULE_IDS]
    if card_failures:
        card_refusal = Evaluation(
            results=tuple(card_failures), max_amount_fen=None, relation=evaluation.relation
        )
        raise ApplicationRefused(
            card_refusal,
            reason_short_name=reason_short_name(policy, application.reason),
            undecided=card_refusal.undecided_by(gathered.facts.unavailable_sources),
        )
    inputs = submitted_inputs(application)
    with transaction.atomic():
        locked = application_locked(application)
        if locked.state != State.PAYOUT_FAILED:
            return locked
        _require_unchanged(locked, inputs)
        locked.bank, locked.card_no = bank, card_no
        locked.card_verification = _card_verification_record(verification, holder_matches=True)
        locked.card_verified_at = timezone.now()
        # The amount and the house are as evaluated at submission; only the card is new.
        previous_max = (locked.evaluated_inputs or {}).get("max_amount_fen")
        locked.evaluated_inputs = evaluated_inputs_record(
            locked, max_amount_fen=previous_max if isinstance(previous_max, int) else None
        )
        locked.save(
            update_fields=[
                "bank",
                "card_no",
                "card_verification",
                "card_verified_at",
                "evaluated_inputs",
                "updated_at",
            ]
        )
        try:
            approval_grant(application=locked, actor=actor, reason="支付失败后更换收款银行卡，重新支付")
        except InsufficientFunds as exc:
            raise ApplicationError("您的账户可用余额已不足提取金额，请联系中心") from exc
    return locked
