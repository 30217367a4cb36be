"""Latency figures of the skill benchmarks: percentiles of many timed answers, in ms.

Percentiles are nearest-rank: p99 of 1,000 times is the 990th smallest, a time that was
measured (no interpolation).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in (0, 1]) of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class LatencySummary:
    """Timed answers in milliseconds: how many, p50, p99, the slowest and the mean."""

    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @classmethod
    def of_seconds(cls, seconds: list[float]) -> LatencySummary:
        milliseconds = [value * 1000 for value in seconds]
        return cls.of_milliseconds(milliseconds)

    @classmethod
    def of_milliseconds(cls, milliseconds: list[float]) -> LatencySummary:
        if not milliseconds:
            return cls(0, math.nan, math.nan, math.nan, math.nan)
        return cls(
            count=len(milliseconds),
            p50_ms=percentile(milliseconds, 0.50),
            p99_ms=percentile(milliseconds, 0.99),
            max_ms=max(milliseconds),
            mean_ms=sum(milliseconds) / len(milliseconds),
        )

    def as_dict(self) -> dict:
        return asdict(self)


def milliseconds(value: float) -> str:
    """``value`` ms for a table: one decimal under 100, none above; "-" for none."""
    if math.isnan(value):
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"
