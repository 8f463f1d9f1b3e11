"""Prometheus metrics: Keptn's promotion counter and the phase durations of the reference."""
from __future__ import annotations

import threading
import time

from prometheus_client import Counter, Histogram, start_http_server

# Keptn's attribute names (keptn.deployment.app.name, ...) with the dots Prometheus does not allow.
PROMOTIONS = Counter(
    "keptn_promotion_count", "Promotion phases that completed (Succeeded, Warning or Failed), per app.",
    ["keptn_deployment_app_name", "keptn_deployment_app_namespace"],
)
PHASE_DURATION = Histogram(
    "keptn_lifecycle_phase_duration_seconds",
    "Time from a phase's Started event to its end, by phase (currentPhase) and result (its KeptnState).",
    ["phase", "result"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)


def count_promotion(app: str, namespace: str) -> None:
    PROMOTIONS.labels(app, namespace).inc()


class PhaseClock:
    """Remembers when each version's phase started (in memory: a phase that started before a
    restart is not measured rather than measured wrong)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[tuple[str, str], float] = {}

    def started(self, uid: str, phase: str, at: float) -> None:
        """`at` (time.monotonic) is when the pass that entered the phase began, before it created
        the phase's items, which are part of the phase's time."""
        with self._lock:
            self._started[(uid, phase)] = at

    def finished(self, uid: str, phase: str, result: str) -> None:
        with self._lock:
            start = self._started.pop((uid, phase), None)
        if start is not None:
            PHASE_DURATION.labels(phase, result).observe(time.monotonic() - start)


def serve(host: str, port: int) -> None:
    start_http_server(port, addr=host)
