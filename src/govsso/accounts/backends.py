"""Sign-in with 身份证号 or 手机号 and password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from govsso.accounts.models import NaturalPerson
from govsso.accounts.selectors import login_identifier_normalize, natural_person_by_login


class IdNumberOrPhoneBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> NaturalPerson | None:
        if not username or password is None:
            return None
        person = natural_person_by_login(identifier=login_identifier_normalize(username))
        if person is None:
            # Hash anyway, so that the answer takes as long for an unknown identifier as for a
            # wrong password (no timing hint that an account exists).
            NaturalPerson().set_password(password)
            return None
        if person.check_password(password) and person.is_active:
            return person
        return None

    def get_user(self, user_id: int) -> NaturalPerson | None:
        person = NaturalPerson.objects.filter(pk=user_id).first()
        return person if person is not None and person.is_active else None
