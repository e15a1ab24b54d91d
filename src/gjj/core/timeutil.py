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


def whole_months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months from ``start`` to ``end``, less one when ``end``'s day of month is before
    ``start``'s (DESIGN.md: 2026-08-20 → 2026-11-20 is 3, → 2026-11-19 is 2). Never negative."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)
