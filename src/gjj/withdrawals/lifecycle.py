"""The application's lifecycle in one place: its states, their groups, the transitions allowed (as
data, with who may make each), the review stages, and ``application_transition``, the only way an
application changes state.

The table is the whole state machine: a transition not in it is refused, whoever asks. The services
lock the application's row, check their own guards under the lock, then call
``application_transition``, which checks the table against the locked row, records who, when and
why, moves the review stage when the transition says so, and announces the member event the
transition carries (``gjj.withdrawals.events``) in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

from gjj.withdrawals.errors import ApplicationError, ApplicationNotEditable
from gjj.withdrawals.events import MemberEvent, member_event_announce

if TYPE_CHECKING:
    from gjj.withdrawals.actors import Actor
    from gjj.withdrawals.models import Application, Transition


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    AWAITING_MATERIALS = "awaiting_materials", "待上传材料"
    SUBMITTED = "submitted", "已提交"
    UNDER_REVIEW = "under_review", "审核中"
    APPROVED = "approved", "已审批"
    PAYING = "paying", "支付中"
    PAID = "paid", "已到账"
    REJECTED = "rejected", "未通过"
    RETURNED = "returned", "退回补正"
    PAYOUT_FAILED = "payout_failed", "支付失败"
    CANCELLED = "cancelled", "已撤回"
    EXPIRED = "expired", "已过期"


class ActorKind(models.TextChoices):
    MEMBER = "member", "缴存职工"
    STAFF = "staff", "工作人员"
    SYSTEM = "system", "系统"


class ReviewStage(models.IntegerChoices):
    """Which approval a case under review awaits: 初审, and at or above the four-eyes threshold
    a 复审 by another person after the 初审 approval."""

    FIRST = 1, "初审"
    SECOND = 2, "复审"


# --- the groups of states -------------------------------------------------------------------------

# Nothing more happens to these.
FINAL_STATES = frozenset({State.PAID, State.REJECTED, State.CANCELLED, State.EXPIRED})
# Open and counted against the house price and the member's one-open-application limit.
ACTIVE_STATES = frozenset(
    {
        State.AWAITING_MATERIALS,
        State.SUBMITTED,
        State.UNDER_REVIEW,
        State.APPROVED,
        State.PAYING,
        State.RETURNED,
        State.PAYOUT_FAILED,
    }
)
# Money of these counts as withdrawn (or about to be) on the house.
CLAIMING_STATES = ACTIVE_STATES | {State.PAID}
# The member may change what the application says (and submit it).
EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
# The member may withdraw it (撤回): before any review has begun.
CANCELLABLE_STATES = frozenset({State.DRAFT, State.AWAITING_MATERIALS, State.SUBMITTED, State.RETURNED})
# In the review queue: these wait for a reviewer's decision (and only these can be late for one).
REVIEWABLE_STATES = frozenset({State.SUBMITTED, State.UNDER_REVIEW})
# Not yet at the centre with its materials: no 办理回执.
PRE_SUBMISSION_STATES = frozenset({State.DRAFT, State.AWAITING_MATERIALS})
# Submitted with the materials and on its way to being paid, or paid: the result page says 提交成功.
SUBMITTED_STATES = frozenset(
    {State.SUBMITTED, State.UNDER_REVIEW, State.APPROVED, State.PAYING, State.PAID, State.PAYOUT_FAILED}
)
# Approved and the money on its way (the result page follows the payout).
PAYOUT_UNDER_WAY_STATES = frozenset({State.APPROVED, State.PAYING})
# Open states the centre has to move on (the member has submitted), in the order work flows.
BACKLOG_STATES: tuple[str, ...] = (
    State.SUBMITTED,
    State.UNDER_REVIEW,
    State.APPROVED,
    State.PAYING,
    State.PAYOUT_FAILED,
    State.RETURNED,
)
# Whose inputs can no longer change, so they must be what was evaluated. A draft and a returned
# application are being edited; a cancelled one may have been cancelled while editable.
SETTLED_INPUT_STATES = frozenset(
    {
        State.AWAITING_MATERIALS,
        State.SUBMITTED,
        State.UNDER_REVIEW,
        State.APPROVED,
        State.PAYING,
        State.PAID,
        State.PAYOUT_FAILED,
        State.REJECTED,
        State.EXPIRED,
    }
)


# --- who may move an application ----------------------------------------------------------------


class Mover(models.TextChoices):
    MEMBER = "member", "申请人"
    FIRST_REVIEWER = "first_reviewer", "初审工作人员"
    SECOND_REVIEWER = "second_reviewer", "复审工作人员"
    SYSTEM = "system", "系统"  # 秒批, expiry, the payout and the bank's answers


def mover_of(*, actor: Actor, review_stage: int) -> Mover:
    """A member, the hall itself, or a reviewer at the stage the case is at."""
    if actor.kind == ActorKind.MEMBER:
        return Mover.MEMBER
    if actor.kind == ActorKind.STAFF:
        return Mover.SECOND_REVIEWER if review_stage == ReviewStage.SECOND else Mover.FIRST_REVIEWER
    return Mover.SYSTEM


# --- the transitions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One allowed transition: from a state to a state, by whom; the review stage it leaves the case
    at (None: unchanged) and the member event it announces (None: the member is not told)."""

    from_state: State
    to_state: State
    by: frozenset[Mover]
    review_stage: ReviewStage | None = None
    announces: MemberEvent | None = None


def _move(
    from_state: State,
    to_state: State,
    *by: Mover,
    review_stage: ReviewStage | None = None,
    announces: MemberEvent | None = None,
) -> Move:
    return Move(from_state, to_state, frozenset(by), review_stage, announces)


_MEMBER, _FIRST, _SECOND, _SYSTEM = Mover.MEMBER, Mover.FIRST_REVIEWER, Mover.SECOND_REVIEWER, Mover.SYSTEM
_S = State

TRANSITIONS: tuple[Move, ...] = (
    # The member's draft: 提交申请 (every rule passed), or 撤回.
    _move(_S.DRAFT, _S.AWAITING_MATERIALS, _MEMBER),
    _move(_S.DRAFT, _S.CANCELLED, _MEMBER),
    # The materials: 提交申请 with all of them, 撤回, or the due time passes.
    _move(_S.AWAITING_MATERIALS, _S.SUBMITTED, _MEMBER, announces=MemberEvent.SUBMITTED),
    _move(_S.AWAITING_MATERIALS, _S.CANCELLED, _MEMBER),
    _move(_S.AWAITING_MATERIALS, _S.EXPIRED, _SYSTEM),
    # Submitted: 秒批, a 初审 reviewer claims it (a reviewer decides only a case they hold, under
    # review), or the member withdraws it.
    _move(_S.SUBMITTED, _S.UNDER_REVIEW, _FIRST),
    _move(_S.SUBMITTED, _S.APPROVED, _SYSTEM, announces=MemberEvent.APPROVED),
    _move(_S.SUBMITTED, _S.CANCELLED, _MEMBER),
    # Under review: the 初审 reviewer releases it back to the queue, or approves it at or above the
    # four-eyes threshold (初审 → 复审: the state stays, the stage moves on); a decision closes it.
    _move(_S.UNDER_REVIEW, _S.SUBMITTED, _FIRST),
    _move(_S.UNDER_REVIEW, _S.UNDER_REVIEW, _FIRST, review_stage=ReviewStage.SECOND),
    _move(_S.UNDER_REVIEW, _S.APPROVED, _FIRST, _SECOND, announces=MemberEvent.APPROVED),
    _move(
        _S.UNDER_REVIEW,
        _S.REJECTED,
        _FIRST,
        _SECOND,
        review_stage=ReviewStage.FIRST,
        announces=MemberEvent.REJECTED,
    ),
    _move(
        _S.UNDER_REVIEW,
        _S.RETURNED,
        _FIRST,
        _SECOND,
        review_stage=ReviewStage.FIRST,
        announces=MemberEvent.RETURNED,
    ),
    # 退回补正: the member fixes it and submits again, or withdraws it.
    _move(_S.RETURNED, _S.AWAITING_MATERIALS, _MEMBER),
    _move(_S.RETURNED, _S.CANCELLED, _MEMBER),
    # The payout: sent to the bank, and the bank's answer.
    _move(_S.APPROVED, _S.PAYING, _SYSTEM),
    _move(_S.PAYING, _S.PAID, _SYSTEM, announces=MemberEvent.PAID),
    _move(_S.PAYING, _S.PAYOUT_FAILED, _SYSTEM, announces=MemberEvent.PAYOUT_FAILED),
    # After a refused payout the member names another card: approved again, paid under a new serial.
    _move(_S.PAYOUT_FAILED, _S.APPROVED, _MEMBER, announces=MemberEvent.APPROVED),
)

_BY_PAIR: dict[tuple[str, str], Move] = {(m.from_state, m.to_state): m for m in TRANSITIONS}
assert len(_BY_PAIR) == len(TRANSITIONS), "one move per pair of states"

# The pairs alone: to_state allowed from each state, whoever moves it.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(m.to_state for m in TRANSITIONS if m.from_state == state)
    for state in State
    if any(m.from_state == state for m in TRANSITIONS)
}


def _label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state


def _labels(movers: Iterable[Mover]) -> str:
    return "或".join(str(m.label) for m in Mover if m in set(movers))


def transition_move(*, from_state: str, to_state: str, mover: Mover) -> Move:
    """The table's move from ``from_state`` to ``to_state`` when ``mover`` may make it; otherwise
    ApplicationError in the member's (or the reviewer's) words. No database."""
    move = _BY_PAIR.get((from_state, to_state))
    if move is None:
        raise ApplicationError(f"申请当前状态为“{_label(from_state)}”，不能变更为“{_label(to_state)}”")
    if mover not in move.by:
        raise ApplicationError(
            f"申请当前状态为“{_label(from_state)}”，变更为“{_label(to_state)}”须由{_labels(move.by)}办理"
        )
    return move


def application_transition(
    *, application: Application, to_state: str, actor: Actor, reason: str
) -> Transition:
    """Move ``application`` (its row locked by the caller, in the caller's transaction) to
    ``to_state``: refused unless the table allows it to this actor at the case's review stage;
    otherwise the state (and the review stage, when the move sets one) is saved, the transition
    recorded with who, when, why and the channel, and the move's member event announced."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("application_transition runs in the transaction that locked the application")
    from_state = application.state
    move = transition_move(
        from_state=from_state,
        to_state=to_state,
        mover=mover_of(actor=actor, review_stage=application.review_stage),
    )
    application.state = move.to_state
    fields = ["state", "updated_at"]
    if move.review_stage is not None and application.review_stage != move.review_stage:
        application.review_stage = move.review_stage
        fields.append("review_stage")
    application.save(update_fields=fields)
    recorded = application.transitions.create(
        from_state=from_state,
        to_state=move.to_state,
        actor_kind=actor.kind,
        actor_label=actor.label,
        actor_person=actor.person,
        actor_user=actor.user,
        channel=actor.channel,
        reason=reason,
        at=timezone.now(),
    )
    if move.announces is not None:
        member_event_announce(application=application, event=move.announces)
    return recorded


# --- the guards the services check under the row's lock ------------------------------------------


def application_locked(application: Application) -> Application:
    """The application's row, locked for the rest of the transaction, read again with its member."""
    from gjj.withdrawals.models import Application

    return Application.objects.select_for_update().select_related("person", "account").get(pk=application.pk)


def require_owner(application: Application, actor: Actor) -> None:
    if actor.person is not None and actor.person.pk != application.person_id:
        raise ApplicationError("只能办理本人的申请")


def require_editable(application: Application) -> None:
    if application.state not in EDITABLE_STATES:
        raise ApplicationNotEditable(f"申请当前状态为“{_label(application.state)}”，不能修改")


def require_reviewable(application: Application) -> None:
    if application.state not in REVIEWABLE_STATES:
        raise ApplicationError(f"申请当前状态为“{_label(application.state)}”，不在待审核队列中")
