"""The review (审核): one reviewer holds a case at a time (``claimed_by``); every decision needs the
claim. Stage 1 is the 初审 role's; at or above the four-eyes threshold a 初审 approval moves the case
to stage 2 (a transition of its own), which a 复审 person other than the first approver claims and
decides. Every step is in the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from gjj.audit.models import AuditAction
from gjj.audit.services import audit_record
from gjj.core.money import format_yuan
from gjj.core.origin import NO_ORIGIN, Origin
from gjj.members.services import InsufficientFunds
from gjj.policy.active import active_policy
from gjj.staff.roles import StaffRole, user_has_role
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.lifecycle import ReviewStage, application_transition, require_reviewable
from gjj.withdrawals.models import Application, Decision, ReviewDecision, State, Transition
from gjj.withdrawals.payouts import approval_grant
from gjj.withdrawals.selectors import FIX_FIELD_NAMES

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
        require_reviewable(locked)
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
        require_reviewable(locked)
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
        require_reviewable(locked)
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
            approval_grant(
                application=locked, actor=actor, reason=reason or ("复审通过" if stage == 2 else "审核通过")
            )
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
        require_reviewable(locked)
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
