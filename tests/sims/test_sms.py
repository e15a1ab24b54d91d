"""The SMS-gateway simulator through real HTTP; ``GET /sms/outbox`` is a fixed contract (DESIGN.md)."""

from __future__ import annotations

import datetime as dt

import requests

from tests.support.sims import LiveSims

PHONE = "13804001001"


def _send(sims: LiveSims, *, phone: str, text: str) -> requests.Response:
    return requests.post(f"{sims.url}/sms/send", json={"phone": phone, "text": text}, timeout=10)


def test_sending_answers_a_message_id(sims: LiveSims) -> None:
    response = _send(sims, phone=PHONE, text="您的提取申请已受理")

    assert response.status_code == 200
    assert response.json()["message_id"].startswith("SMS")


def test_the_outbox_lists_one_phones_messages_newest_first(sims: LiveSims) -> None:
    for text in ("第一条", "第二条", "第三条"):
        assert _send(sims, phone=PHONE, text=text).status_code == 200
    _send(sims, phone="13804001002", text="别人的短信")

    outbox = sims.outbox(PHONE)

    assert [message["text"] for message in outbox] == ["第三条", "第二条", "第一条"]
    assert {message["phone"] for message in outbox} == {PHONE}
    sent_at = [dt.datetime.fromisoformat(message["sent_at"]) for message in outbox]
    assert all(moment.tzinfo is not None for moment in sent_at)
    assert sent_at == sorted(sent_at, reverse=True)


def test_an_unknown_phone_has_an_empty_outbox(sims: LiveSims) -> None:
    assert sims.outbox("13999999999") == []


def test_a_message_without_text_or_with_a_bad_phone_is_refused(sims: LiveSims) -> None:
    no_text = _send(sims, phone=PHONE, text="")
    bad_phone = _send(sims, phone="not-a-phone", text="你好")
    not_json = requests.post(f"{sims.url}/sms/send", data=b"phone=1", timeout=10)

    assert [r.status_code for r in (no_text, bad_phone, not_json)] == [400, 400, 400]
    assert sims.outbox(PHONE) == []


def test_reset_empties_the_outbox(sims: LiveSims) -> None:
    _send(sims, phone=PHONE, text="重置前")

    sims.reset()

    assert sims.outbox(PHONE) == []
