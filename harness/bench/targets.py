"""The issue's target for each figure, written once as data.

A benchmark says whether a figure met its target; it never fails because of it (the machine is
shared and the figures are noisy).
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

_COMPARE = {"<": operator.lt, "<=": operator.le, "==": operator.eq}


@dataclass(frozen=True)
class Target:
    figure: str
    read: Callable[[dict], float | None]  # the figure, from a report's `stages`
    comparison: str
    limit: float
    unit: str

    def describe(self) -> str:
        return f"{self.comparison} {self.limit:g}{' ' + self.unit if self.unit else ''}"


def _at(*path) -> Callable[[dict], float | None]:
    def read(stages: dict):
        node = stages
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    return read


def _parallel_ratio(tasks: int) -> Callable[[dict], float | None]:
    def read(stages: dict):
        runs = _at("parallelism", "runs")(stages) or []
        return next((run["ratio"] for run in runs if run["tasks"] == tasks), None)

    return read


TARGETS = (
    Target("promotion overhead (difference of median lifecycles)", _at("overhead", "difference", "lifecycleSeconds"),
           "<", 0.050, "s"),
    Target("phase latency p50", _at("latency", "evaluationEndToLastJobWatchSeconds", "p50"), "<", 0.100, "s"),
    Target("phase latency p99", _at("latency", "evaluationEndToLastJobWatchSeconds", "p99"), "<", 0.500, "s"),
    Target("parallelism at N=50 (phase ÷ task duration)", _parallel_ratio(50), "<=", 1.2, ""),
    Target("scale: controller peak RSS", _at("scale", "controller", "peakRssMiB"), "<", 150, "MiB"),
    Target("scale: versions stuck", _at("scale", "versions", "stuck", "count"), "==", 0, ""),
)


def evaluate(stages: dict) -> list[dict]:
    """Each target with the measured value and whether it was met (None: not measured in this run)."""
    rows = []
    for target in TARGETS:
        value = target.read(stages)
        met = None if value is None else _COMPARE[target.comparison](value, target.limit)
        rows.append({"figure": target.figure, "target": target.describe(), "value": value, "met": met})
    return rows
