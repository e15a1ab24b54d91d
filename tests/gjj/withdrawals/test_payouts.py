"""Payouts against the live bank simulator with faults: never a double payment, always a balanced
ledger, and an open outcome settled only by asking the bank about the same serial."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from gjj.audit.models import AuditEntry
from gjj.members.models import FundAccount, LedgerEntry, LedgerEntryKind
from gjj.members.selectors import ledger_inconsistencies
from gjj.staff.roles import StaffRole
from gjj.staff.services import staff_role_grant
from gjj.withdrawals import payouts, services
from gjj.withdrawals.checked_inputs import applications_inconsistencies
from gjj.withdrawals.models import Application, Payout, PayoutState, State
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = pytest.mark.django_db(transaction=True)

AMOUNT = 8_642_050


@pytest.fixture
def lost_enqueue(monkeypatch):
    """As if the process died between the commit and the enqueue: only the reconciler can pay."""
    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)


@pytest.fixture
def approved(loaded, lost_enqueue, settings) -> Application:
    settings.GJJ_BANK_PAY_TIMEOUT_SECONDS = 0.5
    settings.GJJ_RECONCILE_AFTER_SECONDS = 60
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    application = zhang.final_submit(application)
    assert application.state == State.APPROVED
    return application


def _later() -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=5)


def _money_moved_once(sims, payout: Payout) -> None:
    transfers = [t for t in sims.transfers(card_no=ZHANG_CARD) if t["result"] == 0]
    assert [(t["serial"], t["amount_fen"]) for t in transfers] == [(payout.serial, AMOUNT)]
    account = FundAccount.objects.get(person__id_number=ZHANG_WEI)
    assert account.balance_fen == 0 and account.frozen_fen == 0
    assert LedgerEntry.objects.filter(account=account, kind=LedgerEntryKind.WITHDRAWAL).count() == 1
    assert ledger_inconsistencies() == []


def test_approval_freezes_the_amount_before_any_bank_call(approved, sims):
    account = FundAccount.objects.get(person__id_number=ZHANG_WEI)
    assert account.frozen_fen == AMOUNT and account.balance_fen == AMOUNT
    payout = approved.payouts.get()
    assert payout.state == PayoutState.PENDING and payout.serial.startswith(f"P{approved.business_no}")
    assert sims.transfers(card_no=ZHANG_CARD) == []


def test_a_lost_enqueue_is_healed_by_the_reconciler(approved, sims):
    assert payouts.payouts_reconcile(now=timezone.now()) == 0  # too young to be called stuck
    assert payouts.payouts_reconcile(now=_later()) == 1
    approved.refresh_from_db()
    assert approved.state == State.PAID
    _money_moved_once(sims, approved.payouts.get())


def test_timeout_then_success_pays_once_under_the_same_serial(approved, sims):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="timeout", delay_ms=1500, count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    assert payout.state == PayoutState.UNKNOWN
    approved.refresh_from_db()
    assert approved.state == State.PAYING

    payouts.payouts_reconcile(now=_later())
    payout.refresh_from_db()
    approved.refresh_from_db()
    assert payout.state == PayoutState.DONE and approved.state == State.PAID
    _money_moved_once(sims, payout)


def test_a_lost_answer_is_settled_by_query_not_by_paying_again(approved, sims):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="drop_response", count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    assert payout.state == PayoutState.UNKNOWN
    assert payout.attempts == 1
    payouts.payouts_reconcile(now=_later())
    payout.refresh_from_db()
    assert payout.state == PayoutState.DONE and payout.attempts == 1  # asked, never re-sent
    _money_moved_once(sims, payout)


def test_processing_is_finished_by_the_reconciler(approved, sims):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="processing", count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    assert payout.state == PayoutState.PROCESSING
    payouts.payouts_reconcile(now=_later())
    payout.refresh_from_db()
    assert payout.state == PayoutState.DONE
    _money_moved_once(sims, payout)


def test_duplicate_results_change_nothing(approved, sims):
    payout = payouts.payout_execute(payout_id=approved.payouts.get().pk)
    assert payout.state == PayoutState.DONE
    # The bank's answer arrives again (a duplicate callback, a second query): nothing moves twice.
    result = payouts.get_bank_client().query_transfer(serial=payout.serial)
    payouts.payout_settle(payout_id=payout.pk, result=result)
    payouts.payout_execute(payout_id=payout.pk)
    payouts.payout_reconcile(payout_id=payout.pk)
    assert approved.transitions.filter(to_state=State.PAID).count() == 1
    _money_moved_once(sims, payout)


def test_a_bank_that_cannot_be_reached_is_retried_with_the_same_serial(approved, sims):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="error", count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    assert payout.state in (PayoutState.SENT, PayoutState.UNKNOWN)
    payouts.payouts_reconcile(now=_later())
    payout.refresh_from_db()
    assert payout.state == PayoutState.DONE
    _money_moved_once(sims, payout)


def test_failure_releases_the_freeze_and_another_card_pays(approved, sims, settings):
    # The bank refuses: the card was frozen after approval.
    sims.load_dataset(
        {
            "format": "gjj-dataset/1",
            "as_of": "2026-11-27",
            "employers": [],
            "people": [],
            "accounts": [],
            "loans": [],
            "houses": [],
            "prior_withdrawals": [],
            "bank_accounts": [
                {
                    "card_no": ZHANG_CARD,
                    "bank": "CCB",
                    "holder_id_number": ZHANG_WEI,
                    "holder_name": "张伟",
                    "account_class": 1,
                    "status": "frozen",
                },
                {
                    "card_no": "6217009999000000016",
                    "bank": "CCB",
                    "holder_id_number": ZHANG_WEI,
                    "holder_name": "张伟",
                    "account_class": 1,
                    "status": "normal",
                },
            ],
            "gov_users": [],
        }
    )
    payout = payouts.payout_execute(payout_id=approved.payouts.get().pk)
    assert payout.state == PayoutState.FAILED and payout.bank_message
    approved.refresh_from_db()
    assert approved.state == State.PAYOUT_FAILED
    account = FundAccount.objects.get(person__id_number=ZHANG_WEI)
    assert account.frozen_fen == 0 and account.balance_fen == AMOUNT
    assert "冻结资金已解冻" in approved.transitions.last().reason

    zhang = member(ZHANG_WEI)
    changed = services.application_change_payout_card(
        application=approved, bank="CCB", card_no="6217009999000000016", actor=zhang.actor
    )
    assert changed.state == State.APPROVED
    second = changed.payouts.exclude(pk=payout.pk).get()
    assert second.serial != payout.serial and second.card_no == "6217009999000000016"
    payouts.payout_execute(payout_id=second.pk)
    changed.refresh_from_db()
    assert changed.state == State.PAID
    account.refresh_from_db()
    assert account.balance_fen == 0 and account.frozen_fen == 0
    assert ledger_inconsistencies() == []


# --- payouts that end -------------------------------------------------------------------------


@pytest.fixture
def staff_user(db):
    user = get_user_model().objects.create_user(username="caiwu", first_name="孙财务", is_staff=True)
    staff_role_grant(user=user, role=StaffRole.FINANCE)
    return user


def test_a_refusal_by_the_bank_is_final_and_the_member_is_told(approved, sims):
    """A 4xx from the bank (not 408/429): nothing was paid and a re-send would be refused again."""
    sims.set_fault(system="bank", operation="pay", mode="refuse", count=1)

    payout = payouts.payout_execute(payout_id=approved.payouts.get().pk)

    assert payout.state == PayoutState.FAILED
    assert "银行拒绝了支付请求（HTTP 403）" in payout.bank_message
    approved.refresh_from_db()
    assert approved.state == State.PAYOUT_FAILED
    account = FundAccount.objects.get(person__id_number=ZHANG_WEI)
    assert account.frozen_fen == 0 and account.balance_fen == AMOUNT
    assert approved.notifications.filter(text__contains="转账未成功").exists()
    # The reconciler has nothing left to send: the bank saw no transfer at all.
    assert payouts.payouts_reconcile(now=_later()) == 0
    assert sims.transfers(card_no=ZHANG_CARD) == []
    assert ledger_inconsistencies() == [] and applications_inconsistencies() == []


def test_a_sent_payout_is_never_sent_again_without_asking_the_bank_first(approved, sims):
    """A worker died after its request reached the bank: the payout row still says "sent". Another
    worker must ask about the serial, not send (here a send would be refused, failing a payout the
    bank has in fact paid)."""
    payout = approved.payouts.get()
    # What the dead worker had committed before its request went out.
    Application.objects.filter(pk=approved.pk).update(state=State.PAYING)
    Payout.objects.filter(pk=payout.pk).update(state=PayoutState.SENT, attempts=1)
    sims.pay_directly(serial=payout.serial, card_no=ZHANG_CARD, amount_fen=AMOUNT, holder_name="张伟")
    sims.set_fault(system="bank", operation="pay", mode="refuse", count=1)

    payout = payouts.payout_execute(payout_id=payout.pk)

    assert payout.state == PayoutState.DONE
    approved.refresh_from_db()
    assert approved.state == State.PAID
    _money_moved_once(sims, payout)
    assert sims.faults()[0]["times_applied"] == 0  # no pay call reached the bank


def test_a_payout_whose_sender_holds_the_lease_is_not_sent_by_anyone_else(approved, sims, staff_user):
    payout = approved.payouts.get()
    in_flight_until = timezone.now() + dt.timedelta(minutes=1)
    Payout.objects.filter(pk=payout.pk).update(
        state=PayoutState.SENT, attempts=1, last_attempt_at=timezone.now() - dt.timedelta(hours=1),
        send_lease_until=in_flight_until,
    )  # fmt: skip

    assert payouts.payouts_reconcile(now=_later()) == 1
    redriven = payouts.payout_redrive(payout=payout, operator=staff_user)
    resent = payouts.payout_execute(payout_id=payout.pk, bank_never_saw_it=True)

    for seen in (redriven, resent, Payout.objects.get(pk=payout.pk)):
        assert (seen.state, seen.attempts, seen.send_lease_until) == (PayoutState.SENT, 1, in_flight_until)
    assert sims.transfers(card_no=ZHANG_CARD) == []
    assert AuditEntry.objects.filter(summary__contains="正在发送中，未重复发送").exists()


def test_a_payout_without_an_answer_stops_after_the_attempt_limit_and_needs_a_person(
    approved, sims, settings, staff_user
):
    settings.GJJ_PAYOUT_MAX_ATTEMPTS = 3
    sims.set_fault(system="bank", operation="pay", mode="error", count=10)
    payout = payouts.payout_execute(payout_id=approved.payouts.get().pk)

    for _round in range(6):
        payouts.payouts_reconcile(now=_later())

    payout.refresh_from_db()
    assert payout.attempts == 3 and payout.needs_manual
    assert payout.state in (PayoutState.SENT, PayoutState.UNKNOWN)
    assert sims.faults()[0]["times_applied"] == 3  # three sends, then none
    events = [entry["event"] for entry in payout.history]
    assert events.count("send") == 3 and events[-1] == "manual"
    assert "需人工处理" in payout.history[-1]["message"]

    # 财务 checked with the bank and re-drives past the limit: asked first, then sent once more.
    sims.clear_faults()
    after = payouts.payout_redrive(payout=payout, operator=staff_user)

    assert after.state == PayoutState.DONE and not after.needs_manual and after.attempts == 4
    _money_moved_once(sims, after)
    assert applications_inconsistencies() == []
