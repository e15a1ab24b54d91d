"""The decision limit: N working days after submission, over weekends and public holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gjj.policy.deadlines import decision_due, is_working_day, working_days_between

D = dt.date
FRIDAY = D(2026, 1, 9)
SATURDAY = D(2026, 1, 10)
NATIONAL_DAY = frozenset(D(2026, 10, day) for day in range(1, 8))  # Thu 1 Oct to Wed 7 Oct


def test_the_dates_used_are_the_weekdays_named():
    assert FRIDAY.weekday() == 4 and SATURDAY.weekday() == 5
    assert D(2026, 10, 1).weekday() == 3


def test_is_working_day():
    assert is_working_day(FRIDAY)
    assert not is_working_day(SATURDAY)
    assert not is_working_day(D(2026, 1, 11))
    assert not is_working_day(D(2026, 10, 5), holidays=NATIONAL_DAY)  # a Monday off
    assert is_working_day(D(2026, 10, 5))


def test_a_friday_submission_is_due_the_next_wednesday():
    assert decision_due(FRIDAY, days=3) == D(2026, 1, 14)


def test_a_weekday_submission_counts_from_the_next_day():
    assert decision_due(D(2026, 1, 5), days=3) == D(2026, 1, 8)  # Monday → Thursday
    assert decision_due(D(2026, 1, 7), days=1) == D(2026, 1, 8)


@pytest.mark.parametrize("weekend_day", [SATURDAY, D(2026, 1, 11)])
def test_a_weekend_submission_is_due_the_next_thursday(weekend_day):
    assert decision_due(weekend_day, days=3) == D(2026, 1, 15)


def test_public_holidays_are_skipped():
    # Submitted Wed 30 Sep: Thu 1 – Wed 7 Oct off, then Thu 8, Fri 9, Mon 12.
    assert decision_due(D(2026, 9, 30), days=3, holidays=NATIONAL_DAY) == D(2026, 10, 12)
    assert decision_due(D(2026, 9, 30), days=3) == D(2026, 10, 5)


def test_working_days_between():
    assert working_days_between(FRIDAY, D(2026, 1, 14)) == 3
    assert working_days_between(FRIDAY, SATURDAY) == 0
    assert working_days_between(FRIDAY, FRIDAY) == 0
    assert working_days_between(D(2026, 1, 14), FRIDAY) == 0
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12), holidays=NATIONAL_DAY) == 3
    assert working_days_between(D(2026, 1, 1), D(2026, 12, 31)) == 260


dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31))
holiday_sets = st.frozensets(dates, max_size=40)


@given(submitted=dates, days=st.integers(min_value=1, max_value=30), holidays=holiday_sets)
def test_the_due_date_is_a_working_day_exactly_days_working_days_later(submitted, days, holidays):
    assume(is_working_day(submitted, holidays=holidays))
    due = decision_due(submitted, days=days, holidays=holidays)
    assert due > submitted
    assert is_working_day(due, holidays=holidays)
    assert working_days_between(submitted, due, holidays=holidays) == days
    # And it is the first such day: the day before is still short of the limit.
    assert working_days_between(submitted, due - dt.timedelta(days=1), holidays=holidays) == days - 1


def _next_working_day(day: dt.date, holidays: frozenset[dt.date]) -> dt.date:
    while not is_working_day(day, holidays=holidays):
        day += dt.timedelta(days=1)
    return day


@given(submitted=dates, days=st.integers(min_value=1, max_value=30), holidays=holiday_sets)
def test_a_submission_on_a_day_off_counts_from_the_next_working_day(submitted, days, holidays):
    assume(not is_working_day(submitted, holidays=holidays))
    start = _next_working_day(submitted, holidays)
    due = decision_due(submitted, days=days, holidays=holidays)
    assert is_working_day(due, holidays=holidays)
    assert working_days_between(start, due, holidays=holidays) == days


@given(submitted=dates, days=st.integers(min_value=1, max_value=10), holidays=holiday_sets)
def test_the_due_date_never_goes_back_for_a_later_submission(submitted, days, holidays):
    later = submitted + dt.timedelta(days=1)
    assert decision_due(later, days=days, holidays=holidays) >= decision_due(
        submitted, days=days, holidays=holidays
    )
