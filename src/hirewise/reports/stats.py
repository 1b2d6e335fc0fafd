"""Report statistics in pure Python (no Flask, no SQLAlchemy): percentiles computed exactly as
PostgreSQL's ``percentile_cont`` does, rates, and score buckets, so SQLite and PostgreSQL agree."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SECONDS_PER_DAY = 86_400
# Score distribution buckets, in percent of the maximum: 0-19, 20-39, 40-59, 60-79, 80-100.
SCORE_BUCKETS: tuple[tuple[int, int], ...] = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """The value at ``fraction`` (0..1) of the sorted values, interpolating linearly between the two
    nearest ranks: PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY value)``."""
    if not values:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must lie between 0 and 1")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return float(ordered[lower])
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class Spread:
    """How long something took: how many were measured, their median and 90th percentile (seconds)."""

    count: int
    median_seconds: float | None
    p90_seconds: float | None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Spread:
        return cls(len(seconds), percentile_cont(seconds, 0.5), percentile_cont(seconds, 0.9))

    @property
    def median_days(self) -> float | None:
        return days(self.median_seconds)

    @property
    def p90_days(self) -> float | None:
        return days(self.p90_seconds)


def days(seconds: float | None) -> float | None:
    """Seconds as days, to the hundredth (what the table, the CSV and the API all show)."""
    return None if seconds is None else round(seconds / SECONDS_PER_DAY, 2)


def rate(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, to a tenth; None when there is nothing to divide."""
    return None if whole == 0 else round(100 * part / whole, 1)


def bucket_label(index: int) -> str:
    low, high = SCORE_BUCKETS[index]
    return f"{low}-{high}%"
