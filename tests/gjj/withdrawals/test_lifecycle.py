"""The state machine: every allowed transition, by whom, and every other pair refused. The table is
data, so most of this needs no database; the last tests walk each allowed move through
``application_transition`` on real rows and check that a refused one records nothing."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from gjj.members.models import Person
from gjj.withdrawals import events, lifecycle
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.events import MemberEvent
from gjj.withdrawals.lifecycle import Mover, ReviewStage, State, application_transition, transition_move
from gjj.withdrawals.models import Application, Channel, Notification, Transition
from tests.gjj.conftest import funded_member

S = State
MEMBER, FIRST, SECOND, SYSTEM = Mover.MEMBER, Mover.FIRST_REVIEWER, Mover.SECOND_REVIEWER, Mover.SYSTEM

# The lifecycle as DESIGN.md tells it, written out here independently of the module's table:
# (from, to) → who may make the move.
EXPECTED: dict[tuple[str, str], set[Mover]] = {
    (S.DRAFT, S.AWAITING_MATERIALS): {MEMBER},  # 提交申请, every rule passed
    (S.DRAFT, S.CANCELLED): {MEMBER},
    (S.AWAITING_MATERIALS, S.SUBMITTED): {MEMBER},  # the materials, then 提交申请
    (S.AWAITING_MATERIALS, S.CANCELLED): {MEMBER},
    (S.AWAITING_MATERIALS, S.EXPIRED): {SYSTEM},
    (S.SUBMITTED, S.UNDER_REVIEW): {FIRST},  # 领取审核
    (S.SUBMITTED, S.APPROVED): {SYSTEM},  # 秒批
    (S.SUBMITTED, S.CANCELLED): {MEMBER},  # 撤回 before review
    (S.UNDER_REVIEW, S.SUBMITTED): {FIRST},  # 放弃领取
    (S.UNDER_REVIEW, S.UNDER_REVIEW): {FIRST},  # 初审通过 → 复审
    (S.UNDER_REVIEW, S.APPROVED): {FIRST, SECOND},
    (S.UNDER_REVIEW, S.REJECTED): {FIRST, SECOND},
    (S.UNDER_REVIEW, S.RETURNED): {FIRST, SECOND},
    (S.RETURNED, S.AWAITING_MATERIALS): {MEMBER},  # fixed and submitted again
    (S.RETURNED, S.CANCELLED): {MEMBER},
    (S.APPROVED, S.PAYING): {SYSTEM},
    (S.PAYING, S.PAID): {SYSTEM},
    (S.PAYING, S.PAYOUT_FAILED): {SYSTEM},
    (S.PAYOUT_FAILED, S.APPROVED): {MEMBER},  # another card
}
ANNOUNCED: dict[tuple[str, str], MemberEvent] = {
    (S.AWAITING_MATERIALS, S.SUBMITTED): MemberEvent.SUBMITTED,
    (S.SUBMITTED, S.APPROVED): MemberEvent.APPROVED,
    (S.UNDER_REVIEW, S.APPROVED): MemberEvent.APPROVED,
    (S.PAYOUT_FAILED, S.APPROVED): MemberEvent.APPROVED,
    (S.UNDER_REVIEW, S.REJECTED): MemberEvent.REJECTED,
    (S.UNDER_REVIEW, S.RETURNED): MemberEvent.RETURNED,
    (S.PAYING, S.PAID): MemberEvent.PAID,
    (S.PAYING, S.PAYOUT_FAILED): MemberEvent.PAYOUT_FAILED,
}
ALLOWED = [(a, b, mover) for (a, b), movers in EXPECTED.items() for mover in sorted(movers)]


# --- the table, without a database -------------------------------------------------------------


@pytest.mark.parametrize("from_state", list(State), ids=[s.value for s in State])
def test_from_each_state_exactly_the_expected_moves_are_allowed_and_every_other_is_refused(from_state):
    for to_state, mover in itertools.product(State, Mover):
        allowed = mover in EXPECTED.get((from_state, to_state), set())
        if allowed:
            move = transition_move(from_state=from_state, to_state=to_state, mover=mover)
            assert (move.from_state, move.to_state) == (from_state, to_state)
        else:
            with pytest.raises(ApplicationError):
                transition_move(from_state=from_state, to_state=to_state, mover=mover)


def test_the_module_has_no_move_the_lifecycle_does_not_know():
    table = {(m.from_state, m.to_state): set(m.by) for m in lifecycle.TRANSITIONS}
    assert table == EXPECTED
    assert {
        state: {b for (a, b) in EXPECTED if a == state} for state in {a for (a, _) in EXPECTED}
    } == lifecycle.ALLOWED_TRANSITIONS


def test_the_refusals_say_why_in_chinese():
    with pytest.raises(ApplicationError) as no_such_move:
        transition_move(from_state=S.PAID, to_state=S.PAYING, mover=SYSTEM)
    assert no_such_move.value.message == "申请当前状态为“已到账”，不能变更为“支付中”"
    with pytest.raises(ApplicationError) as not_yours:
        transition_move(from_state=S.SUBMITTED, to_state=S.UNDER_REVIEW, mover=MEMBER)
    assert not_yours.value.message == "申请当前状态为“已提交”，变更为“审核中”须由初审工作人员办理"
    with pytest.raises(ApplicationError) as reviewers_only:
        transition_move(from_state=S.UNDER_REVIEW, to_state=S.REJECTED, mover=SYSTEM)
    assert reviewers_only.value.message.endswith("须由初审工作人员或复审工作人员办理")


def test_the_moves_announce_the_member_events_and_move_the_review_stage():
    assert {
        (m.from_state, m.to_state): m.announces for m in lifecycle.TRANSITIONS if m.announces
    } == ANNOUNCED
    stages = {(m.from_state, m.to_state): m.review_stage for m in lifecycle.TRANSITIONS if m.review_stage}
    assert stages == {
        (S.UNDER_REVIEW, S.UNDER_REVIEW): ReviewStage.SECOND,  # 初审 → 复审
        (S.UNDER_REVIEW, S.REJECTED): ReviewStage.FIRST,  # a next round starts at 初审
        (S.UNDER_REVIEW, S.RETURNED): ReviewStage.FIRST,
    }


def test_who_moves_is_the_actor_kind_and_for_staff_the_stage_the_case_is_at():
    person = Person(id_number="210102198803120158", name="张伟")
    user = get_user_model()(username="reviewer", first_name="审核员")
    assert lifecycle.mover_of(actor=Actor.member(person, channel=Channel.WEB), review_stage=2) == MEMBER
    assert lifecycle.mover_of(actor=Actor.staff(user), review_stage=1) == FIRST
    assert lifecycle.mover_of(actor=Actor.staff(user), review_stage=2) == SECOND
    assert lifecycle.mover_of(actor=Actor.system("银行"), review_stage=1) == SYSTEM


def test_the_groups_agree_with_the_table():
    states = set(State)
    reachable, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        here = frontier.pop()
        for a, b in EXPECTED:
            if a == here and b not in reachable:
                reachable.add(b)
                frontier.append(b)
    assert reachable == states
    assert {s for s in states if not any(a == s for a, _ in EXPECTED)} == lifecycle.FINAL_STATES
    assert states - lifecycle.FINAL_STATES - {S.DRAFT} == lifecycle.ACTIVE_STATES
    assert {a for (a, b), who in EXPECTED.items() if b == S.CANCELLED} == lifecycle.CANCELLABLE_STATES
    assert {
        a for (a, b), who in EXPECTED.items() if b == S.AWAITING_MATERIALS and MEMBER in who
    } == lifecycle.EDITABLE_STATES
    assert {a for (a, _), who in EXPECTED.items() if who & {FIRST, SECOND}} == lifecycle.REVIEWABLE_STATES
    assert set(lifecycle.BACKLOG_STATES) == lifecycle.ACTIVE_STATES - {S.AWAITING_MATERIALS}
    assert lifecycle.PRE_SUBMISSION_STATES | lifecycle.SETTLED_INPUT_STATES | {S.RETURNED, S.CANCELLED} == (
        states
    )


# --- application_transition on real rows ----------------------------------------------------------


@pytest.fixture
def person(db):
    person = funded_member()
    return person


@pytest.fixture
def announced(monkeypatch):
    """The member events announced, recorded instead of sent (the senders are tested on their own)."""
    heard: list[tuple[int, MemberEvent]] = []
    monkeypatch.setattr(events, "_subscribers", [])
    events.member_event_subscribe(lambda *, application, event: heard.append((application.pk, event)))
    return heard


def _actor(mover: Mover, person: Person) -> Actor:
    if mover == MEMBER:
        return Actor.member(person, channel=Channel.WECHAT)
    if mover == SYSTEM:
        return Actor.system("测试")
    user, _ = get_user_model().objects.get_or_create(username="reviewer", defaults={"first_name": "审核员"})
    return Actor.staff(user)


def test_every_allowed_move_is_made_and_recorded_with_who_when_and_why(person, announced):
    for from_state, to_state, mover in ALLOWED:
        stage = ReviewStage.SECOND if mover == SECOND else ReviewStage.FIRST
        application = Application.objects.create(
            person=person,
            account=person.account,
            channel=Channel.WEB,
            state=from_state,
            review_stage=stage,
        )
        heard_before = len(announced)
        actor = _actor(mover, person)
        with transaction.atomic():
            recorded = application_transition(
                application=application, to_state=to_state, actor=actor, reason="测试原因"
            )
        application.refresh_from_db()
        assert application.state == to_state
        assert list(application.transitions.values_list("from_state", "to_state")) == [(from_state, to_state)]
        assert (recorded.actor_kind, recorded.actor_label, recorded.channel, recorded.reason) == (
            actor.kind,
            actor.label,
            actor.channel,
            "测试原因",
        )
        assert recorded.actor_person == actor.person and recorded.actor_user == actor.user
        expected_stage = {
            (S.UNDER_REVIEW, S.UNDER_REVIEW): ReviewStage.SECOND,
            (S.UNDER_REVIEW, S.REJECTED): ReviewStage.FIRST,
            (S.UNDER_REVIEW, S.RETURNED): ReviewStage.FIRST,
        }.get((from_state, to_state), stage)
        assert application.review_stage == expected_stage
        event = ANNOUNCED.get((from_state, to_state))
        assert announced[heard_before:] == ([(application.pk, event)] if event else [])
    assert len(announced) == sum(len(EXPECTED[pair]) for pair in ANNOUNCED)


@pytest.mark.parametrize(
    ("from_state", "to_state", "mover"),
    [
        (S.PAID, S.PAYING, SYSTEM),  # not in the table
        (S.DRAFT, S.APPROVED, SYSTEM),  # not in the table
        (S.SUBMITTED, S.UNDER_REVIEW, MEMBER),  # in the table, but a reviewer's move
        (S.UNDER_REVIEW, S.UNDER_REVIEW, SECOND),  # 复审 does not send a case to 复审
    ],
)
def test_a_refused_transition_changes_and_records_nothing(person, announced, from_state, to_state, mover):
    stage = ReviewStage.SECOND if mover == SECOND else ReviewStage.FIRST
    application = Application.objects.create(
        person=person,
        account=person.account,
        channel=Channel.WEB,
        state=from_state,
        review_stage=stage,
        business_no="TQ20261127000001",
    )
    with pytest.raises(ApplicationError), transaction.atomic():
        application_transition(
            application=application, to_state=to_state, actor=_actor(mover, person), reason="x"
        )
    application.refresh_from_db()
    assert (application.state, application.review_stage) == (from_state, stage)
    assert not Transition.objects.exists()
    assert not Notification.objects.exists()
    assert announced == []


@pytest.mark.django_db(transaction=True)
def test_a_transition_outside_a_transaction_is_refused_as_a_programming_error(person):
    application = Application.objects.create(person=person, account=person.account, channel=Channel.WEB)
    with pytest.raises(RuntimeError):
        application_transition(
            application=application, to_state=S.CANCELLED, actor=_actor(MEMBER, person), reason="x"
        )
    application.refresh_from_db()
    assert application.state == S.DRAFT
    assert not Transition.objects.exists()
