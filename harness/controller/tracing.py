"""W3C trace context: the carrier a KeptnAppVersion keeps in `spec.traceId`, passed on to its tasks.

The reference exports no spans; it only keeps the trace identifiers consistent, so that task
metadata carries a `traceparent` (contract §5) that belongs to the version's trace.
"""
from __future__ import annotations

import random
import re

_RNG = random.Random()

TRACEPARENT = "traceparent"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def new_trace(rng: random.Random = _RNG) -> dict[str, str]:
    """A fresh carrier for a new KeptnAppVersion or KeptnWorkloadVersion."""
    return {TRACEPARENT: _traceparent(f"{rng.getrandbits(128):032x}", rng)}


def child_traceparent(carrier: dict[str, str] | None, rng: random.Random = _RNG) -> str:
    """A `traceparent` in the carrier's trace (a new one if the carrier holds none)."""
    match = _TRACEPARENT.match((carrier or {}).get(TRACEPARENT, ""))
    trace_id = match.group(1) if match else f"{rng.getrandbits(128):032x}"
    return _traceparent(trace_id, rng)


def _traceparent(trace_id: str, rng: random.Random) -> str:
    return f"00-{trace_id}-{rng.getrandbits(64):016x}-01"
