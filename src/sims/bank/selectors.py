"""Reads of the bank gateway."""

from __future__ import annotations

from django.db.models import QuerySet

from sims.bank.models import BankAccount, Transfer


def bank_account_by_card_no(*, card_no: str) -> BankAccount | None:
    return BankAccount.objects.filter(card_no=card_no).first()


def transfer_by_serial(*, serial: str) -> Transfer | None:
    return Transfer.objects.filter(serial=serial).first()


def transfers_for_card(*, card_no: str) -> QuerySet[Transfer]:
    return Transfer.objects.filter(card_no=card_no).order_by("created_at", "pk")
