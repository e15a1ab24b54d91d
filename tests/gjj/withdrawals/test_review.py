"""Review decisions as services: approve, four eyes at the threshold, reject, return and resubmit."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gjj.members.models import FundAccount
from gjj.staff.roles import StaffRole
from gjj.staff.services import staff_role_grant
from gjj.withdrawals import services
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.models import Application, Decision, State
from tests.gjj.withdrawals.conftest import WU_HAO, ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_instant_approval(settings, tmp_path):
    """The centre switches 秒批 off: every application goes to staff."""
    from pathlib import Path

    import gjj.policy

    text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    assert "instant_approval = true" in text
    custom = tmp_path / "policy.toml"
    custom.write_text(text.replace("instant_approval = true", "instant_approval = false"), encoding="utf-8")
    settings.GJJ_POLICY_FILE = str(custom)


@pytest.fixture
def no_auto_payout(monkeypatch):
    from gjj.withdrawals import payouts

    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)


def _submitted(id_number: str, house: str, bank: str, card: str) -> Application:
    walk = member(id_number)
    application = walk.submit(walk.fill(contract_no=house, bank=bank, card_no=card))
    walk.upload_all(application)
    return walk.final_submit(application)


def test_without_instant_approval_it_waits_for_a_reviewer(
    loaded, no_instant_approval, no_auto_payout, reviewers
):
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    assert application.state == State.SUBMITTED and not application.instant_approved
    first, _ = reviewers
    services.application_claim(application=application, reviewer=first)
    approved = services.application_approve(application=application, reviewer=first, reason="材料齐全")
    assert approved.state == State.APPROVED
    assert FundAccount.objects.get(person__id_number=ZHANG_WEI).frozen_fen == approved.amount_fen
    last = approved.transitions.last()
    assert (last.actor_kind, last.actor_user_id, last.reason) == ("staff", first.pk, "材料齐全")


def test_a_claimed_case_cannot_be_claimed_by_another_reviewer(loaded, no_instant_approval, reviewers):
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    first, second = reviewers
    services.application_claim(application=application, reviewer=first)
    with pytest.raises(ApplicationError, match="初审员"):
        services.application_claim(application=application, reviewer=second)


def test_four_eyes(loaded, no_auto_payout, reviewers, settings, tmp_path):
    from pathlib import Path

    import gjj.policy

    text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    custom = tmp_path / "policy.toml"
    custom.write_text(
        text.replace('four_eyes_threshold = "200000.00"', 'four_eyes_threshold = "50000.00"'),
        encoding="utf-8",
    )
    settings.GJJ_POLICY_FILE = str(custom)

    application = _submitted(WU_HAO, "SY202603150007777", "ICBC", "6222007019795107231")
    assert application.amount_fen == 7_000_000
    assert application.state == State.SUBMITTED  # at or above the threshold: never 秒批
    first, second = reviewers
    staff_role_grant(user=first, role=StaffRole.SECOND_REVIEWER)  # holds both roles: still not twice
    services.application_claim(application=application, reviewer=first)
    after_first = services.application_approve(application=application, reviewer=first)
    assert after_first.state == State.UNDER_REVIEW
    assert (after_first.review_stage, after_first.claimed_by_id) == (2, None)
    with pytest.raises(ApplicationError, match="另一名工作人员"):
        services.application_claim(application=application, reviewer=first)
    with pytest.raises(ApplicationError, match="请先领取"):
        services.application_approve(application=application, reviewer=second)
    services.application_claim(application=application, reviewer=second)
    after_second = services.application_approve(application=application, reviewer=second)
    assert after_second.state == State.APPROVED
    stages = list(after_second.decisions.values_list("stage", "decision", "reviewer_id"))
    assert stages == [(1, Decision.APPROVE, first.pk), (2, Decision.APPROVE, second.pk)]


def test_reject_records_the_reason_and_holds_nothing(loaded, no_instant_approval, reviewers):
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    first, _ = reviewers
    with pytest.raises(ApplicationError, match="原因"):
        services.application_reject(application=application, reviewer=first, reason=" ")
    with pytest.raises(ApplicationError, match="请先领取"):
        services.application_reject(application=application, reviewer=first, reason="不符")
    services.application_claim(application=application, reviewer=first)
    rejected = services.application_reject(
        application=application, reviewer=first, reason="购房合同与备案信息不符"
    )
    assert rejected.state == State.REJECTED and rejected.decision_reason == "购房合同与备案信息不符"
    assert FundAccount.objects.get(person__id_number=ZHANG_WEI).frozen_fen == 0
    with pytest.raises(ApplicationError):
        services.application_cancel(application=rejected, actor=member(ZHANG_WEI).actor)


def test_return_and_resubmit(loaded, no_instant_approval, no_auto_payout, reviewers):
    walk = member(ZHANG_WEI)
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    first, _ = reviewers
    services.application_claim(application=application, reviewer=first)
    returned = services.application_return(
        application=application, reviewer=first, what_to_fix=["purchase_invoice"], reason="购房发票不清晰"
    )
    assert returned.state == State.RETURNED and returned.what_to_fix == ["purchase_invoice"]

    again = walk.submit(returned)
    assert again.state == State.AWAITING_MATERIALS and again.business_no == application.business_no
    from tests.gjj.withdrawals.conftest import jpeg_bytes

    services.material_upload(
        application=again,
        kind="purchase_invoice",
        name="invoice.jpg",
        data=jpeg_bytes(size=(80, 60)),
        actor=walk.actor,
    )
    assert again.materials.filter(kind="purchase_invoice").count() == 2
    assert again.materials.filter(kind="purchase_invoice", is_current=True).count() == 1
    resubmitted = walk.final_submit(again)
    assert resubmitted.state == State.SUBMITTED
    assert (resubmitted.review_stage, resubmitted.claimed_by_id) == (1, None)
    services.application_claim(application=resubmitted, reviewer=first)
    approved = services.application_approve(application=resubmitted, reviewer=first)
    assert approved.state == State.APPROVED
    assert [t for _, t in approved.transitions.values_list("from_state", "to_state")] == [
        "awaiting_materials",
        "submitted",
        "under_review",
        "returned",
        "awaiting_materials",
        "submitted",
        "under_review",
        "approved",
    ]


def test_the_second_claimant_is_told_who_has_it_and_the_holder_may_release(
    loaded, no_instant_approval, reviewers
):
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    first, _ = reviewers
    other = get_user_model().objects.create_user(username="chushen2", first_name="另一初审", is_staff=True)
    staff_role_grant(user=other, role=StaffRole.FIRST_REVIEWER)
    services.application_claim(application=application, reviewer=first)
    services.application_claim(application=application, reviewer=first)  # again: still theirs
    with pytest.raises(ApplicationError, match="已由初审员"):
        services.application_claim(application=application, reviewer=other)
    with pytest.raises(ApplicationError, match="已由初审员"):
        services.application_approve(application=application, reviewer=other)
    with pytest.raises(ApplicationError, match="没有领取"):
        services.application_release(application=application, reviewer=other)
    released = services.application_release(application=application, reviewer=first)
    assert (released.state, released.claimed_by_id) == (State.SUBMITTED, None)
    assert services.application_claim(application=application, reviewer=other).claimed_by_id == other.pk


def test_each_stage_belongs_to_its_role(loaded, no_instant_approval, reviewers):
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    _, second = reviewers
    with pytest.raises(ApplicationError, match="待初审，须由初审岗位"):
        services.application_claim(application=application, reviewer=second)
    finance = get_user_model().objects.create_user(username="caiwu", is_staff=True)
    staff_role_grant(user=finance, role=StaffRole.FINANCE)
    with pytest.raises(ApplicationError, match="须由初审岗位"):
        services.application_claim(application=application, reviewer=finance)


def test_a_return_must_name_known_items_and_a_reason(loaded, no_instant_approval, reviewers):
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    first, _ = reviewers
    services.application_claim(application=application, reviewer=first)
    with pytest.raises(ApplicationError, match="请勾选"):
        services.application_return(application=application, reviewer=first, what_to_fix=[], reason="看不清")
    with pytest.raises(ApplicationError, match="退回补正的原因"):
        services.application_return(
            application=application, reviewer=first, what_to_fix=["purchase_invoice"], reason=" "
        )
    with pytest.raises(ApplicationError, match="无法识别的补正项目：wallpaper"):
        services.application_return(
            application=application, reviewer=first, what_to_fix=["wallpaper"], reason="看不清"
        )
    assert Application.objects.get(pk=application.pk).state == State.UNDER_REVIEW


def test_every_review_step_leaves_an_audit_entry(loaded, no_instant_approval, no_auto_payout, reviewers):
    from gjj.audit.models import AuditEntry
    from gjj.core.origin import Origin

    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    first, _ = reviewers
    origin = Origin(ip="10.1.2.3", user_agent="pytest-browser")
    services.application_claim(application=application, reviewer=first, origin=origin)
    services.application_release(application=application, reviewer=first, origin=origin)
    services.application_claim(application=application, reviewer=first, origin=origin)
    services.application_return(
        application=application,
        reviewer=first,
        what_to_fix=["purchase_invoice"],
        reason="发票不清晰",
        origin=origin,
    )
    entries = list(AuditEntry.objects.filter(target_id=application.business_no).order_by("seq"))
    assert [e.action for e in entries] == [
        "application_claim",
        "application_release",
        "application_claim",
        "application_return",
    ]
    assert {(e.actor_id, e.ip, e.user_agent) for e in entries} == {(first.pk, "10.1.2.3", "pytest-browser")}
    assert "发票不清晰" in entries[-1].summary and entries[-1].details["what_to_fix"] == ["purchase_invoice"]
