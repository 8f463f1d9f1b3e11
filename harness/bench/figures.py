"""The figures a run compares across implementations, written once as data: where each is read
from an implementation's stages, and why it is missing when it is.

A figure is missing for a reason the reader must see: the stage did not run or stopped with an
error, the harness cannot measure it for this implementation (CPU and memory of one that runs in
the cluster; overhead of one whose adapter cannot turn promotion off), or nothing was measured
(no version succeeded).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class Missing(Exception):
    """Why a figure has no value for an implementation."""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    read: Callable[[dict], float | None]  # from an implementation's `stages`; raises Missing
    scale: float = 1.0  # report seconds as milliseconds, etc.

    def cell(self, stages: dict) -> dict:
        """{value, why}: the value, or None and the reason it is missing."""
        try:
            value = self.read(stages)
        except Missing as why:
            return {"value": None, "why": str(why)}
        if value is None:
            return {"value": None, "why": "nothing measured (no version of the stage succeeded)"}
        return {"value": round(value * self.scale, 4), "why": None}


def section(stages: dict, stage: str) -> dict:
    """A stage's section, or Missing saying why there is none."""
    if stage not in stages:
        raise Missing(f"the {stage} stage was not run")
    found = stages[stage]
    if "error" in found:
        raise Missing(f"the {stage} stage stopped with an error: {found['error']}")
    if "notMeasurable" in found:
        raise Missing(found["notMeasurable"])
    return found


def at(stage: str, *path) -> Callable[[dict], float | None]:
    def read(stages: dict):
        node = section(stages, stage)
        for key in path:
            if not isinstance(node, dict):
                return None
            if "notMeasurable" in node:
                raise Missing(node["notMeasurable"])
            node = node.get(key)
        return node

    return read


def parallel(tasks: int, field: str) -> Callable[[dict], float | None]:
    def read(stages: dict):
        run = next((run for run in section(stages, "parallelism")["runs"] if run["tasks"] == tasks), None)
        if run is None:
            raise Missing(f"N = {tasks} was not run")
        if "error" in run:
            raise Missing(f"the run of N = {tasks} stopped: {run['error']}")
        if run.get("unmeasured"):
            raise Missing(run["unmeasured"])
        return run[field]

    return read


def scale(versions: int, *path) -> Callable[[dict], float | None]:
    def read(stages: dict):
        run = next((run for run in section(stages, "scale")["runs"] if run["versionsStarted"] == versions), None)
        if run is None:
            raise Missing(f"{versions} versions were not run")
        if "error" in run:
            raise Missing(f"the run of {versions} versions stopped: {run['error']}")
        node = run
        for key in path:
            if "notMeasurable" in node:
                raise Missing(node["notMeasurable"])
            node = node.get(key)
        return node

    return read


def share_of_ceiling(versions: int) -> Callable[[dict], float | None]:
    """The implementation's write rate in a scale run ÷ one client's write rate on the same cluster."""
    def read(stages: dict):
        writes = scale(versions, "writesPerSecond")(stages)
        ceiling = at("ceiling", "writesPerSecond")(stages)
        return None if writes is None or not ceiling else writes / ceiling

    return read


def for_plan(parallel_tasks: tuple[int, ...], scale_versions: tuple[int, ...]) -> list[Figure]:
    """The figures of a run with these counts, in the order the summary shows them."""
    figures = [
        Figure("overhead", "promotion overhead (median lifecycle: empty phase − flag off)", "ms",
               at("overhead", "difference", "lifecycleSeconds"), 1000),
        Figure("overheadTail", "… of the tails (post Job finished → version ended)", "ms",
               at("overhead", "difference", "tailSeconds"), 1000),
        Figure("latencyP50", "phase latency p50 (post Job finished → first promotion KeptnTask)", "ms",
               at("latency", "postJobFinishedToFirstTaskSeconds", "p50"), 1000),
        Figure("latencyP99", "phase latency p99", "ms", at("latency", "postJobFinishedToFirstTaskSeconds", "p99"), 1000),
        Figure("latencyLastJobP50", "post Job finished → last promotion Job, p50", "ms",
               at("latency", "postJobFinishedToLastJobSeconds", "p50"), 1000),
    ]
    for tasks in parallel_tasks:
        figures.append(Figure(f"overFloor{tasks}", f"parallelism N = {tasks}: phase ÷ floor", "×",
                              parallel(tasks, "overFloor")))
    for tasks in parallel_tasks:
        figures.append(Figure(f"phaseRatio{tasks}", f"parallelism N = {tasks}: phase ÷ 5 s", "×",
                              parallel(tasks, "ratio")))
    for versions in scale_versions:
        figures += [
            Figure(f"stuck{versions}", f"scale {versions}: versions stuck", "", scale(versions, "versions", "stuck", "count")),
            Figure(f"perMinute{versions}", f"scale {versions}: versions completed per minute", "/min",
                   scale(versions, "versionsPerMinute")),
            Figure(f"cpu{versions}", f"scale {versions}: CPU seconds per version", "s",
                   scale(versions, "implementation", "cpuSecondsPerVersion")),
            Figure(f"rss{versions}", f"scale {versions}: peak RSS", "MiB", scale(versions, "implementation", "peakRssMiB")),
            Figure(f"writes{versions}", f"scale {versions}: API writes per version", "", scale(versions, "apiRequests",
                                                                                                "writesPerVersion")),
            Figure(f"reads{versions}", f"scale {versions}: API reads (LIST) per version", "",
                   scale(versions, "apiRequests", "readsPerVersion")),
            Figure(f"share{versions}", f"scale {versions}: writes per second ÷ the API ceiling", "×",
                   share_of_ceiling(versions)),
        ]
    figures.append(Figure("ceiling", "API ceiling of this cluster: one client's writes per second", "/s",
                          at("ceiling", "writesPerSecond")))
    return figures
