"""Percentiles of durations, the same way wherever the hall reports them (the back office's
dashboard, the Prometheus figures): in PostgreSQL by its ordered-set aggregates, elsewhere by
nearest rank over the sorted values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from django.db.models import Aggregate

T = TypeVar("T")


class Percentile(Aggregate):
    """A PostgreSQL percentile (``function=``): ``percentile_cont`` interpolates (the median of an
    even count is halfway between the two middle values, as ``statistics.median``),
    ``percentile_disc`` is the nearest rank (always one of the values, as ``nearest_rank``)."""

    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"


def nearest_rank(sorted_values: Sequence[T], fraction: float) -> T:
    """Always one of the measured values, never an interpolation between two."""
    return sorted_values[max(1, math.ceil(fraction * len(sorted_values))) - 1]
