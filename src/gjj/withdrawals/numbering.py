"""Business numbers: TQ + the Shanghai date + a six-digit daily sequence, e.g. TQ20261127000123."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from gjj.core.timeutil import today_shanghai
from gjj.withdrawals.models import DailySequence


def business_no_next() -> str:
    """Must run inside the transaction that stores the number: the counter row stays locked until
    it commits, so two submissions can never draw the same number."""
    day = today_shanghai()
    try:
        with transaction.atomic():
            DailySequence.objects.get_or_create(day=day)
    except IntegrityError:
        pass  # another transaction created today's row first
    sequence = DailySequence.objects.select_for_update().get(day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"TQ{day:%Y%m%d}{sequence.last:06d}"
