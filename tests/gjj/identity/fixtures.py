"""Fixtures for the hall's login: the fake provider wired into mozilla-django-oidc, members with and
without a fund account, and a helper that walks the browser's side of the code flow.

Imported by tests/gjj/identity/conftest.py and tests/gjj/hall/conftest.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from django.test import Client
from django.utils import timezone

from gjj.members.models import AccountStatus, Employer, FundAccount, Person
from gjj.members.services import AccountOpening, fund_accounts_open, hold_place
from tests.gjj.identity import fake_provider
from tests.gjj.identity.fake_provider import FakeProvider

ZHANG_WEI_ID = "210102198803120158"
ZHANG_WEI_SUB = "5f0c2a9e-7b1d-4c33-9a57-2f6d8e41b0aa"
NO_ACCOUNT_ID = "210103199007050241"  # a person the centre knows, without a fund account
STRANGER_ID = "21010419850101028X"  # a person the centre does not know at all


@pytest.fixture(autouse=True)
def _oidc_settings(settings):
    """The hall pointed at the fake provider, whatever the environment of the test run says."""
    settings.GJJ_OIDC_ISSUER = fake_provider.ISSUER
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = fake_provider.AUTHORIZATION_ENDPOINT
    settings.OIDC_OP_TOKEN_ENDPOINT = fake_provider.TOKEN_ENDPOINT
    settings.OIDC_OP_USER_ENDPOINT = fake_provider.USERINFO_ENDPOINT
    settings.OIDC_OP_JWKS_ENDPOINT = fake_provider.JWKS_ENDPOINT
    settings.OIDC_OP_END_SESSION_ENDPOINT = fake_provider.END_SESSION_ENDPOINT
    settings.OIDC_RP_CLIENT_ID = fake_provider.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = fake_provider.CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_TOKEN_USE_BASIC_AUTH = False
    settings.OIDC_RP_SCOPES = "openid profile phone id_card"
    settings.GJJ_OIDC_ID_NUMBER_CLAIM = "id_card_number"
    settings.GJJ_OIDC_NAME_CLAIM = "name"
    settings.GJJ_OIDC_POST_LOGOUT_REDIRECT_URI = "http://127.0.0.1:8000/hall/logged-out/"


@pytest.fixture
def provider(monkeypatch) -> FakeProvider:
    """The provider's back channel (token, userinfo, JWKS) answered in-process."""
    fake = FakeProvider()
    back_channel = SimpleNamespace(get=fake.get, post=fake.post, RequestException=requests.RequestException)
    monkeypatch.setattr("mozilla_django_oidc.auth.requests", back_channel)
    # The hall's own JWKS fetch (kept in the cache) goes through the same back channel.
    monkeypatch.setattr("gjj.identity.backends.requests", back_channel)
    return fake


@pytest.fixture
def employer(db) -> Employer:
    return Employer.objects.create(code="E0001", name="辽宁省测试单位")


def person_with_account(
    *, id_number: str, name: str, phone: str, account_no: str, employer: Employer, balance_fen: int
) -> Person:
    person = Person.objects.create(id_number=id_number, name=name, phone=phone)
    fund_accounts_open(
        openings=[
            AccountOpening(
                account=FundAccount(
                    account_no=account_no,
                    person=person,
                    employer=employer,
                    status=AccountStatus.NORMAL,
                    opened_on=dt.date(2015, 7, 1),
                    monthly_deposit_fen=180000,
                    paid_through="2026-10",
                    consecutive_months=60,
                ),
                opening_balance_fen=balance_fen,
                reference=f"test-open:{account_no}",
                memo="期初余额",
            )
        ],
        occurred_at=timezone.now(),
    )
    return Person.objects.select_related("account").get(pk=person.pk)


@pytest.fixture
def zhang_wei(employer) -> Person:
    """A member with 100,000.00 元, of which 13,579.50 元 is set aside: 86,420.50 元 available."""
    person = person_with_account(
        id_number=ZHANG_WEI_ID,
        name="张伟",
        phone="13804001001",
        account_no="2101000012345",
        employer=employer,
        balance_fen=10_000_000,
    )
    hold_place(account=person.account, amount_fen=1_357_950, reference="test-hold:1")
    return Person.objects.select_related("account").get(pk=person.pk)


@pytest.fixture
def person_without_account(db) -> Person:
    return Person.objects.create(id_number=NO_ACCOUNT_ID, name="李娜", phone="13804001002")


def member_claims(
    *, sub: str = ZHANG_WEI_SUB, id_number: str = ZHANG_WEI_ID, name: str = "张伟"
) -> dict[str, Any]:
    return {"sub": sub, "name": name, "phone_number": "13804001001", "id_card_number": id_number}


@dataclass
class LoginWalk:
    """The browser's side of the code flow: 立即登录 → the provider → the callback."""

    client: Client
    provider: FakeProvider

    def start(self, next_path: str | None = "/hall/home/") -> str:
        """立即登录: the provider authorization URL the hall redirects to."""
        query = {} if next_path is None else {"next": next_path}
        response = self.client.get("/oidc/authenticate/", query)
        assert response.status_code == 302, response.status_code
        return response["Location"]

    def callback_url(self, authorize_url: str, **claims: Any) -> str:
        return self.provider.approve(authorize_url, claims=member_claims(**claims))

    def login(self, next_path: str | None = "/hall/home/", **claims: Any):
        """The whole login; the callback's response."""
        return self.client.get(self.callback_url(self.start(next_path), **claims))


@pytest.fixture
def walk(client, provider) -> LoginWalk:
    return LoginWalk(client=client, provider=provider)
