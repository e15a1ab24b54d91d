"""Writes to members and their money. Every balance change goes through ``ledger_post``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Field, Max, Model
from django.utils import timezone

from gjj.members.models import AccountStatus, FundAccount, FundHold, HoldStatus, LedgerEntry, LedgerEntryKind


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
    hold = FundHold.objects.create(
        account=locked, reference=reference, amount_fen=amount_fen, created_at=timezone.now()
    )
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
        return LedgerEntry.objects.get(
            account_id=hold.account_id, kind=LedgerEntryKind.WITHDRAWAL, reference=reference
        )
    if hold.status != HoldStatus.HELD:
        raise ValueError(f"冻结 {reference} 已解冻，不能支取")
    locked = _locked_account(hold.account_id)
    locked.frozen_fen -= hold.amount_fen
    locked.save(update_fields=["frozen_fen"])
    entry = ledger_post(
        account=locked,
        kind=LedgerEntryKind.WITHDRAWAL,
        amount_fen=-hold.amount_fen,
        reference=reference,
        memo=memo,
    )
    hold.status, hold.closed_at = HoldStatus.CONSUMED, timezone.now()
    hold.save(update_fields=["status", "closed_at"])
    return entry


@transaction.atomic
def fund_account_close(*, account_id: int, reason: str) -> bool:
    """销户 after the whole balance was paid out (离退休提取). An account that still holds money (a
    deposit booked after the approval) or a freeze stays open, for 柜面 to settle: False."""
    locked = _locked_account(account_id)
    if locked.status == AccountStatus.CLOSED:
        return True
    if locked.balance_fen != 0 or locked.frozen_fen != 0:
        return False
    from gjj.audit.models import AuditAction
    from gjj.audit.services import audit_record

    previous = locked.get_status_display()
    locked.status, locked.closed_at = AccountStatus.CLOSED, timezone.now()
    locked.closure_reason = reason[:200]
    locked.save(update_fields=["status", "closed_at", "closure_reason"])
    # Irreversible for the member: in the audit log too, beside the application's own record.
    audit_record(
        action=AuditAction.ACCOUNT_CLOSE,
        summary=f"个人账户 {locked.account_no} 销户（原状态：{previous}）：{locked.closure_reason}",
        target_type="fund_account",
        target_id=locked.account_no,
        details={"from_status": previous, "reason": locked.closure_reason},
    )
    return True


# -- bulk bookings for imports ---------------------------------------------------------------------
# ``ledger_post`` takes a row lock and a few queries per call: right for one payout, far too slow
# for the 100,000 accounts of a dataset import. The two functions below keep the same invariant
# (balance == sum of entries, entries append-only with consecutive sequence numbers, a reference
# booked once) for many accounts at a time, with a handful of queries per batch.


@dataclass(frozen=True)
class AccountOpening:
    """A new fund account (not yet saved, ``balance_fen`` 0) and the balance it opens with."""

    account: FundAccount
    opening_balance_fen: int
    reference: str
    memo: str


@dataclass(frozen=True)
class LedgerPosting:
    """One entry to append to an existing account, as ``ledger_post`` would."""

    account_id: int
    kind: LedgerEntryKind
    amount_fen: int
    reference: str
    memo: str


@transaction.atomic
def fund_accounts_open(
    *, openings: Sequence[AccountOpening], occurred_at: dt.datetime, batch_size: int = 500
) -> list[FundAccount]:
    """Create accounts, each with an ``opening`` entry (sequence 1) for a non-zero opening balance.

    The balance is written together with its only entry, so the books are right from the start.
    """
    accounts: list[FundAccount] = []
    for opening in openings:
        if opening.opening_balance_fen < 0:
            raise ValueError(f"账户 {opening.account.account_no} 的期初余额不能为负数")
        if opening.account.pk is not None or opening.account.balance_fen != 0:
            raise ValueError(f"账户 {opening.account.account_no} 应为尚未保存、余额为 0 的新账户")
        opening.account.balance_fen = opening.opening_balance_fen
        accounts.append(opening.account)
    FundAccount.objects.bulk_create(accounts, batch_size=batch_size)
    entries = []
    for opening in openings:
        if opening.opening_balance_fen == 0:
            continue  # the balance is 0 and so is the sum of no entries
        if opening.account.pk is None:  # pragma: no cover - SQLite ≥ 3.35 and PostgreSQL return keys
            raise RuntimeError("数据库没有返回新账户的主键，无法记账")
        entries.append(
            LedgerEntry(
                account_id=opening.account.pk,
                sequence=1,
                kind=LedgerEntryKind.OPENING,
                amount_fen=opening.opening_balance_fen,
                balance_after_fen=opening.opening_balance_fen,
                reference=opening.reference,
                memo=opening.memo,
                occurred_at=occurred_at,
            )
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=batch_size)
    return accounts


@transaction.atomic
def ledger_post_many(
    *, postings: Sequence[LedgerPosting], occurred_at: dt.datetime, batch_size: int = 500
) -> list[LedgerEntry]:
    """``ledger_post`` for many accounts: returns the entries booked now.

    Same rules: the accounts are locked, a reference already booked for the account and kind is
    skipped, and a debit may not reach into the frozen amount (InsufficientFunds, nothing written).
    """
    booked: list[LedgerEntry] = []
    for start in range(0, len(postings), batch_size):
        batch = postings[start : start + batch_size]
        account_ids = {posting.account_id for posting in batch}
        accounts = FundAccount.objects.select_for_update().in_bulk(account_ids)
        last_sequences = dict(
            LedgerEntry.objects.filter(account_id__in=account_ids)
            .values_list("account_id")
            .annotate(last=Max("sequence"))
        )
        already_booked = set(
            LedgerEntry.objects.filter(
                account_id__in=account_ids, reference__in={p.reference for p in batch if p.reference}
            ).values_list("account_id", "kind", "reference")
        )
        entries: list[LedgerEntry] = []
        changed: dict[int, FundAccount] = {}
        for posting in batch:
            if posting.amount_fen == 0:
                raise ValueError("发生额不能为 0")
            key = (posting.account_id, posting.kind, posting.reference)
            if posting.reference and key in already_booked:
                continue
            account = accounts[posting.account_id]
            new_balance = account.balance_fen + posting.amount_fen
            if new_balance < account.frozen_fen or new_balance < 0:
                raise InsufficientFunds(
                    f"账户 {account.account_no} 余额 {account.balance_fen} 分，"
                    f"记账 {posting.amount_fen} 分后将低于冻结金额 {account.frozen_fen} 分"
                )
            sequence = last_sequences.get(posting.account_id, 0) + 1
            last_sequences[posting.account_id] = sequence
            already_booked.add(key)
            entries.append(
                LedgerEntry(
                    account_id=posting.account_id,
                    sequence=sequence,
                    kind=posting.kind,
                    amount_fen=posting.amount_fen,
                    balance_after_fen=new_balance,
                    reference=posting.reference,
                    memo=posting.memo,
                    occurred_at=occurred_at,
                )
            )
            account.balance_fen = new_balance
            account.version += 1
            changed[account.pk] = account
        LedgerEntry.objects.bulk_create(entries)
        _balances_write(list(changed.values()))
        booked.extend(entries)
    return booked


def _balances_write(accounts: list[FundAccount]) -> None:
    """Store ``balance_fen`` and ``version`` of locked accounts.

    Django's bulk_update builds a CASE expression per column and batch, about a millisecond a
    row (a minute and a half for a refresh of 100,000 balances); one prepared UPDATE run with
    executemany takes a second or two, on SQLite and PostgreSQL alike."""
    if not accounts:
        return
    table = connection.ops.quote_name(FundAccount._meta.db_table)
    balance, version, pk = (_column(FundAccount, name) for name in ("balance_fen", "version", "id"))
    sql = f"UPDATE {table} SET {balance} = %s, {version} = %s WHERE {pk} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(account.balance_fen, account.version, account.pk) for account in accounts])


def _column(model: type[Model], field_name: str) -> str:
    """The quoted database column of a concrete field."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, Field) and field.column is not None
    return connection.ops.quote_name(field.column)
