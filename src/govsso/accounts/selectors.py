"""Reads of natural-person accounts."""

from __future__ import annotations

from gjj.core.identity_numbers import id_number_normalize
from govsso.accounts.models import NaturalPerson

PHONE_LENGTH = 11


def login_identifier_normalize(value: str) -> str:
    """What was typed in 身份证号/手机号, without spaces: 11 characters are a 手机号, anything else
    a 身份证号 as the centre stores it (a lower-case x or full-width digits typed, say)."""
    compact = "".join(value.split())
    return compact if len(compact) == PHONE_LENGTH else id_number_normalize(compact)


def natural_person_by_login(*, identifier: str) -> NaturalPerson | None:
    """The account a login identifier names: 11 characters are a 手机号, anything else is taken
    as a 身份证号 (the two never collide: a 身份证号 has 18 characters)."""
    if not identifier:
        return None
    lookup = {"phone": identifier} if len(identifier) == PHONE_LENGTH else {"id_number": identifier}
    return NaturalPerson.objects.filter(**lookup).first()


def natural_person_matching(*, id_number: str, name: str, phone: str) -> NaturalPerson | None:
    """The active account whose 身份证号, 姓名 and 手机号 are all these, for password recovery."""
    return NaturalPerson.objects.filter(id_number=id_number, name=name, phone=phone, is_active=True).first()


def natural_person_id_number_taken(*, id_number: str) -> bool:
    return NaturalPerson.objects.filter(id_number=id_number).exists()


def natural_person_phone_taken(*, phone: str) -> bool:
    return NaturalPerson.objects.filter(phone=phone).exists()
