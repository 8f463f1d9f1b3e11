"""Whether an implementation hot-loops on bad input, judged from the API server's request counts
(harness.library.api_requests; cluster-wide, so the scenarios that use it run alone).

- Settled and quiet: once everything settled, the implementation writes at most once per 10 bad
  objects in any 10 s window (a settled implementation has nothing to write; a loop that retries at
  once writes many times a second). "Settled" is the first quiet window; from then on every window
  must stay quiet for WATCH seconds, so a loop that writes in bursts, quiet for one window and busy
  in the next, fails. The counts are read every SAMPLE seconds and a window slides over them, so a
  burst that straddles two readings is still counted whole. A loop that bursts less often than
  WATCH + WINDOW seconds is beyond this check.
- Few refusals: over the whole scenario the API server refused at most one request of the
  implementation per bad object (sending again what was refused, even with back-off, exceeds that
  within a minute).
"""
from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from harness.eventually import NotYet, eventually, never
from harness.library import api_requests
from harness.library.api_requests import Request
from harness.timeouts import TIMEOUTS

WINDOW = 10.0  # seconds
WATCH = 30.0  # how long after settling every window must stay quiet
SAMPLE = 2.0  # between two readings of the counts


@dataclass(frozen=True)
class Reading:
    at: float  # monotonic seconds
    writes: Counter[Request]  # the implementation's writes since the first reading


def allowed_writes(bad_objects: int) -> int:
    return math.ceil(bad_objects / 10)


def verdict(readings: list[Reading], allowed: int, window: float = WINDOW, watch: float = WATCH) -> str:
    """Whether the readings show an implementation that settled and stayed quiet: returns the verdict
    in words; NotYet while it has not settled or was not watched long enough; AssertionError when a
    window after settling wrote more than `allowed`.

    The window starting at a reading ends at the first reading `window` seconds later."""
    settled = None
    for start, end in _windows(readings, window):
        writes = readings[end].writes - readings[start].writes
        total = sum(writes.values())
        since = readings[start].at - readings[0].at
        if settled is None:
            if total <= allowed:
                settled = start
            continue
        if total > allowed:
            after = readings[start].at - readings[settled].at
            raise AssertionError(
                f"the implementation settled {readings[settled].at - readings[0].at:.0f}s into the count, but wrote "
                f"{total} times in the {window:.0f}s from {since:.0f}s ({after:.0f}s after settling; at most {allowed} "
                f"allowed): it writes in bursts. {_listed(writes)}")
        if readings[start].at - readings[settled].at >= watch:
            return (f"settled {readings[settled].at - readings[0].at:.0f}s into the count and quiet for "
                    f"{watch + window:.0f}s (at most {allowed} writes in any {window:.0f}s)")
    if settled is None:
        last = _last_window(readings, window)
        raise NotYet(f"no {window:.0f}s window with at most {allowed} writes yet" + (
            f"; the last one: {sum(last.values())} writes. {_listed(last)}" if last is not None else ""))
    raise NotYet(f"settled {readings[settled].at - readings[0].at:.0f}s into the count; watching whether it stays quiet")


def must_settle_and_stay_quiet(read: Callable[[], Counter[Request]], keep_running: Callable[[], object],
                               bad_objects: int) -> str:
    """Read the API server's counts every SAMPLE seconds (while `keep_running` holds) until `verdict`
    decides; the implementation may take TIMEOUTS.lifecycle to settle."""
    allowed = allowed_writes(bad_objects)
    start = read()
    readings = [Reading(time.monotonic(), Counter())]

    def check() -> str:
        never(keep_running, "the implementation while its writes are counted", duration=SAMPLE)
        readings.append(Reading(time.monotonic(), api_requests.implementation_writes(start, read())))
        return verdict(readings, allowed)

    return eventually(check, f"the implementation to settle (at most {allowed} writes in {WINDOW:.0f}s for "
                             f"{bad_objects} bad objects) and stay quiet for {WATCH:.0f}s",
                      TIMEOUTS.lifecycle + WATCH + WINDOW)


def refusals_must_be_few(before: Counter[Request], after: Counter[Request], own_refusals: int,
                         bad_objects: int) -> str:
    """At most one refused request of the implementation per bad object between two readings;
    `own_refusals` are the harness's own submissions the API server refused."""
    refused = api_requests.refused_writes(before, after)
    by_implementation = sum(refused.values()) - own_refusals
    assert by_implementation <= bad_objects, (
        f"the API server refused {by_implementation} requests of the implementation for {bad_objects} bad objects "
        f"(it sends again what was refused): {_listed(refused)}")
    return (f"refused requests: {sum(refused.values())}, of which the harness's own submissions {own_refusals}; "
            f"the implementation's: {by_implementation}")


def counted_refusals(codes: Iterable[int | None]) -> int:
    """How many of the harness's own refused submissions the API server counts as refused writes
    (a webhook's 403 is not among api_requests.REFUSED)."""
    return sum(1 for code in codes if code is not None and str(code) in api_requests.REFUSED)


def _windows(readings: list[Reading], window: float) -> Iterable[tuple[int, int]]:
    """(start, end) of every complete window, in order of start."""
    end = 0
    for start in range(len(readings)):
        end = max(end, start)
        while end < len(readings) and readings[end].at - readings[start].at < window:
            end += 1
        if end == len(readings):
            return
        yield start, end


def _last_window(readings: list[Reading], window: float) -> Counter[Request] | None:
    complete = list(_windows(readings, window))
    if not complete:
        return None
    start, end = complete[-1]
    return readings[end].writes - readings[start].writes


def _listed(writes: Counter[Request]) -> str:
    return ", ".join(f"{count}× {request}" for request, count in writes.most_common()) or "no writes"
