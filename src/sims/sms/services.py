"""Writes of the SMS gateway."""

from __future__ import annotations

import logging
import uuid

from django.utils import timezone

from gjj.core.masking import mask_phone
from sims.sms.models import SmsMessage

logger = logging.getLogger(__name__)


def sms_send(*, phone: str, text: str) -> SmsMessage:
    message = SmsMessage.objects.create(
        message_id=f"SMS{uuid.uuid4().hex.upper()}", phone=phone, text=text, sent_at=timezone.now()
    )
    logger.info("短信 %s 已发往 %s", message.message_id, mask_phone(phone))
    return message
