"""Reads of the SMS gateway."""

from __future__ import annotations

from django.db.models import QuerySet

from sims.sms.models import SmsMessage


def outbox(*, phone: str | None = None, limit: int = 200) -> QuerySet[SmsMessage]:
    """Messages sent, newest first; the pk breaks ties between messages of the same instant."""
    messages = SmsMessage.objects.order_by("-sent_at", "-pk")
    if phone:
        messages = messages.filter(phone=phone)
    return messages[:limit]
