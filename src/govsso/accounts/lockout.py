"""What the login lockout (django-axes) counts failures against."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from govsso.accounts.selectors import login_identifier_normalize, natural_person_by_login

_LOCKOUT_SALT = "govsso.accounts.lockout"


def account_lockout_key(id_number_or_identifier: str) -> str:
    """What axes stores and counts for an account: a keyed hash, never the number itself (its
    tables are kept for the lockout window and read by operators)."""
    return "k:" + salted_hmac(_LOCKOUT_SALT, id_number_or_identifier, algorithm="sha256").hexdigest()[:40]


def lockout_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account's key when the typed identifier names an account, else the identifier's.
    Five failures lock the account whether they were typed with its 身份证号 or its 手机号;
    unknown identifiers are counted too, so the lockout page says nothing about whether an
    account exists."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username")
    if not typed:
        return None
    identifier = login_identifier_normalize(typed)
    person = natural_person_by_login(identifier=identifier)
    return account_lockout_key(person.id_number if person is not None else identifier)
