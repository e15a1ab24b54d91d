"""SMS codes: at most one per phone per 60 seconds and 5 per hour, whatever page asks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govsso.verification.models import VerificationCode
from govsso.verification.services import _code_hash
from tests.govsso.support import page_text

pytestmark = pytest.mark.django_db

PHONE = "13804005678"


def request_code(client: Client, phone: str = PHONE) -> Any:
    return client.post("/register/natural/code/", {"phone": phone})


def test_a_second_code_within_60_seconds_is_refused(client: Client, sms: Any, clock: Any) -> None:
    assert request_code(client).status_code == 200
    clock.advance(seconds=59)

    refused = request_code(client)

    assert refused.status_code == 400
    assert "获取验证码过于频繁，请 1 秒后再试" in page_text(refused)
    assert len(sms.outbox(PHONE)) == 1


def test_a_second_code_after_60_seconds_is_sent(client: Client, sms: Any, clock: Any) -> None:
    request_code(client)
    clock.advance(seconds=60)

    assert request_code(client).status_code == 200
    assert len(sms.outbox(PHONE)) == 2


def test_the_script_learns_how_long_to_wait(client: Client, sms: Any, clock: Any) -> None:
    request_code(client)
    clock.advance(seconds=15)

    answer = client.post("/register/natural/code/", {"phone": PHONE}, HTTP_ACCEPT="application/json")

    assert answer.status_code == 429
    assert answer.json()["retry_after_seconds"] == 45
    assert answer.json()["message"] == "获取验证码过于频繁，请 45 秒后再试"


def test_a_sixth_code_within_an_hour_is_refused(client: Client, sms: Any, clock: Any) -> None:
    for _ in range(5):
        assert request_code(client).status_code == 200
        clock.advance(minutes=10)
    # The first code was sent 50 minutes ago: the limit frees up in 10 minutes.

    refused = request_code(client)

    assert refused.status_code == 400
    assert "该手机号 1 小时内获取验证码已达 5 次，请 10 分钟后再试" in page_text(refused)
    assert len(sms.outbox(PHONE)) == 5

    clock.advance(minutes=10)
    assert request_code(client).status_code == 200
    assert len(sms.outbox(PHONE)) == 6


def test_limits_are_per_phone(client: Client, sms: Any) -> None:
    request_code(client)

    assert request_code(client, phone="13804005679").status_code == 200


def test_recovery_and_registration_share_the_phone_limits(
    client: Client, sms: Any, clock: Any, make_person: Any
) -> None:
    person = make_person(phone=PHONE)
    client.post(
        "/password/forgot/natural/", {"id_number": person.id_number, "name": person.name, "phone": PHONE}
    )

    refused = client.post(
        "/password/forgot/natural/", {"id_number": person.id_number, "name": person.name, "phone": PHONE}
    )

    assert "获取验证码过于频繁" in page_text(refused)


def test_codes_are_stored_hashed(client: Client, sms: Any) -> None:
    request_code(client)
    [message] = sms.outbox(PHONE)
    code = message["text"].split("验证码为")[1][:6]

    stored = VerificationCode.objects.get(phone=PHONE)

    assert code not in stored.code_hash
    assert stored.code_hash == _code_hash(phone=PHONE, purpose=stored.purpose, code=code)
    assert len(stored.code_hash) == 64
