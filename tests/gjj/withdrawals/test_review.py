"""Review decisions as services: approve, four eyes at the threshold, reject, return and resubmit."""

from __future__ import annotations

import pytest

from gjj.members.models import FundAccount
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
    services.application_claim(application=application, reviewer=first)
    after_first = services.application_approve(application=application, reviewer=first)
    assert after_first.state == State.UNDER_REVIEW
    with pytest.raises(ApplicationError, match="另一名工作人员"):
        services.application_approve(application=application, reviewer=first)
    after_second = services.application_approve(application=application, reviewer=second)
    assert after_second.state == State.APPROVED
    stages = list(after_second.decisions.values_list("stage", "decision", "reviewer_id"))
    assert stages == [(1, Decision.APPROVE, first.pk), (2, Decision.APPROVE, second.pk)]


def test_reject_records_the_reason_and_holds_nothing(loaded, no_instant_approval, reviewers):
    application = _submitted(ZHANG_WEI, ZHANG_HOUSE, "CCB", ZHANG_CARD)
    first, _ = reviewers
    with pytest.raises(ApplicationError, match="原因"):
        services.application_reject(application=application, reviewer=first, reason=" ")
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
    approved = services.application_approve(application=resubmitted, reviewer=first)
    assert approved.state == State.APPROVED
    assert [t for _, t in approved.transitions.values_list("from_state", "to_state")] == [
        "awaiting_materials",
        "submitted",
        "under_review",
        "returned",
        "awaiting_materials",
        "submitted",
        "approved",
    ]
