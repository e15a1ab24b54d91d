"""Reads of natural-person accounts."""

from __future__ import annotations

from govsso.accounts.models import NaturalPerson


def login_identifier_normalize(value: str) -> str:
    """身份证号 are stored with an upper-case final X; members often type a lower-case x."""
    return value.strip().upper()


def natural_person_by_login(*, identifier: str) -> NaturalPerson | None:
    """The account a login identifier names: 11 characters are a 手机号, anything else is taken
    as a 身份证号 (the two never collide: a 身份证号 has 18 characters)."""
    if not identifier:
        return None
    lookup = {"phone": identifier} if len(identifier) == 11 else {"id_number": identifier}
    return NaturalPerson.objects.filter(**lookup).first()


def natural_person_matching(*, id_number: str, name: str, phone: str) -> NaturalPerson | None:
    """The active account whose 身份证号, 姓名 and 手机号 are all these, for password recovery."""
    return NaturalPerson.objects.filter(id_number=id_number, name=name, phone=phone, is_active=True).first()


def natural_person_id_number_taken(*, id_number: str) -> bool:
    return NaturalPerson.objects.filter(id_number=id_number).exists()


def natural_person_phone_taken(*, phone: str) -> bool:
    return NaturalPerson.objects.filter(phone=phone).exists()
