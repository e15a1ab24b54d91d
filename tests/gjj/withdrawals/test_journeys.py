"""The application lifecycle through the services, against the live simulators over HTTP (the state
machine itself, as data, is tested in test_lifecycle.py)."""

from __future__ import annotations

import pytest

from gjj.members.models import FundAccount, FundHold, HoldStatus, LedgerEntry, LedgerEntryKind
from gjj.members.selectors import ledger_inconsistencies
from gjj.withdrawals import services
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.models import Application, Channel, Notification, Payout, PayoutState, State, Transition
from tests.gjj.withdrawals.conftest import (
    LI_CARD,
    LI_NA,
    WANG_FANG,
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    member,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _states(application: Application) -> list[tuple[str, str]]:
    return list(application.transitions.values_list("from_state", "to_state"))


def test_zhang_wei_goes_from_draft_to_paid_through_the_worker_and_the_bank(
    loaded, sims, django_capture_on_commit_callbacks
):
    zhang = member(ZHANG_WEI)
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    assert application.state == State.DRAFT
    assert application.relation == "buyer"
    assert application.house_snapshot["address"] == "沈阳市浑南区智慧四街18-2号2-8-1"

    application = zhang.submit(application)
    assert application.state == State.AWAITING_MATERIALS
    assert application.business_no.startswith("TQ20261127") or application.business_no.startswith("TQ")
    assert len(application.business_no) == 16
    assert application.amount_fen == 8_642_050  # the maximum: the whole available balance

    zhang.upload_all(application)
    # Instant approval pays at once: the worker's task runs after commit and calls the bank.
    with django_capture_on_commit_callbacks(execute=True):
        application = zhang.final_submit(application)
    application.refresh_from_db()

    assert application.state == State.PAID
    assert application.instant_approved
    assert _states(application) == [
        ("draft", "awaiting_materials"),
        ("awaiting_materials", "submitted"),
        ("submitted", "approved"),
        ("approved", "paying"),
        ("paying", "paid"),
    ]
    payout = application.payouts.get()
    assert payout.state == PayoutState.DONE and payout.attempts == 1
    transfers = sims.transfers(card_no=ZHANG_CARD)
    assert [(t["serial"], t["amount_fen"], t["result"]) for t in transfers] == [(payout.serial, 8_642_050, 0)]

    account = FundAccount.objects.get(person__id_number=ZHANG_WEI)
    assert account.balance_fen == 0 and account.frozen_fen == 0
    withdrawal = LedgerEntry.objects.get(account=account, kind=LedgerEntryKind.WITHDRAWAL)
    assert withdrawal.amount_fen == -8_642_050 and withdrawal.reference == payout.serial
    assert FundHold.objects.get(reference=payout.serial).status == HoldStatus.CONSUMED
    assert ledger_inconsistencies() == []

    texts = [n.text for n in Notification.objects.filter(application=application).order_by("pk")]
    assert len(texts) == 3 and "已提交" in texts[0] and "审批通过" in texts[1] and "转入" in texts[2]
    outbox = sims.outbox("13804001001")
    assert [m["text"] for m in outbox] == list(reversed(texts))  # newest first, every one sent
    assert all(ZHANG_CARD not in m["text"] for m in outbox)  # the card is masked in messages

    # 李娜, his spouse, may then withdraw at most the house price less what he was paid.
    li = member(LI_NA)
    li_application = li.fill(contract_no=ZHANG_HOUSE, bank="ICBC", card_no=LI_CARD)
    li_application = li.submit(li_application)
    assert li_application.relation == "spouse"
    assert li_application.amount_fen == min(4_500_000, 98_000_000 - 8_642_050)
    assert "marriage_certificate" in services.required_material_kinds(li_application)


def test_a_refused_submission_keeps_nothing_and_names_every_reason(loaded):
    wang = member(WANG_FANG)
    application = wang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no="6217001395353254425")
    with pytest.raises(ApplicationRefused) as refused:
        wang.submit(application)
    failed = {r.rule for r in refused.value.evaluation.failures}
    assert {"account_status", "house_found"} <= failed
    assert "封存" in refused.value.evaluation.result("account_status").reason

    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.business_no is None
    assert not Transition.objects.filter(application=application).exists()
    assert not FundHold.objects.exists()


def test_submit_without_the_declaration_is_refused(loaded):
    zhang = member(ZHANG_WEI)
    application = zhang.start()
    services.application_lookup_house(
        application=application, lookup_field="contract_no", key=ZHANG_HOUSE, actor=zhang.actor
    )
    with pytest.raises(ApplicationError) as error:
        zhang.submit(application)
    assert error.value.field == "declaration" and "承诺书" in error.value.message


def test_repeating_submit_returns_the_first_result(loaded):
    zhang = member(ZHANG_WEI)
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    first = zhang.submit(application)
    second = zhang.submit(application)
    assert second.pk == first.pk and second.business_no == first.business_no
    assert second.state == State.AWAITING_MATERIALS
    assert Transition.objects.filter(application=application).count() == 1


def test_the_draft_is_shared_across_channels(loaded):
    desktop = member(ZHANG_WEI, channel=Channel.WEB)
    phone = member(ZHANG_WEI, channel=Channel.WECHAT)
    draft = desktop.start()
    services.application_update_draft(application=draft, actor=desktop.actor, bank="CCB", card_no=ZHANG_CARD)
    continued = phone.start()
    assert continued.pk == draft.pk and continued.card_no == ZHANG_CARD


def test_a_member_without_an_account_cannot_start(loaded):
    with pytest.raises(ApplicationError, match="未查询到您在本中心的住房公积金账户"):
        member("210105199202020913").start()


def test_final_submit_needs_every_material(loaded):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    with pytest.raises(ApplicationError) as error:
        zhang.final_submit(application)
    assert "身份证正面" in error.value.message and "银行卡" in error.value.message
    application.refresh_from_db()
    assert application.state == State.AWAITING_MATERIALS


def test_the_member_cancels_before_review_and_the_draft_can_start_again(loaded):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    cancelled = services.application_cancel(application=application, actor=zhang.actor)
    assert cancelled.state == State.CANCELLED
    last = cancelled.transitions.last()
    assert (last.actor_kind, last.reason, last.channel) == ("member", "申请人撤回", Channel.WEB)
    fresh = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    assert fresh.pk != application.pk
    assert zhang.submit(fresh).state == State.AWAITING_MATERIALS  # the cancelled one no longer counts


def test_applications_without_materials_expire(loaded):
    import datetime as dt

    from django.utils import timezone

    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    assert services.applications_expire(now=timezone.now()) == 0
    later = application.materials_due_at + dt.timedelta(seconds=1)
    assert services.applications_expire(now=later) == 1
    application.refresh_from_db()
    assert application.state == State.EXPIRED
    assert application.transitions.last().actor_kind == "system"


def test_another_members_application_cannot_be_touched(loaded):
    zhang = member(ZHANG_WEI)
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    li = member(LI_NA)
    with pytest.raises(ApplicationError, match="只能办理本人的申请"):
        services.application_submit(application=application, actor=li.actor)


def test_payout_objects_are_not_created_for_refused_or_unapproved_applications(loaded):
    zhang = member(ZHANG_WEI)
    zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    assert not Payout.objects.exists()
