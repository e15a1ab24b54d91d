"""The decision limit of the national regulation: a decision within N working days of the
application's submission. Pure functions, so they are testable without a database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection


def is_working_day(day: dt.date, *, holidays: Collection[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def decision_due(submitted_on: dt.date, *, days: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The last day on which the decision is in time: the N-th working day after submission (a
    submission on a Saturday counts from Monday)."""
    due = submitted_on
    while not is_working_day(due, holidays=holidays):
        # A submission on a day off is received on the next working day.
        due += dt.timedelta(days=1)
    remaining = days
    while remaining > 0:
        due += dt.timedelta(days=1)
        if is_working_day(due, holidays=holidays):
            remaining -= 1
    return due


def working_days_between(start: dt.date, end: dt.date, *, holidays: Collection[dt.date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays):
            count += 1
    return count


def latest_overdue_submission_day(
    *, today: dt.date, days: int, holidays: Collection[dt.date] = ()
) -> dt.date:
    """The last submission day already past its decision limit on ``today``. ``decision_due`` never
    decreases with the submission day, so everything submitted on or before this day is overdue and
    nothing after it is: one date comparison in the database."""
    day = today - dt.timedelta(days=1)
    while decision_due(day, days=days, holidays=holidays) >= today:
        day -= dt.timedelta(days=1)
    return day
