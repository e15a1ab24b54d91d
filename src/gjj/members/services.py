"""Writes to members and their money. Every balance change goes through ``ledger_post``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gjj.members.models import FundAccount, FundHold, HoldStatus, LedgerEntry, LedgerEntryKind


class InsufficientFunds(Exception):
    """The account cannot cover the amount; nothing was written."""


def _locked_account(account_id: int) -> FundAccount:
    return FundAccount.objects.select_for_update().get(pk=account_id)


@transaction.atomic
def ledger_post(
    *,
    account: FundAccount,
    kind: LedgerEntryKind,
    amount_fen: int,
    reference: str = "",
    memo: str = "",
    occurred_at: dt.datetime | None = None,
) -> LedgerEntry:
    """Append one entry and move the balance by ``amount_fen`` (negative for a debit).

    A reference already booked for this account and kind returns the first entry unchanged, so a
    retried payout or a repeated import never books twice.
    """
    if amount_fen == 0:
        raise ValueError("发生额不能为 0")
    locked = _locked_account(account.pk)
    if reference:
        existing = LedgerEntry.objects.filter(account=locked, kind=kind, reference=reference).first()
        if existing is not None:
            return existing
    new_balance = locked.balance_fen + amount_fen
    if amount_fen < 0 and new_balance < locked.frozen_fen:
        # A debit may not reach into money set aside for an approved withdrawal.
        raise InsufficientFunds(f"账户 {locked.account_no} 可用余额不足")
    last = LedgerEntry.objects.filter(account=locked).aggregate(last=Max("sequence"))["last"] or 0
    entry = LedgerEntry.objects.create(
        account=locked,
        sequence=last + 1,
        kind=kind,
        amount_fen=amount_fen,
        balance_after_fen=new_balance,
        reference=reference,
        memo=memo,
        occurred_at=occurred_at or timezone.now(),
    )
    locked.balance_fen = new_balance
    locked.version += 1
    locked.save(update_fields=["balance_fen", "version"])
    account.balance_fen, account.version = locked.balance_fen, locked.version
    return entry


@transaction.atomic
def hold_place(*, account: FundAccount, amount_fen: int, reference: str) -> FundHold:
    """Set ``amount_fen`` aside; idempotent per reference. Raises InsufficientFunds."""
    if amount_fen <= 0:
        raise ValueError("冻结金额必须大于 0")
    locked = _locked_account(account.pk)
    existing = FundHold.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    if locked.available_fen < amount_fen:
        raise InsufficientFunds(f"账户 {locked.account_no} 可用余额不足")
    hold = FundHold.objects.create(account=locked, reference=reference, amount_fen=amount_fen, created_at=timezone.now())
    locked.frozen_fen += amount_fen
    locked.version += 1
    locked.save(update_fields=["frozen_fen", "version"])
    account.frozen_fen, account.version = locked.frozen_fen, locked.version
    return hold


@transaction.atomic
def hold_release(*, reference: str) -> FundHold | None:
    """Give a held amount back to the available balance. Idempotent; None when there is no hold."""
    hold = FundHold.objects.select_for_update().filter(reference=reference).first()
    if hold is None or hold.status != HoldStatus.HELD:
        return hold
    locked = _locked_account(hold.account_id)
    locked.frozen_fen -= hold.amount_fen
    locked.version += 1
    locked.save(update_fields=["frozen_fen", "version"])
    hold.status, hold.closed_at = HoldStatus.RELEASED, timezone.now()
    hold.save(update_fields=["status", "closed_at"])
    return hold


@transaction.atomic
def hold_consume(*, reference: str, memo: str) -> LedgerEntry:
    """Pay out a held amount: one withdrawal entry debits the balance and the hold is closed."""
    hold = FundHold.objects.select_for_update().select_related("account").get(reference=reference)
    if hold.status == HoldStatus.CONSUMED:
        return LedgerEntry.objects.get(account_id=hold.account_id, kind=LedgerEntryKind.WITHDRAWAL, reference=reference)
    if hold.status != HoldStatus.HELD:
        raise ValueError(f"冻结 {reference} 已解冻，不能支取")
    locked = _locked_account(hold.account_id)
    locked.frozen_fen -= hold.amount_fen
    locked.save(update_fields=["frozen_fen"])
    entry = ledger_post(
        account=locked, kind=LedgerEntryKind.WITHDRAWAL, amount_fen=-hold.amount_fen, reference=reference, memo=memo
    )
    hold.status, hold.closed_at = HoldStatus.CONSUMED, timezone.now()
    hold.save(update_fields=["status", "closed_at"])
    return entry
