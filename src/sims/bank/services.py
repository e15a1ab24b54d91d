"""Writes of the bank gateway: transfers (idempotent by serial) and loading accounts."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gjj.core.masking import mask_card_number
from sims.bank.models import BankAccount, BankAccountStatus, Transfer, TransferResult
from sims.bulk import UpsertCounts, chunked

logger = logging.getLogger(__name__)

MESSAGE_DONE = "转账成功"
MESSAGE_PROCESSING = "转账处理中，请稍后查询"
MESSAGE_CARD_UNKNOWN = "收款账户不存在"
MESSAGE_BANK_MISMATCH = "收款银行与卡号所属银行不符"
MESSAGE_FROZEN = "收款账户已冻结，无法入账"
MESSAGE_CLOSED = "收款账户已销户，无法入账"
MESSAGE_NAME_MISMATCH = "收款人户名与账户户名不符"


def transfer_pay(
    *,
    serial: str,
    card_no: str,
    bank: str,
    holder_name: str,
    amount_fen: int,
    memo: str,
    settle_later_by: dt.timedelta | None = None,
) -> Transfer:
    """Execute a transfer once per serial and return it.

    A serial seen before returns the stored transfer, whatever the new body says: the bank never
    pays twice. ``settle_later_by`` accepts the transfer as "processing"; it completes on the first
    query at least that long afterwards (``transfer_settle_if_due``).
    """
    stored = Transfer.objects.filter(serial=serial).first()
    if stored is not None:
        return transfer_settle_if_due(transfer=stored)

    refusal = _refusal(card_no=card_no, bank=bank, holder_name=holder_name)
    now = timezone.now()
    transfer = Transfer(
        serial=serial,
        card_no=card_no,
        bank=bank,
        holder_name=holder_name,
        amount_fen=amount_fen,
        memo=memo,
        bank_reference=_new_bank_reference(now=now),
        created_at=now,
    )
    if refusal is not None:
        transfer.result, transfer.message, transfer.completed_at = TransferResult.FAILED, refusal, now
    elif settle_later_by is not None:
        transfer.result, transfer.message = TransferResult.PROCESSING, MESSAGE_PROCESSING
        transfer.completes_after = now + settle_later_by
    else:
        transfer.result, transfer.message, transfer.completed_at = TransferResult.DONE, MESSAGE_DONE, now

    try:
        with transaction.atomic():
            transfer.save(force_insert=True)
            if transfer.result == TransferResult.DONE:
                _credit(card_no=card_no, amount_fen=amount_fen)
    except IntegrityError:
        # Two requests with one serial raced past the lookup above; the unique serial let exactly
        # one of them commit, and only that one moved money. Answer with its result.
        winner = Transfer.objects.filter(serial=serial).first()
        if winner is None:
            raise
        return transfer_settle_if_due(transfer=winner)
    logger.info(
        "转账 %s 受理：卡号 %s 金额 %s 分 结果 %s",
        serial,
        mask_card_number(card_no),
        amount_fen,
        transfer.result,
    )
    return transfer


def transfer_settle_if_due(*, transfer: Transfer) -> Transfer:
    """Complete a "processing" transfer once its time has come; anything else is returned as is.

    The conditional update lets exactly one of several concurrent queries complete it and credit
    the card.
    """
    now = timezone.now()
    if transfer.result != TransferResult.PROCESSING:
        return transfer
    if transfer.completes_after is not None and transfer.completes_after > now:
        return transfer
    with transaction.atomic():
        completed = Transfer.objects.filter(pk=transfer.pk, result=TransferResult.PROCESSING).update(
            result=TransferResult.DONE, message=MESSAGE_DONE, completed_at=now
        )
        if completed:
            _credit(card_no=transfer.card_no, amount_fen=transfer.amount_fen)
    transfer.refresh_from_db()
    return transfer


def _refusal(*, card_no: str, bank: str, holder_name: str) -> str | None:
    """Why the bank refuses to credit this card, or None when it will."""
    account = BankAccount.objects.filter(card_no=card_no).first()
    if account is None:
        return MESSAGE_CARD_UNKNOWN
    if account.bank != bank:
        return MESSAGE_BANK_MISMATCH
    if account.status == BankAccountStatus.FROZEN:
        return MESSAGE_FROZEN
    if account.status == BankAccountStatus.CLOSED:
        return MESSAGE_CLOSED
    if account.holder_name != holder_name:
        return MESSAGE_NAME_MISMATCH
    return None


def _credit(*, card_no: str, amount_fen: int) -> None:
    # F() makes the increment one UPDATE, so concurrent credits to one card never lose each other.
    BankAccount.objects.filter(card_no=card_no).update(received_fen=F("received_fen") + amount_fen)


def _new_bank_reference(*, now: dt.datetime) -> str:
    return f"SIMB{now:%Y%m%d}{secrets.token_hex(8).upper()}"


@dataclass(frozen=True)
class BankAccountRow:
    """One bank account as a dataset describes it, already validated."""

    card_no: str
    bank: str
    holder_id_number: str
    holder_name: str
    account_class: int
    status: str


_ACCOUNT_FIELDS = ("bank", "holder_id_number", "holder_name", "account_class", "status")


@transaction.atomic
def bank_accounts_upsert(*, rows: Sequence[BankAccountRow]) -> UpsertCounts:
    """Create or update accounts keyed by card number; money received so far is kept.

    A constant number of queries per chunk of rows; rows equal to what is stored are not written.
    """
    counts = UpsertCounts()
    stored: dict[str, BankAccount] = {}
    for chunk in chunked([row.card_no for row in rows]):
        stored.update({account.card_no: account for account in BankAccount.objects.filter(card_no__in=chunk)})

    to_create: list[BankAccount] = []
    to_update: list[BankAccount] = []
    for row in rows:
        account = stored.get(row.card_no)
        if account is None:
            to_create.append(
                BankAccount(card_no=row.card_no, **{field: getattr(row, field) for field in _ACCOUNT_FIELDS})
            )
            continue
        changed = False
        for field in _ACCOUNT_FIELDS:
            if getattr(account, field) != getattr(row, field):
                setattr(account, field, getattr(row, field))
                changed = True
        if changed:
            to_update.append(account)
        else:
            counts.unchanged += 1

    BankAccount.objects.bulk_create(to_create, batch_size=1000)
    BankAccount.objects.bulk_update(to_update, fields=list(_ACCOUNT_FIELDS), batch_size=500)
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts
