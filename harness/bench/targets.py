"""The issues' goal for each figure, written once as data (issue 8, and issue 16's goals for
parallelism over the floor and 1,000 versions).

A benchmark says whether a figure met its goal; it never fails because of it (the machine is
shared and the figures are noisy).
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from harness.bench.figures import Missing, at, parallel, scale, share_of_ceiling

_COMPARE = {"<": operator.lt, "<=": operator.le, "==": operator.eq, ">=": operator.ge}


@dataclass(frozen=True)
class Target:
    figure: str
    read: Callable[[dict], float | None]  # the figure, from an implementation's `stages`
    comparison: str
    limit: float
    unit: str

    def describe(self) -> str:
        return f"{self.comparison} {self.limit:g}{' ' + self.unit if self.unit else ''}"


TARGETS = (
    Target("promotion overhead (difference of median lifecycles)", at("overhead", "difference", "lifecycleSeconds"),
           "<", 0.050, "s"),
    Target("phase latency p50", at("latency", "postJobFinishedToFirstTaskSeconds", "p50"), "<", 0.100, "s"),
    Target("phase latency p99", at("latency", "postJobFinishedToFirstTaskSeconds", "p99"), "<", 0.500, "s"),
    Target("parallelism at N=50: phase ÷ the cluster's floor", parallel(50, "overFloor"), "<=", 1.05, ""),
    Target("scale 1000: versions stuck", scale(1000, "versions", "stuck", "count"), "==", 0, ""),
    Target("scale 1000: peak RSS", scale(1000, "implementation", "peakRssMiB"), "<", 200, "MiB"),
    Target("scale 1000: writes per second ÷ the API ceiling", share_of_ceiling(1000), ">=", 0.9, ""),
)


def evaluate(stages: dict) -> list[dict]:
    """Each target with the measured value and whether it was met (None: not measured, and why)."""
    rows = []
    for target in TARGETS:
        try:
            value, why = target.read(stages), None
        except Missing as missing:
            value, why = None, str(missing)
        met = None if value is None else _COMPARE[target.comparison](value, target.limit)
        rows.append({"figure": target.figure, "target": target.describe(),
                     "value": None if value is None else round(value, 4), "met": met, "why": why})
    return rows
