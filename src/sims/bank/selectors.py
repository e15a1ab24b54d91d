"""Reads of the bank gateway."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from sims.bank.models import BankAccount, Transfer, TransferResult

# A bank's business day is the Shanghai calendar day, whatever the server's clock zone.
_SHANGHAI = ZoneInfo("Asia/Shanghai")


def bank_account_by_card_no(*, card_no: str) -> BankAccount | None:
    return BankAccount.objects.filter(card_no=card_no).first()


def transfer_by_serial(*, serial: str) -> Transfer | None:
    return Transfer.objects.filter(serial=serial).first()


def transfers_for_card(*, card_no: str) -> QuerySet[Transfer]:
    return Transfer.objects.filter(card_no=card_no).order_by("created_at", "pk")


def transfers_completed_on(*, day: dt.date) -> QuerySet[Transfer]:
    """The transfers the bank finished (done or failed) on a Shanghai day, in completion order;
    those still processing belong to the day they complete on."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=_SHANGHAI)
    end = start + dt.timedelta(days=1)
    return Transfer.objects.filter(
        result__in=[TransferResult.DONE, TransferResult.FAILED],
        completed_at__gte=start,
        completed_at__lt=end,
    ).order_by("completed_at", "pk")
