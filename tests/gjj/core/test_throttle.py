"""Rate limits in the hall: per member (or API token) and per client address, a Chinese 429 that
says when to try again — a page, JSON for the API, the same page for an htmx request."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from gjj.core.throttle import throttle_count, wait_text
from gjj.policy.reasons import REASON_KEYS
from tests.gjj.hall.test_withdrawal_form import HOUSE, HTMX, form_data, login
from tests.gjj.withdrawals.conftest import (  # noqa: F401 - fixtures
    LI_NA,
    ZHANG_HOUSE,
    ZHANG_WEI,
    _media_in_tmp,
    _sample_day,
    loaded,
)

pytestmark = pytest.mark.django_db

# 30 s into a minute, a quarter of an hour and an hour alike (a multiple of 3,600 plus 30).
MID_WINDOW = 1_800_000_030.0


@pytest.fixture(autouse=True)
def _requests_within_one_window(monkeypatch):
    """The limits count in fixed windows: a test's requests must all fall in one (on a loaded
    machine, four slow requests once straddled a minute's end and the fourth was let through)."""
    monkeypatch.setattr("gjj.core.throttle.time", SimpleNamespace(time=lambda: MID_WINDOW))


def _limit(settings, scope: str, **limits: int) -> None:
    settings.THROTTLE_RULES = tuple(
        dataclasses.replace(rule, **limits) if rule.scope == scope else rule
        for rule in django_settings.THROTTLE_RULES
    )


def _look_up_house(client: Client, **headers: str):
    return client.post(
        HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=headers
    )


def test_the_counter_refuses_past_the_limit_until_the_window_ends() -> None:
    start = 1_800_000_000.0  # the start of a 60-second window
    for _ in range(3):
        assert throttle_count(scope="t", who="a", limit=3, window_seconds=60, now=start + 1) == 0
    assert throttle_count(scope="t", who="a", limit=3, window_seconds=60, now=start + 11) == 49
    assert throttle_count(scope="t", who="b", limit=3, window_seconds=60, now=start + 11) == 0  # another key
    assert throttle_count(scope="t", who="a", limit=3, window_seconds=60, now=start + 61) == 0  # next window


def test_wait_text_in_seconds_or_minutes() -> None:
    assert wait_text(45) == " 45 秒" and wait_text(60) == " 1 分钟" and wait_text(3599) == " 60 分钟"


def test_a_member_over_the_house_lookup_limit_gets_the_page_saying_when(loaded, settings) -> None:  # noqa: F811
    _limit(settings, "house_lookup", per_user=2)
    client = Client()
    login(client, ZHANG_WEI)
    assert all(_look_up_house(client).status_code != 429 for _ in range(2))

    refused = _look_up_house(client)

    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 3600
    page = refused.content.decode()
    assert "<h1>操作过于频繁</h1>" in page and "查询房屋信息过于频繁，请" in page and "后再试" in page
    # Another member is counted on their own.
    other = Client()
    login(other, LI_NA)
    assert _look_up_house(other).status_code != 429


def test_an_htmx_request_over_the_limit_is_sent_to_the_page(loaded, settings) -> None:  # noqa: F811
    _limit(settings, "house_lookup", per_user=1)
    client = Client()
    login(client, ZHANG_WEI)
    _look_up_house(client, **HTMX)

    refused = _look_up_house(client, **HTMX)

    assert refused.status_code == 429
    page = client.get(refused["HX-Redirect"])
    assert page.status_code == 429 and "查询房屋信息过于频繁" in page.content.decode()


def test_one_address_is_limited_across_members(loaded, settings) -> None:  # noqa: F811
    _limit(settings, "house_lookup", per_address=2)
    clients = []
    for id_number in (ZHANG_WEI, LI_NA):
        client = Client(REMOTE_ADDR="203.0.113.7")
        login(client, id_number)
        clients.append(client)

    assert _look_up_house(clients[0]).status_code != 429
    assert _look_up_house(clients[1]).status_code != 429
    assert _look_up_house(clients[1]).status_code == 429  # the address's third, the member's second
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    elsewhere.cookies = clients[1].cookies  # the same member's session, from another network
    assert _look_up_house(elsewhere).status_code != 429  # Li Na from another address goes on


def test_the_api_answers_json_with_retry_after(loaded, settings) -> None:  # noqa: F811
    _limit(settings, "api", per_address=3)
    client = Client()
    assert [client.get("/api/v1/openapi.json").status_code for _ in range(3)] == [200, 200, 200]

    refused = client.get("/api/v1/openapi.json")

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    body = refused.json()
    assert body["code"] == "throttled" and body["message"].startswith("调用接口过于频繁，请")


def test_staff_sign_in_attempts_are_limited_per_address(db, settings) -> None:
    _limit(settings, "staff_login", per_address=3)
    client = Client(REMOTE_ADDR="192.0.2.9")
    for _ in range(3):
        assert (
            client.post("/backoffice/login/", {"username": "x", "password": "y", "otp": "1"}).status_code
            != 429
        )

    refused = client.post("/backoffice/login/", {"username": "x", "password": "y", "otp": "1"})

    assert refused.status_code == 429 and "登录过于频繁" in refused.content.decode()
    assert client.get("/backoffice/login/").status_code == 200  # reading the page is not counted


@pytest.mark.parametrize("reason", REASON_KEYS)
def test_the_card_check_limit_covers_the_card_check_of_every_reasons_form(reason) -> None:
    path = reverse("hall:withdrawal_card", kwargs={"reason": reason})
    match = resolve(path)
    rule = next(rule for rule in django_settings.THROTTLE_RULES if rule.scope == "card_check")

    assert path == f"/hall/withdrawals/{reason}/card/"
    assert rule.applies(RequestFactory().post(path), match.view_name, match.kwargs)
