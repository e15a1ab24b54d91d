"""Fixtures of govsso's tests. They run in a pytest session of their own, with govsso's Django
project: ``pytest tests/govsso --ds=govsso.settings``. Under any other settings (the hall's
session, which collects ``tests/`` as a whole) this folder is left out."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.govsso.support import HALL_CLIENT_ID, HALL_CLIENT_SECRET, HALL_LOGGED_OUT_URI, HALL_REDIRECT_URI
from tests.support.sims import LiveSims

GOVSSO_SETTINGS = "govsso.settings"

if os.environ.get("DJANGO_SETTINGS_MODULE") != GOVSSO_SETTINGS:
    collect_ignore_glob = ["*"]

PASSWORD_BACKEND = "govsso.accounts.backends.IdNumberOrPhoneBackend"
DEFAULT_PASSWORD = "Liao@2026ning"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """PBKDF2 at Django's default strength costs a good part of a second per password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def memory_cache(settings: Any) -> None:
    """Rate-limit counters in memory, emptied for each test (govsso's own is the database cache)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def sms(live_sims: LiveSims, settings: Any) -> LiveSims:
    """The SMS simulator, emptied, with govsso sending to it."""
    live_sims.reset()
    settings.GOVSSO_SMS_URL = f"{live_sims.url}/sms"
    return live_sims


class MovableClock:
    """``django.utils.timezone.now`` under the test's control: it stands still until moved."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[MovableClock]:
    moved = MovableClock(timezone.now())
    monkeypatch.setattr(timezone, "now", moved.now)
    yield moved


@pytest.fixture
def make_person(db: None) -> Callable[..., Any]:
    from govsso.accounts.models import NaturalPerson

    def make(
        *,
        id_number: str = "210102199003071233",
        name: str = "王小明",
        phone: str = "13904001234",
        password: str = DEFAULT_PASSWORD,
    ) -> NaturalPerson:
        return NaturalPerson.objects.create_user(
            id_number=id_number, password=password, name=name, phone=phone
        )

    return make


@pytest.fixture
def signed_in(client: Client) -> Callable[[Any], Client]:
    def sign_in(person: Any) -> Client:
        client.force_login(person, backend=PASSWORD_BACKEND)
        return client

    return sign_in


@pytest.fixture
def hall_client(db: None) -> Any:
    """The hall registered as a client, as ``make setup`` does."""
    from govsso.oidc.services import oidc_client_register

    return oidc_client_register(
        client_id=HALL_CLIENT_ID,
        client_secret=HALL_CLIENT_SECRET,
        name="公积金网上服务大厅",
        redirect_uris=[HALL_REDIRECT_URI],
        post_logout_redirect_uris=[HALL_LOGGED_OUT_URI],
    ).application
