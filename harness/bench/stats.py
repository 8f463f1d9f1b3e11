"""Percentiles and the summary of a list of measurements (seconds, ratios, ...)."""
from __future__ import annotations

import math
import statistics


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile by the nearest-rank method: the smallest value with at least q % of
    the values at or below it. It is always a measured value; with fewer than 100 values the
    99th percentile is the largest one."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q}: expected 0 < q <= 100")
    ordered = sorted(values)
    return ordered[math.ceil(q / 100 * len(ordered)) - 1]


def summarize(values: list[float], digits: int = 4) -> dict | None:
    """{count, median, p99, min, max} of the values, rounded; None when there are none."""
    if not values:
        return None
    return {
        "count": len(values),
        "median": round(statistics.median(values), digits),
        "p50": round(percentile(values, 50), digits),
        "p99": round(percentile(values, 99), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }
