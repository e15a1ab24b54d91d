"""Writes of the withdrawal lifecycle. Every state change goes through
``lifecycle.application_transition``, which records who, when, why and from which channel. Outside systems are asked before a transaction
opens; the hall's own facts are read again under locks inside it."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from gjj.audit.models import AuditAction
from gjj.audit.services import audit_record
from gjj.clients.bank import CardVerification
from gjj.core.money import format_yuan
from gjj.core.origin import NO_ORIGIN, Origin
from gjj.core.timeutil import today_shanghai
from gjj.members.models import Person
from gjj.members.services import InsufficientFunds
from gjj.policy.active import active_policy
from gjj.policy.evaluation import Evaluation, evaluate
from gjj.policy.rules import CARD_RULE_IDS
from gjj.policy.schema import Policy
from gjj.staff.roles import StaffRole, user_has_role
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.checked_inputs import (
    CHANGED_DURING_SUBMISSION,
    SubmittedInputs,
    evaluated_inputs_record,
    submitted_inputs,
)
from gjj.withdrawals.eligibility import (
    LOOKUP_FIELDS,
    Gathered,
    HouseLookup,
    card_verify,
    eligibility_gather,
    house_lookup,
    records_facts,
)
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.lifecycle import (
    ALLOWED_TRANSITIONS as ALLOWED_TRANSITIONS,
)
from gjj.withdrawals.lifecycle import (
    CANCELLABLE_STATES,
    EDITABLE_STATES,
    REVIEWABLE_STATES,
    ReviewStage,
    application_transition,
)
from gjj.withdrawals.materials import MaterialRejected, material_clean, size_problem
from gjj.withdrawals.models import (
    Application,
    Decision,
    HouseClaim,
    Material,
    Payout,
    ReviewDecision,
    State,
    Transition,
)
from gjj.withdrawals.numbering import business_no_next
from gjj.withdrawals.selectors import FIX_FIELD_NAMES, materials_to_replace

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("person", "account").get(pk=application.pk)


def _require_owner(application: Application, actor: Actor) -> None:
    if actor.person is not None and actor.person.pk != application.person_id:
        raise ApplicationError("只能办理本人的申请")


def _require_editable(application: Application) -> None:
    if application.state not in EDITABLE_STATES:
        raise ApplicationError(f"申请当前状态为“{application.get_state_display()}”，不能修改")


# --- the member's draft -------------------------------------------------------------------------


def application_start(*, person: Person, actor: Actor) -> Application:
    """The member's draft: every channel continues the same one, so a member who leaves and returns
    (on any channel) goes on where they stopped."""
    account = getattr(person, "account", None)
    if account is None:
        raise ApplicationError("未查询到您在本中心的住房公积金账户，不能办理提取业务")
    existing = Application.objects.filter(person=person, state=State.DRAFT).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Application.objects.create(
                person=person, account=account, channel=actor.channel, reason_code=active_policy().reason_code
            )
    except IntegrityError:
        # A second channel created the draft at the same moment: continue that one.
        return Application.objects.get(person=person, state=State.DRAFT)


def application_lookup_house(
    *, application: Application, lookup_field: str, key: str, actor: Actor
) -> HouseLookup:
    """Echo the house from the registry and keep the snapshot with where and when it was looked up."""
    _require_owner(application, actor)
    _require_editable(application)
    key = (key or "").strip()
    if lookup_field not in LOOKUP_FIELDS:
        raise ApplicationError("请选择按备案合同号或房证新档案号查询", field="lookup_field")
    if not key:
        label = "备案合同号" if lookup_field == "contract_no" else "房证新档案号"
        raise ApplicationError(f"请填写{label}", field=lookup_field)
    person = application.person
    lookup = house_lookup(person=person, id_number=person.id_number, lookup_field=lookup_field, key=key)
    if lookup.unavailable:
        raise ApplicationError("房屋信息系统暂时无法访问，请稍后再试", field=lookup_field)
    with transaction.atomic():
        locked = _locked(application)
        _require_editable(locked)
        _store_house(locked, lookup)
        locked.save(
            update_fields=[
                "lookup_field",
                "house_key",
                "house_snapshot",
                "house_source",
                "house_looked_up_at",
                "relation",
                "updated_at",
            ]
        )
    application.refresh_from_db()
    return lookup


def _store_house(application: Application, lookup: HouseLookup) -> None:
    application.lookup_field = lookup.lookup_field
    application.house_key = lookup.key
    application.house_snapshot = lookup.record.to_snapshot() if lookup.record else None
    application.house_source = f"住房信息系统 {settings.GJJ_REGISTRY_URL}"
    application.house_looked_up_at = lookup.looked_up_at
    application.relation = lookup.relation or ""


def application_update_draft(
    *,
    application: Application,
    actor: Actor,
    bank: str | None = None,
    card_no: str | None = None,
    amount_fen: int | None = None,
    clear_amount: bool = False,
) -> Application:
    """Keep what the member typed (no checks yet: they run on 提交申请)."""
    _require_owner(application, actor)
    with transaction.atomic():
        locked = _locked(application)
        _require_editable(locked)
        fields = ["updated_at"]
        if bank is not None:
            locked.bank = bank.strip().upper()
            fields.append("bank")
        if card_no is not None:
            locked.card_no = "".join(card_no.split())
            fields.append("card_no")
        if amount_fen is not None or clear_amount:
            if amount_fen is not None and amount_fen <= 0:
                raise ApplicationError("提取金额须大于 0 元", field="amount")
            locked.amount_fen = amount_fen
            fields.append("amount_fen")
        locked.save(update_fields=fields)
    return locked


def application_accept_declaration(
    *, application: Application, actor: Actor, version: str, client_ip: str | None, user_agent: str
) -> Application:
    _require_owner(application, actor)
    policy = active_policy()
    if version != policy.declaration_version:
        raise ApplicationError("承诺书已更新，请重新阅读后再确认", field="declaration")
    with transaction.atomic():
        locked = _locked(application)
        _require_editable(locked)
        locked.declaration_version = version
        locked.declaration_accepted_at = timezone.now()
        locked.declaration_client_ip = client_ip
        locked.declaration_user_agent = (user_agent or "")[:300]
        locked.save(
            update_fields=[
                "declaration_version",
                "declaration_accepted_at",
                "declaration_client_ip",
                "declaration_user_agent",
                "updated_at",
            ]
        )
    return locked


# --- submission -----------------------------------------------------------------------------------


def _gather_for(application: Application, *, policy: Policy) -> Gathered:
    return eligibility_gather(
        id_number=application.person.id_number,
        lookup_field=application.lookup_field or None,
        house_key=application.house_key or None,
        bank=application.bank or None,
        card_no=application.card_no or None,
        amount_fen=application.amount_fen,
        on=today_shanghai(),
        exclude_application_id=application.pk,
        policy=policy,
    )


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
        person=application.person, house=gathered.house, exclude_application_id=application.pk
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
        _store_house(application, gathered.house)
        fields += [
            "lookup_field",
            "house_key",
            "house_snapshot",
            "house_source",
            "house_looked_up_at",
            "relation",
        ]
    application.evaluated_inputs = evaluated_inputs_record(
        application, max_amount_fen=evaluation.max_amount_fen
    )
    return [*fields, "evaluated_inputs"]


def application_submit(*, application: Application, actor: Actor) -> Application:
    """提交申请: evaluate every rule. Refused → ApplicationRefused with the reasons and nothing kept;
    passed → awaiting materials with a business number. Repeating a submit returns the first result."""
    _require_owner(application, actor)
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
        locked = _locked(application)
        if locked.state not in EDITABLE_STATES:
            return locked  # a concurrent submit got there first: its result stands
        _require_unchanged(locked, inputs)
        evaluation = _evaluate_under_locks(locked, gathered, policy)
        if not evaluation.eligible:
            raise ApplicationRefused(evaluation)
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


# --- materials ------------------------------------------------------------------------------------


def required_material_kinds(application: Application, policy: Policy | None = None) -> tuple[str, ...]:
    policy = policy or active_policy()
    kind = (application.house_snapshot or {}).get("kind", "")
    return policy.required_materials(house_kind=kind, relation=application.relation or None)


def material_upload(*, application: Application, kind: str, name: str, data: bytes, actor: Actor) -> Material:
    """Upload or replace one material (影像上传). The file is checked by its content."""
    _require_owner(application, actor)
    policy = active_policy()
    if application.state != State.AWAITING_MATERIALS:
        raise ApplicationError(f"申请当前状态为“{application.get_state_display()}”，不能上传材料")
    if kind not in required_material_kinds(application, policy):
        raise ApplicationError(f"本申请不需要上传“{policy.material_names.get(kind, kind)}”", field=kind)
    clean = material_clean(policy=policy, name=name, data=data)
    with transaction.atomic():
        locked = _locked(application)
        if locked.state != State.AWAITING_MATERIALS:
            raise ApplicationError(f"申请当前状态为“{locked.get_state_display()}”，不能上传材料")
        uploads = Material.objects.filter(application=locked, kind=kind).count()
        if uploads >= policy.material_max_uploads:
            raise ApplicationError(
                f"“{policy.material_names.get(kind, kind)}”已上传 {uploads} 次，达到上限；如需更换请联系中心",
                field=kind,
            )
        _supersede_current(locked, kind)
        material = Material(
            application=locked,
            kind=kind,
            content_type=clean.content_type,
            size=len(clean.content),
            sha256=clean.sha256,
            original_name=name[:200],
            uploaded_at=timezone.now(),
            uploaded_via=actor.channel,
        )
        material.file.save(
            f"{locked.business_no}-{kind}.{clean.extension}", ContentFile(clean.content), save=False
        )
        material.save()
    return material


def _supersede_current(application: Application, kind: str) -> None:
    """The current upload of ``kind`` stops being current. Its file is deleted (after commit) when
    no reviewer can have seen it — uploaded since the last submission — and kept otherwise; the
    row, with its hash, size and time, stays for the record either way."""
    previous = Material.objects.filter(application=application, kind=kind, is_current=True).first()
    if previous is None:
        return
    previous.is_current = False
    fields = ["is_current"]
    never_submitted = application.submitted_at is None or previous.uploaded_at > application.submitted_at
    if never_submitted and previous.file and previous.file.name:
        storage, path = previous.file.storage, previous.file.name
        transaction.on_commit(lambda: storage.delete(path))
        previous.file = None  # type: ignore[assignment]
        fields.append("file")
    previous.save(update_fields=fields)


def material_upload_file(
    *, application: Application, kind: str, uploaded: UploadedFile, actor: Actor
) -> Material:
    """An uploaded file from any channel: one over the policy's size limit is refused before it is
    read into memory; the rest goes through ``material_upload``."""
    name = uploaded.name or kind
    too_big = size_problem(policy=active_policy(), name=name, size=uploaded.size or 0)
    if too_big:
        raise MaterialRejected(too_big)
    return material_upload(application=application, kind=kind, name=name, data=uploaded.read(), actor=actor)


def material_remove(*, application: Application, kind: str, actor: Actor) -> None:
    _require_owner(application, actor)
    with transaction.atomic():
        locked = _locked(application)
        if locked.state != State.AWAITING_MATERIALS:
            raise ApplicationError(f"申请当前状态为“{locked.get_state_display()}”，不能删除材料")
        _supersede_current(locked, kind)


def missing_material_kinds(application: Application, policy: Policy | None = None) -> list[str]:
    present = set(application.materials.filter(is_current=True).values_list("kind", flat=True))
    return [kind for kind in required_material_kinds(application, policy) if kind not in present]


def application_final_submit(*, application: Application, actor: Actor) -> Application:
    """影像上传后的提交申请: all materials present → submitted; approved at once (秒批) when every rule
    is decided again from data sources, the amount is below the four-eyes threshold and the
    application was never returned by a reviewer. Repeating it returns the first result."""
    _require_owner(application, actor)
    policy = active_policy()
    application = Application.objects.select_related("person", "account").get(pk=application.pk)
    if application.state != State.AWAITING_MATERIALS:
        return application
    _require_all_materials(application, policy)
    inputs = submitted_inputs(application)
    instant_candidate = (
        policy.instant_approval
        and application.amount_fen is not None
        and application.amount_fen < policy.four_eyes_threshold_fen
        and not application.decisions.exists()
    )
    gathered = _gather_for(application, policy=policy) if instant_candidate else None
    with transaction.atomic():
        locked = _locked(application)
        if locked.state != State.AWAITING_MATERIALS:
            return locked
        # Checked again under the lock: a material removed during the outside calls must not pass.
        _require_all_materials(locked, policy)
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
                    _approve(
                        locked,
                        actor=Actor.system("秒批"),
                        reason="秒批：全部条件均由数据源核验通过，自动审批",
                        instant=True,
                    )
    return locked


def _require_all_materials(application: Application, policy: Policy) -> None:
    missing = missing_material_kinds(application, policy)
    if missing:
        names = "、".join(policy.material_names.get(kind, kind) for kind in missing)
        raise ApplicationError(f"请先上传以下材料：{names}", field="materials")
    # After 退回补正 the materials the reviewer named must be new uploads, on every channel.
    to_replace = materials_to_replace(application=application, policy=policy)
    if to_replace:
        names = "、".join(policy.material_names.get(kind, kind) for kind in to_replace)
        raise ApplicationError(f"请重新上传需补正的材料：{names}", field="materials")


def _approve(application: Application, *, actor: Actor, reason: str, instant: bool = False) -> Payout:
    """Freeze the amount and fix the payout (with its serial) in the approving transaction; the
    worker pays after commit, and the reconciler pays if that enqueue is ever lost."""
    from gjj.withdrawals import payouts

    payout = payouts.payout_prepare(application=application)
    application.decided_at = timezone.now()
    application.instant_approved = instant
    application.decision_reason = reason[:500]
    application.save(update_fields=["decided_at", "instant_approved", "decision_reason", "updated_at"])
    application_transition(application=application, to_state=State.APPROVED, actor=actor, reason=reason)
    payouts.payout_enqueue_after_commit(payout)
    return payout


# --- the member withdraws, or lets it lapse -------------------------------------------------------


def application_cancel(*, application: Application, actor: Actor, reason: str = "申请人撤回") -> Application:
    _require_owner(application, actor)
    with transaction.atomic():
        locked = _locked(application)
        if locked.state == State.CANCELLED:
            return locked
        if locked.state not in CANCELLABLE_STATES:
            raise ApplicationError(
                f"申请当前状态为“{locked.get_state_display()}”，已进入审核或支付，不能撤回"
            )
        application_transition(application=locked, to_state=State.CANCELLED, actor=actor, reason=reason)
    return locked


def applications_expire(*, now: dt.datetime | None = None) -> int:
    """Applications left without materials past their due time expire. Returns how many."""
    now = now or timezone.now()
    expired = 0
    due = Application.objects.filter(state=State.AWAITING_MATERIALS, materials_due_at__lt=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=pk)
            if (
                locked.state != State.AWAITING_MATERIALS
                or not locked.materials_due_at
                or locked.materials_due_at >= now
            ):
                continue
            application_transition(
                application=locked,
                to_state=State.EXPIRED,
                actor=Actor.system(),
                reason=f"超过材料上传期限（{locked.materials_due_at:%Y-%m-%d %H:%M} UTC）未上传影像材料，申请已过期",
            )
            expired += 1
    return expired


# --- review ---------------------------------------------------------------------------------------
#
# One reviewer holds a case at a time (``claimed_by``); every decision needs the claim. Stage 1 is
# the 初审 role's; at or above the four-eyes threshold a 初审 approval moves the case to stage 2, which
# a 复审 person other than the first approver claims and decides. Every step is in the audit log.


def _review_round(application: Application) -> int:
    return Transition.objects.filter(application=application, to_state=State.RETURNED).count() + 1


STAGE_ROLES: dict[int, StaffRole] = {
    ReviewStage.FIRST: StaffRole.FIRST_REVIEWER,
    ReviewStage.SECOND: StaffRole.SECOND_REVIEWER,
}
STAGE_NAMES = {stage.value: str(stage.label) for stage in ReviewStage}


def _audit(actor: Actor, *, action: str, application: Application, summary: str, **details: object) -> None:
    audit_record(
        action=action,
        summary=summary,
        actor=actor.user,
        target_type="application",
        target_id=application.business_no or str(application.pk),
        ip=actor.origin.ip,
        user_agent=actor.origin.user_agent,
        details={"state": application.state, "stage": application.review_stage, **details},
    )


def _require_reviewable(application: Application) -> None:
    if application.state not in REVIEWABLE_STATES:
        raise ApplicationError(f"申请当前状态为“{application.get_state_display()}”，不在待审核队列中")


def _holder_text(application: Application) -> str:
    holder = application.claimed_by
    name = (holder.get_full_name() or holder.get_username()) if holder else "其他工作人员"
    when = f"于 {timezone.localtime(application.claimed_at):%m-%d %H:%M} " if application.claimed_at else ""
    return f"该申请已由{name}{when}领取审核，不能再由您办理"


def _require_stage_role(application: Application, reviewer: User) -> None:
    stage = application.review_stage
    role = STAGE_ROLES[stage]
    if not user_has_role(reviewer, role):
        raise ApplicationError(f"该申请待{STAGE_NAMES[stage]}，须由{role.label}岗位的工作人员办理")
    if stage == 2:
        first = application.decisions.filter(
            round=_review_round(application), decision=Decision.APPROVE, stage=1
        ).first()
        if first is not None and first.reviewer_id == reviewer.pk:
            raise ApplicationError(
                f"提取金额 {format_yuan(application.amount_fen or 0)}达到复审标准，"
                "本申请的初审由您办理，复审须由另一名工作人员办理"
            )


def _require_holder(application: Application, reviewer: User) -> None:
    if application.claimed_by_id is None:
        raise ApplicationError("请先领取该申请，再作审核决定")
    if application.claimed_by_id != reviewer.pk:
        raise ApplicationError(_holder_text(application))
    _require_stage_role(application, reviewer)


def _locked_for_review(application: Application) -> Application:
    # Only the application's row is locked: the holder is an outer join (PostgreSQL refuses to lock
    # the nullable side of one).
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("person", "account", "claimed_by")
        .get(pk=application.pk)
    )


def _unclaim(application: Application) -> list[str]:
    application.claimed_by = None
    application.claimed_at = None
    return ["claimed_by", "claimed_at"]


def application_claim(*, application: Application, reviewer: User, origin: Origin = NO_ORIGIN) -> Application:
    """领取审核: the case is the reviewer's until they decide or release it; a second reviewer is told
    who has it."""
    actor = Actor.staff(reviewer, origin=origin)
    with transaction.atomic():
        locked = _locked_for_review(application)
        _require_reviewable(locked)
        if locked.claimed_by_id == reviewer.pk:
            return locked
        if locked.claimed_by_id is not None:
            raise ApplicationError(_holder_text(locked))
        _require_stage_role(locked, reviewer)
        locked.claimed_by, locked.claimed_at = reviewer, timezone.now()
        locked.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        stage_name = STAGE_NAMES[locked.review_stage]
        if locked.state == State.SUBMITTED:
            application_transition(
                application=locked, to_state=State.UNDER_REVIEW, actor=actor, reason=f"{stage_name}领取审核"
            )
        _audit(
            actor,
            action=AuditAction.APPLICATION_CLAIM,
            application=locked,
            summary=f"{stage_name}领取审核 {locked.business_no}",
        )
    return locked


def application_release(
    *, application: Application, reviewer: User, origin: Origin = NO_ORIGIN
) -> Application:
    """放弃领取: the case goes back to the queue of its stage."""
    actor = Actor.staff(reviewer, origin=origin)
    with transaction.atomic():
        locked = _locked_for_review(application)
        _require_reviewable(locked)
        if locked.claimed_by_id != reviewer.pk:
            raise ApplicationError("您没有领取该申请，不能放弃领取")
        locked.save(update_fields=[*_unclaim(locked), "updated_at"])
        if locked.state == State.UNDER_REVIEW and locked.review_stage == 1:
            application_transition(
                application=locked, to_state=State.SUBMITTED, actor=actor, reason="放弃领取，退回待审核队列"
            )
        _audit(
            actor,
            action=AuditAction.APPLICATION_RELEASE,
            application=locked,
            summary=f"放弃领取 {locked.business_no}",
        )
    return locked


def application_approve(
    *, application: Application, reviewer: User, reason: str = "", origin: Origin = NO_ORIGIN
) -> Application:
    """审核通过. At or above the policy's threshold a 初审 approval sends the case to 复审, where a
    different person's approval completes it."""
    policy = active_policy()
    actor = Actor.staff(reviewer, origin=origin)
    reason = reason.strip()
    with transaction.atomic():
        locked = _locked_for_review(application)
        _require_reviewable(locked)
        _require_holder(locked, reviewer)
        stage = locked.review_stage
        current_round = _review_round(locked)
        ReviewDecision.objects.create(
            application=locked,
            reviewer=reviewer,
            stage=stage,
            decision=Decision.APPROVE,
            reason=reason,
            round=current_round,
            at=timezone.now(),
        )
        needs_two = locked.amount_fen is not None and locked.amount_fen >= policy.four_eyes_threshold_fen
        if needs_two and stage == ReviewStage.FIRST:
            # 初审 → 复审: a transition of its own (the state stays, the stage moves on).
            locked.save(update_fields=[*_unclaim(locked), "updated_at"])
            application_transition(
                application=locked,
                to_state=State.UNDER_REVIEW,
                actor=actor,
                reason=f"初审通过，金额达到 {format_yuan(policy.four_eyes_threshold_fen)}，待复审"
                + (f"：{reason}" if reason else ""),
            )
            _audit(
                actor,
                action=AuditAction.APPLICATION_APPROVE,
                application=locked,
                summary=f"初审通过 {locked.business_no}，待复审",
                reason=reason,
            )
            return locked
        locked.save(update_fields=[*_unclaim(locked), "updated_at"])
        try:
            _approve(locked, actor=actor, reason=reason or ("复审通过" if stage == 2 else "审核通过"))
        except InsufficientFunds as exc:
            raise ApplicationError("申请人账户可用余额已不足提取金额，不能审批通过") from exc
        _audit(
            actor,
            action=AuditAction.APPLICATION_APPROVE,
            application=locked,
            summary=f"{STAGE_NAMES[stage]}通过 {locked.business_no}，已审批",
            reason=reason,
        )
    return locked


def _close_review(
    *,
    application: Application,
    reviewer: User,
    decision: str,
    to_state: str,
    reason: str,
    origin: Origin,
    what_to_fix: list[str] | None = None,
) -> Application:
    """Reject or return: one decision of this review round, the state change and the SMS."""
    actor = Actor.staff(reviewer, origin=origin)
    with transaction.atomic():
        locked = _locked_for_review(application)
        _require_reviewable(locked)
        _require_holder(locked, reviewer)
        stage = locked.review_stage
        ReviewDecision.objects.create(
            application=locked,
            reviewer=reviewer,
            stage=stage,
            decision=decision,
            reason=reason,
            what_to_fix=what_to_fix,
            round=_review_round(locked),
            at=timezone.now(),
        )
        locked.decision_reason = reason[:500]
        fields = ["decision_reason", "updated_at", *_unclaim(locked)]
        if to_state == State.REJECTED:
            locked.decided_at = timezone.now()
            fields.append("decided_at")
        else:
            locked.what_to_fix = what_to_fix
            fields.append("what_to_fix")
        locked.save(update_fields=fields)
        # Back to 初审 for any next round; the member is told (the lifecycle announces it).
        application_transition(application=locked, to_state=to_state, actor=actor, reason=reason)
        action = (
            AuditAction.APPLICATION_REJECT if to_state == State.REJECTED else AuditAction.APPLICATION_RETURN
        )
        _audit(
            actor,
            action=action,
            application=locked,
            summary=f"{STAGE_NAMES[stage]}{Decision(decision).label} {locked.business_no}：{reason[:200]}",
            what_to_fix=what_to_fix or [],
        )
    return locked


def application_reject(
    *, application: Application, reviewer: User, reason: str, origin: Origin = NO_ORIGIN
) -> Application:
    if not reason.strip():
        raise ApplicationError("请填写不予通过的原因", field="reason")
    return _close_review(
        application=application,
        reviewer=reviewer,
        decision=Decision.REJECT,
        to_state=State.REJECTED,
        reason=reason.strip(),
        origin=origin,
    )


def application_return(
    *,
    application: Application,
    reviewer: User,
    what_to_fix: list[str],
    reason: str,
    origin: Origin = NO_ORIGIN,
) -> Application:
    """退回补正: the member fixes what is named and submits again."""
    if not what_to_fix:
        raise ApplicationError("请勾选需要补正的材料或项目", field="what_to_fix")
    if not reason.strip():
        raise ApplicationError("请写明退回补正的原因", field="reason")
    known = set(active_policy().material_names) | set(FIX_FIELD_NAMES)
    unknown = [item for item in what_to_fix if item not in known]
    if unknown:
        raise ApplicationError(f"无法识别的补正项目：{'、'.join(unknown)}", field="what_to_fix")
    return _close_review(
        application=application,
        reviewer=reviewer,
        decision=Decision.RETURN,
        to_state=State.RETURNED,
        reason=reason.strip(),
        origin=origin,
        what_to_fix=list(dict.fromkeys(what_to_fix)),
    )


# --- after a failed payout --------------------------------------------------------------------------


def application_change_payout_card(
    *, application: Application, bank: str, card_no: str, actor: Actor
) -> Application:
    """After 支付失败 the member names another card; its rules are checked and the payout is re-driven
    under a new serial (the failed one is final at the bank, so no double payment is possible)."""
    _require_owner(application, actor)
    policy = active_policy()
    bank, card_no = bank.strip().upper(), "".join(card_no.split())
    application = Application.objects.select_related("person", "account").get(pk=application.pk)
    if application.state != State.PAYOUT_FAILED:
        raise ApplicationError(f"申请当前状态为“{application.get_state_display()}”，不能更换收款卡")
    card_facts, verification = card_verify(policy=policy, bank=bank, card_no=card_no)
    gathered = _gather_for(application, policy=policy)
    facts = replace(gathered.facts, card=card_facts)
    evaluation = evaluate(policy, facts)
    card_failures = [r for r in evaluation.failures if r.rule in CARD_RULE_IDS]
    if card_failures:
        raise ApplicationRefused(
            Evaluation(results=tuple(card_failures), max_amount_fen=None, relation=evaluation.relation)
        )
    inputs = submitted_inputs(application)
    with transaction.atomic():
        locked = _locked(application)
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
            _approve(locked, actor=actor, reason="支付失败后更换收款银行卡，重新支付")
        except InsufficientFunds as exc:
            raise ApplicationError("您的账户可用余额已不足提取金额，请联系中心") from exc
    return locked
