"""The hall's SMS client against the real simulator."""

from __future__ import annotations

import pytest

from gjj.clients.sms import SmsUnavailable, get_sms_client
from tests.support.sims import LiveSims

PHONE = "13804001001"


def test_a_sent_message_is_in_the_outbox(sims: LiveSims) -> None:
    get_sms_client().send(phone=PHONE, text="【辽宁省直公积金】您的提取申请已受理")

    (message,) = sims.outbox(PHONE)
    assert message["text"] == "【辽宁省直公积金】您的提取申请已受理"


def test_a_gateway_error_is_unavailable(sims: LiveSims) -> None:
    sims.set_fault(system="sms", operation="send", mode="error")

    with pytest.raises(SmsUnavailable) as raised:
        get_sms_client().send(phone=PHONE, text="你好")

    assert "短信平台" in raised.value.message
    assert sims.outbox(PHONE) == []


def test_a_gateway_slower_than_the_timeout_is_unavailable(sims: LiveSims, settings) -> None:
    settings.GJJ_CLIENT_TIMEOUT_SECONDS = 0.5
    sims.set_fault(system="sms", operation="send", mode="timeout", delay_ms=3000)

    with pytest.raises(SmsUnavailable):
        get_sms_client().send(phone=PHONE, text="你好")


def test_a_refused_message_is_unavailable(sims: LiveSims) -> None:
    with pytest.raises(SmsUnavailable):
        get_sms_client().send(phone="not-a-phone", text="你好")
