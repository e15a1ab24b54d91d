"""Time is stored in UTC and shown in Asia/Shanghai; business dates are Shanghai dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_shanghai() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def to_shanghai(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
