"""The SMS gateway as govsso sees it: ``POST {GOVSSO_SMS_URL}/send`` with ``{"phone", "text"}``,
answered by ``{"message_id"}``. govsso is a project of its own and does not share the hall's
clients; in the embedded set-up the gateway is the simulator process."""

from __future__ import annotations

import logging

import requests
from django.conf import settings

from gjj.core.masking import mask_phone

logger = logging.getLogger(__name__)


class SmsDeliveryFailed(Exception):
    """The gateway did not accept the message (no answer, an error, or an answer of another
    shape): the member did not get it."""


def sms_send(*, phone: str, text: str) -> str:
    """Hand one message to the gateway and return its message id. Settings are read at each
    call, so that tests can point govsso at a simulator started for them."""
    url = f"{settings.GOVSSO_SMS_URL.rstrip('/')}/send"
    try:
        response = requests.post(
            url, json={"phone": phone, "text": text}, timeout=settings.GOVSSO_SMS_TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        logger.warning("短信平台无法连接（发往 %s）：%s", mask_phone(phone), type(exc).__name__)
        raise SmsDeliveryFailed(f"短信平台无法连接：{type(exc).__name__}") from exc
    message_id = None
    if response.status_code == 200:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("message_id"), str):
            message_id = payload["message_id"]
    if not message_id:
        logger.warning("短信平台拒绝了发往 %s 的短信：HTTP %s", mask_phone(phone), response.status_code)
        raise SmsDeliveryFailed(f"短信平台未受理：HTTP {response.status_code}")
    logger.info("短信已提交至 %s：%s", mask_phone(phone), message_id)
    return message_id
