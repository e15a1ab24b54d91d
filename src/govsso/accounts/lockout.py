"""What the login lockout (django-axes) counts failures against."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govsso.accounts.selectors import login_identifier_normalize, natural_person_by_login


def lockout_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account's 身份证号 when the typed identifier names an account, else the identifier
    itself. Five failures lock the account whether they were typed with its 身份证号 or its
    手机号; unknown identifiers are counted too, so the lockout page says nothing about whether
    an account exists."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username")
    if not typed:
        return None
    identifier = login_identifier_normalize(typed)
    person = natural_person_by_login(identifier=identifier)
    return person.id_number if person is not None else identifier
