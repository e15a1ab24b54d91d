"""govsso's rate limits per client address and overall, beside the per-phone code limits and the
per-account login lockout: SMS codes for many phones from one address, or for everyone at once,
and password guessing across accounts from one address."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.govsso.support import page_text

pytestmark = pytest.mark.django_db


def _limit(settings: Any, scope: str, **limits: int) -> None:
    settings.THROTTLE_RULES = tuple(
        dataclasses.replace(rule, **limits) if rule.scope == scope else rule
        for rule in django_settings.THROTTLE_RULES
    )


def _ask_code(client: Client, phone: str, **headers: str):
    return client.post("/register/natural/code/", {"phone": phone}, headers=headers)


def test_codes_for_many_phones_from_one_address_are_limited(settings: Any, sms: Any) -> None:
    _limit(settings, "sms_code", per_address=3)
    client = Client(REMOTE_ADDR="203.0.113.50")
    for index in range(3):
        assert _ask_code(client, f"1390400100{index}", Accept="application/json").json()["ok"] is True

    refused = _ask_code(client, "13904001009", Accept="application/json")

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["message"].startswith("获取验证码过于频繁，请")
    assert sms.outbox("13904001009") == []
    # Without script the answer is the page.
    page = _ask_code(client, "13904001008")
    assert page.status_code == 429 and "<h1>操作过于频繁</h1>" in page_text(page)
    # Another address is not affected.
    assert _ask_code(Client(REMOTE_ADDR="198.51.100.7"), "13904001009", Accept="application/json").json()[
        "ok"
    ]


def test_the_overall_limit_holds_whatever_the_addresses(settings: Any, sms: Any) -> None:
    _limit(settings, "sms_code", overall=2)
    for index in range(2):
        client = Client(REMOTE_ADDR=f"203.0.113.{index + 1}")
        assert _ask_code(client, f"1390400200{index}", Accept="application/json").status_code == 200

    refused = _ask_code(Client(REMOTE_ADDR="203.0.113.99"), "13904002009", Accept="application/json")

    assert refused.status_code == 429


def test_password_recovery_codes_count_with_registration_codes(
    settings: Any, sms: Any, make_person: Any
) -> None:
    _limit(settings, "sms_code", per_address=1)
    client = Client(REMOTE_ADDR="203.0.113.60")
    assert _ask_code(client, "13904003001", Accept="application/json").status_code == 200

    refused = client.post(
        "/password/forgot/natural/",
        {"id_number": "210102196204180133", "name": "刘国庆", "phone": "13904003002"},
    )

    assert refused.status_code == 429 and "获取验证码过于频繁" in page_text(refused)


def test_logins_from_one_address_are_limited_across_accounts(settings: Any, make_person: Any) -> None:
    _limit(settings, "login", per_address=4)
    make_person(password="Right@2026pw")
    client = Client(REMOTE_ADDR="203.0.113.70")
    for index in range(4):
        assert client.post("/login/", {"username": f"1390400400{index}", "password": "x"}).status_code == 200

    refused = client.post("/login/", {"username": "13904001234", "password": "Right@2026pw"})

    assert refused.status_code == 429 and "登录过于频繁" in page_text(refused)
    assert client.session.get("_auth_user_id") is None
