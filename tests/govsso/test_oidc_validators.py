"""The provider's client authentication: a client secret verified against its stored (PBKDF2) hash
is not hashed again in the same process; a wrong or rotated secret always is."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password

from govsso.oidc import validators


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The secrets checked against a stored hash, in order."""
    validators._VERIFIED_SECRETS.clear()
    checked: list[str] = []
    real = validators.OAuth2Validator._check_secret

    def counting(self: Any, provided: str, stored: str) -> bool:
        checked.append(provided)
        return bool(real(self, provided, stored))

    monkeypatch.setattr(validators.OAuth2Validator, "_check_secret", counting)
    return checked


def test_a_verified_secret_is_checked_against_its_hash_once(hashed: list[str]) -> None:
    stored = make_password("gjj-hall-secret-0123456789")
    validator = validators.GovssoOAuth2Validator()

    assert all(validator._check_secret("gjj-hall-secret-0123456789", stored) for _ in range(3))

    assert hashed == ["gjj-hall-secret-0123456789"]


def test_a_wrong_secret_is_checked_every_time_and_refused(hashed: list[str]) -> None:
    stored = make_password("gjj-hall-secret-0123456789")
    validator = validators.GovssoOAuth2Validator()
    assert validator._check_secret("gjj-hall-secret-0123456789", stored)

    assert not any(validator._check_secret("guess", stored) for _ in range(3))

    assert hashed.count("guess") == 3


def test_a_rotated_secret_is_not_taken_for_the_old_one(hashed: list[str]) -> None:
    validator = validators.GovssoOAuth2Validator()
    assert validator._check_secret("old-secret-0123456789", make_password("old-secret-0123456789"))

    rotated = make_password("new-secret-0123456789")

    assert not validator._check_secret("old-secret-0123456789", rotated)
    assert validator._check_secret("new-secret-0123456789", rotated)
