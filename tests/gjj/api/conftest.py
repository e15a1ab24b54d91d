"""Fixtures of the JSON API tests.

Authentication: the API validates a bearer token by asking the SSO's userinfo endpoint and keeps
the answer (token → person) in Django's cache for a minute. In-process tests either put the person
into that cache with ``gjj.api.auth.remember_token`` (the ``bearer`` helper), or replace the HTTP
call to the userinfo endpoint (``userinfo`` fixture) to exercise the validation itself. The real
token path (govsso's access token) is exercised in tests/browser/test_api_flow.py.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.core.cache import cache

from gjj.api.auth import remember_token
from gjj.members.models import Person
from tests.gjj.withdrawals.conftest import _media_in_tmp, _sample_day, jpeg_bytes, loaded  # noqa: F401

YANG_LEI = "210106198411110378"
ZHANG_WEI = "210102198803120158"
CHEN_JING = "210106198709090461"
QIAN_KUN = "210105199202020913"  # a person without a fund account
YANG_ARCHIVE = "2026010203456"
YANG_CARD = "6224553012333258487"
ZHANG_HOUSE = "SY202605180001234"
ZHANG_CARD = "6217001376212461799"
CHEN_HOUSE = "SY202204070009876"
CHEN_CARD = "6222088635267063982"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def bearer(id_number: str) -> dict[str, Any]:
    """Headers of a member whose (random) token the auth layer has already validated."""
    token = secrets.token_urlsafe(24)
    remember_token(token, Person.objects.get(id_number=id_number))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


class FakeResponse:
    def __init__(self, status_code: int, body: Any) -> None:
        self.status_code, self._body = status_code, body

    def json(self) -> Any:
        return self._body


class Provider:
    """The userinfo endpoint's answers by token, and the tokens it was asked about."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []


@pytest.fixture
def userinfo(monkeypatch, settings) -> Provider:
    """Replace the HTTP call to the userinfo endpoint (the only part of validation not run)."""
    provider = Provider()

    def fake_get(url: str, headers: dict[str, str], timeout: float) -> FakeResponse:
        assert url == settings.OIDC_OP_USER_ENDPOINT
        assert timeout == settings.OIDC_TIMEOUT
        token = headers["Authorization"].removeprefix("Bearer ")
        provider.calls.append(token)
        if token in provider.answers:
            return FakeResponse(200, provider.answers[token])
        return FakeResponse(401, {"error": "invalid_token"})

    monkeypatch.setattr("gjj.api.auth.requests.get", fake_get)
    return provider
