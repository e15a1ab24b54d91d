"""Payouts against the live bank simulator with faults: never a double payment, always a balanced
ledger, and an open outcome settled only by asking the bank about the same serial."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gjj.members.models import FundAccount, LedgerEntry, LedgerEntryKind
from gjj.members.selectors import ledger_inconsistencies
from gjj.withdrawals import payouts, services
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
