"""The ledger: every balance change is an entry, balance == sum(entries), holds are the frozen amount."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gjj.members.models import (
    AccountStatus,
    Employer,
    FundAccount,
    HoldStatus,
    LedgerEntry,
    LedgerEntryKind,
    Person,
)
from gjj.members.selectors import ledger_inconsistencies
from gjj.members.services import InsufficientFunds, hold_consume, hold_place, hold_release, ledger_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def account() -> FundAccount:
    employer = Employer.objects.create(code="E1", name="测试单位")
    person = Person.objects.create(id_number="210102198803120158", name="张伟", phone="13804001001")
    created = FundAccount.objects.create(
        account_no="A1",
        person=person,
        employer=employer,
        status=AccountStatus.NORMAL,
        opened_on=dt.date(2016, 7, 1),
        paid_through="2026-10",
        consecutive_months=48,
    )
    ledger_post(account=created, kind=LedgerEntryKind.OPENING, amount_fen=10_000, reference="open")
    return created


def test_a_posting_moves_the_balance_and_appends_one_entry(account):
    entry = ledger_post(account=account, kind=LedgerEntryKind.DEPOSIT, amount_fen=2_400, reference="2026-11")
    account.refresh_from_db()
    assert account.balance_fen == 12_400
    assert (entry.sequence, entry.balance_after_fen) == (2, 12_400)
    assert ledger_inconsistencies() == []


def test_the_same_reference_is_booked_once(account):
    first = ledger_post(account=account, kind=LedgerEntryKind.DEPOSIT, amount_fen=2_400, reference="2026-11")
    again = ledger_post(account=account, kind=LedgerEntryKind.DEPOSIT, amount_fen=2_400, reference="2026-11")
    assert again.pk == first.pk
    account.refresh_from_db()
    assert account.balance_fen == 12_400


def test_a_debit_may_not_overdraw_nor_reach_held_money(account):
    with pytest.raises(InsufficientFunds):
        ledger_post(account=account, kind=LedgerEntryKind.ADJUSTMENT, amount_fen=-10_001)
    hold_place(account=account, amount_fen=6_000, reference="H1")
    with pytest.raises(InsufficientFunds):
        ledger_post(account=account, kind=LedgerEntryKind.ADJUSTMENT, amount_fen=-4_001)
    account.refresh_from_db()
    assert (account.balance_fen, account.frozen_fen) == (10_000, 6_000)
    assert LedgerEntry.objects.filter(account=account).count() == 1


def test_zero_postings_are_refused(account):
    with pytest.raises(ValueError):
        ledger_post(account=account, kind=LedgerEntryKind.ADJUSTMENT, amount_fen=0)


def test_hold_then_consume_debits_once(account):
    hold_place(account=account, amount_fen=6_000, reference="P1")
    with pytest.raises(InsufficientFunds):
        hold_place(account=account, amount_fen=4_001, reference="P2")
    entry = hold_consume(reference="P1", memo="购房提取")
    again = hold_consume(reference="P1", memo="购房提取")
    assert again.pk == entry.pk and entry.amount_fen == -6_000
    account.refresh_from_db()
    assert (account.balance_fen, account.frozen_fen) == (4_000, 0)
    assert ledger_inconsistencies() == []


def test_hold_release_gives_the_money_back_and_cannot_then_be_consumed(account):
    hold_place(account=account, amount_fen=6_000, reference="P1")
    released = hold_release(reference="P1")
    assert released.status == HoldStatus.RELEASED
    assert hold_release(reference="P1").status == HoldStatus.RELEASED
    with pytest.raises(ValueError):
        hold_consume(reference="P1", memo="购房提取")
    account.refresh_from_db()
    assert (account.balance_fen, account.frozen_fen) == (10_000, 0)


def test_the_database_refuses_a_negative_balance(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundAccount.objects.filter(pk=account.pk).update(balance_fen=-1)


def test_the_database_refuses_two_entries_with_one_sequence(account):
    entry = LedgerEntry.objects.get(account=account)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            account=account,
            sequence=entry.sequence,
            kind=LedgerEntryKind.DEPOSIT,
            amount_fen=1,
            balance_after_fen=10_001,
            occurred_at=entry.occurred_at,
        )


def test_the_check_finds_a_balance_written_behind_the_ledgers_back(account):
    FundAccount.objects.filter(pk=account.pk).update(balance_fen=10_500)
    problems = ledger_inconsistencies()
    assert len(problems) == 1 and "A1" in problems[0] and "10500" in problems[0]


# Each example runs in a transaction that is rolled back, so the shared account starts equal.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=-50_000, max_value=50_000).filter(bool), max_size=12))
def test_any_sequence_of_postings_keeps_balance_equal_to_the_sum(account, amounts):
    with transaction.atomic():
        account.refresh_from_db()
        expected = account.balance_fen
        for amount in amounts:
            try:
                ledger_post(account=account, kind=LedgerEntryKind.ADJUSTMENT, amount_fen=amount)
                expected += amount
            except InsufficientFunds:
                assert expected + amount < 0
        account.refresh_from_db()
        assert account.balance_fen == expected >= 0
        assert ledger_inconsistencies() == []
        transaction.set_rollback(True)
