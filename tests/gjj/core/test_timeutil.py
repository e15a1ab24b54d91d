"""Business dates: Shanghai dates; whole years counted to the calendar day."""

from __future__ import annotations

import calendar
import datetime as dt
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gjj.core.timeutil import SHANGHAI, add_years, to_shanghai, today_shanghai


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2024, 2, 29), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 2, dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 29), 4, dt.date(2028, 2, 29)),
        (dt.date(2024, 2, 29), -1, dt.date(2023, 2, 28)),
        (dt.date(2024, 2, 28), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 3, 1), 1, dt.date(2025, 3, 1)),
        (dt.date(2023, 12, 31), 2, dt.date(2025, 12, 31)),
        (dt.date(2026, 11, 27), -2, dt.date(2024, 11, 27)),
        (dt.date(2026, 11, 27), 0, dt.date(2026, 11, 27)),
    ],
)
def test_add_years_examples(day: dt.date, years: int, expected: dt.date) -> None:
    assert add_years(day, years) == expected


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.integers(min_value=-50, max_value=50),
)
def test_add_years_keeps_the_calendar_day(day: dt.date, years: int) -> None:
    result = add_years(day, years)
    assert result.year == day.year + years
    assert result.month == day.month
    if (day.month, day.day) == (2, 29) and not calendar.isleap(result.year):
        assert result.day == 28
    else:
        assert result.day == day.day


def test_today_shanghai_is_the_shanghai_date_not_the_utc_date() -> None:
    # 17:00 UTC on 31 December is already 1 January in Shanghai (UTC+8).
    utc_evening = dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC)
    with mock.patch("gjj.core.timeutil.timezone.now", return_value=utc_evening):
        assert today_shanghai() == dt.date(2026, 1, 1)
    utc_morning = dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.UTC)
    with mock.patch("gjj.core.timeutil.timezone.now", return_value=utc_morning):
        assert today_shanghai() == dt.date(2025, 12, 31)


def test_to_shanghai_shows_the_same_moment_at_utc_plus_8() -> None:
    moment = dt.datetime(2026, 11, 27, 16, 30, tzinfo=dt.UTC)
    local = to_shanghai(moment)
    assert local == moment
    assert local.tzinfo == SHANGHAI
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 11, 28), 0, 30)
    assert local.utcoffset() == dt.timedelta(hours=8)
