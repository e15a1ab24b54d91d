"""Fixtures of the JSON API tests.

Authentication: the API validates a bearer token by asking the SSO's introspection endpoint (active?
issued to which client?) and then its userinfo endpoint (who?), and keeps the answer (token →
person) in Django's cache for a minute. In-process tests either put the person into that cache with
``gjj.api.auth.remember_token`` (the ``bearer`` helper), or replace the two HTTP calls (``userinfo``
fixture) to exercise the validation itself. The real token path (govsso's access tokens, of the
hall's client and of another) is exercised in tests/browser/test_api_flow.py.
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
    """The provider's answers by token: userinfo claims, the client each token was issued to
    (the hall's own unless said otherwise), revoked tokens; and every call it got."""

    def __init__(self, hall_client: str) -> None:
        self.answers: dict[str, dict[str, Any]] = {}
        self.clients: dict[str, str] = {}
        self.revoked: set[str] = set()
        self.calls: list[str] = []
        self.introspections: list[str] = []
        self.hall_client = hall_client


@pytest.fixture
def userinfo(monkeypatch, settings) -> Provider:
    """Replace the HTTP call to the userinfo endpoint (the only part of validation not run)."""
    provider = Provider(hall_client=settings.OIDC_RP_CLIENT_ID)

    def fake_post(url: str, data: dict[str, str], auth: tuple[str, str], timeout: float) -> FakeResponse:
        assert url == settings.OIDC_OP_INTROSPECTION_ENDPOINT
        assert auth == (settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET)
        token = data["token"]
        provider.introspections.append(token)
        if token not in provider.answers or token in provider.revoked:
            return FakeResponse(200, {"active": False})
        client_id = provider.clients.get(token, provider.hall_client)
        return FakeResponse(200, {"active": True, "client_id": client_id, "exp": 4102444800})

    def fake_get(url: str, headers: dict[str, str], timeout: float) -> FakeResponse:
        assert url == settings.OIDC_OP_USER_ENDPOINT
        assert timeout == settings.OIDC_TIMEOUT
        token = headers["Authorization"].removeprefix("Bearer ")
        provider.calls.append(token)
        if token in provider.answers:
            return FakeResponse(200, provider.answers[token])
        return FakeResponse(401, {"error": "invalid_token"})

    monkeypatch.setattr("gjj.api.auth.requests.get", fake_get)
    monkeypatch.setattr("gjj.api.auth.requests.post", fake_post)
    return provider
