"""The SMS gateway: ``POST {GJJ_SMS_URL}/send`` ``{"phone", "text"}`` → ``{"message_id"}``."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings

from gjj.clients.base import (
    JsonHttpClient,
    OutsideSystemUnavailable,
    TransportFailure,
    default_timeout,
    protocol_mismatch,
)
from gjj.core.masking import mask_phone

logger = logging.getLogger(__name__)


class SmsUnavailable(OutsideSystemUnavailable):
    system_label = "短信平台"


class SmsClient(Protocol):
    def send(self, *, phone: str, text: str) -> None:
        """Hand one message to the gateway. Raises ``SmsUnavailable`` when it was not accepted
        (or no answer came: a retry may then deliver the message twice, which is acceptable for
        a notification)."""
        ...


class HttpSmsClient:
    def __init__(self, *, base_url: str, timeout: float) -> None:
        self._http = JsonHttpClient(system="sms", base_url=base_url, timeout=timeout)

    def send(self, *, phone: str, text: str) -> None:
        try:
            answer = self._http.post("send", operation="send", body={"phone": phone, "text": text})
        except TransportFailure as exc:
            raise SmsUnavailable() from exc
        if (
            answer.status != 200
            or not answer.decoded
            or not isinstance(answer.payload, dict)
            or not answer.payload.get("message_id")
        ):
            raise protocol_mismatch(SmsUnavailable, what=f"发送短信至 {mask_phone(phone)}", answer=answer)
        logger.info("短信已提交至 %s：%s", mask_phone(phone), answer.payload["message_id"])


def get_sms_client() -> SmsClient:
    """The configured SMS gateway; settings are read at each call so tests can re-point it."""
    return HttpSmsClient(base_url=settings.GJJ_SMS_URL, timeout=default_timeout())
