"""Constraints of the members' tables that the database itself keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from gjj.members.models import Person, PriorWithdrawal, PriorWithdrawalReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Person:
    return Person.objects.create(id_number="210104199609090351", name="曹阳", phone="13804001014")


def _withdrawal(person: Person, *, reason: str, house_key: str) -> PriorWithdrawal:
    return PriorWithdrawal.objects.create(
        person=person, reason=reason, house_key=house_key, amount_fen=300000, paid_on=dt.date(2026, 8, 20)
    )


def test_a_person_is_not_retired_unless_a_date_is_recorded(person: Person) -> None:
    assert person.retired_on is None
    person.retired_on = dt.date(2025, 3, 31)
    person.save()
    assert Person.objects.get(pk=person.pk).retired_on == dt.date(2025, 3, 31)


def test_a_purchase_names_its_house_and_defaults_to_purchase(person: Person) -> None:
    withdrawal = PriorWithdrawal.objects.create(
        person=person, house_key="SY202603150007777", amount_fen=100, paid_on=dt.date(2026, 4, 20)
    )
    assert withdrawal.reason == PriorWithdrawalReason.PURCHASE

    with pytest.raises(IntegrityError), transaction.atomic():
        _withdrawal(person, reason=PriorWithdrawalReason.PURCHASE, house_key="")


@pytest.mark.parametrize("reason", [PriorWithdrawalReason.RENT, PriorWithdrawalReason.RETIREMENT])
def test_rent_and_retirement_name_no_house(person: Person, reason: str) -> None:
    _withdrawal(person, reason=reason, house_key="")

    with pytest.raises(IntegrityError), transaction.atomic():
        _withdrawal(person, reason=reason, house_key="SY202603150007777")


def test_the_same_withdrawal_is_kept_once_but_another_reason_is_another(person: Person) -> None:
    _withdrawal(person, reason=PriorWithdrawalReason.RENT, house_key="")
    _withdrawal(person, reason=PriorWithdrawalReason.RETIREMENT, house_key="")

    with pytest.raises(IntegrityError), transaction.atomic():
        _withdrawal(person, reason=PriorWithdrawalReason.RENT, house_key="")
    assert PriorWithdrawal.objects.count() == 2
