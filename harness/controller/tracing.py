"""W3C trace context and spans (contract §10): what the reference does when a KeptnConfig names an
OpenTelemetry collector (`spec.OTelCollectorUrl`, `host:port`), as Keptn's lifecycle operator does.

Every KeptnAppVersion and KeptnWorkloadVersion keeps a carrier in `spec.traceId` from its creation;
its `traceparent` names the version's own span. While tracing is configured:

- a task's `spec.context.metadata` carries the `traceparent` of the span of the phase that created it
  (in the version's trace); without a collector there is no carrier, as in Keptn, whose propagator
  is set only when a KeptnConfig names one;
- a phase's span is exported when the phase ends, the version's span when the version ends; the
  version's span links to every `traceparent` of its `spec.spanLinks` (copied from its
  KeptnAppContext), as Keptn's links do.

Span ids are drawn from the version's carrier and the phase's name, never kept in memory, so a
task created before a restart names the span exported after it. Spans are built as OpenTelemetry's
SDK records them and sent by its batching processor and OTLP/gRPC exporter.
"""
from __future__ import annotations

import hashlib
import logging
import random
import re
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the SDK is loaded only when a collector is named (spans.py)
    from opentelemetry.sdk.trace import SpanProcessor

log = logging.getLogger(__name__)

_RNG = random.Random()

TRACEPARENT = "traceparent"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def new_trace(rng: random.Random = _RNG) -> dict[str, str]:
    """A fresh carrier for a new KeptnAppVersion or KeptnWorkloadVersion: its trace and its own span."""
    return {TRACEPARENT: _traceparent(f"{rng.getrandbits(128):032x}", f"{rng.getrandbits(64):016x}")}


def parse(traceparent: str | None) -> tuple[str, str] | None:
    """(trace id, span id) of a W3C `traceparent`, or None when it is not one."""
    match = _TRACEPARENT.match(traceparent or "")
    return (match.group(1), match.group(2)) if match else None


def phase_span_id(carrier: dict[str, str] | None, phase: str) -> tuple[str, str] | None:
    """(trace id, span id) of a phase's span in the version's trace; None without a carrier."""
    version = parse((carrier or {}).get(TRACEPARENT))
    if version is None:
        return None
    trace_id, span_id = version
    return trace_id, hashlib.sha256(f"{trace_id}/{span_id}/{phase}".encode()).hexdigest()[:16]


def task_traceparent(carrier: dict[str, str] | None, phase: str) -> str | None:
    """The `traceparent` a task of `phase` carries: the phase's span in the version's trace."""
    ids = phase_span_id(carrier, phase)
    return _traceparent(*ids) if ids else None


def _traceparent(trace_id: str, span_id: str) -> str:
    return f"00-{trace_id}-{span_id}-01"


class Tracing:
    """The exporter of the collector the last reconciled KeptnConfig names; off while none does."""

    def __init__(self, processor_for=None):
        self._processor_for = processor_for or _batching_exporter
        self._lock = threading.Lock()
        self._processor: SpanProcessor | None = None
        self._phase_began: dict[tuple[str, str], float] = {}  # (version UID, phase) → time.time()
        self.collector = ""

    @property
    def enabled(self) -> bool:
        return self._processor is not None

    def configure(self, collector: str) -> None:
        """Send spans to `collector` (`host:port`) from now on, or to none when it is empty."""
        with self._lock:
            if collector == self.collector:
                return
            old, self._processor = self._processor, (self._processor_for(collector) if collector else None)
            self.collector = collector
        if old is not None:
            old.shutdown()  # sends what it holds to the collector it was made for
        log.info("tracing %s", f"to the OpenTelemetry collector at {collector}" if collector else "off")

    def shutdown(self) -> None:
        self.configure("")

    def phase_began(self, uid: str, phase: str) -> None:
        self._phase_began[(uid, phase)] = time.time()

    def export_phase(self, uid: str, carrier: dict[str, str] | None, phase: str, failed: bool,
                     attributes: dict[str, str]) -> None:
        """The span of a phase that ended now, a child of the version's span; it began when this
        process saw it begin (now, if another process did)."""
        end = time.time()
        start = self._phase_began.pop((uid, phase), end)
        version, ids = parse((carrier or {}).get(TRACEPARENT)), phase_span_id(carrier, phase)
        if version is not None and ids is not None:
            self._export(phase, ids, version, [], start, end, failed, attributes)

    def export_version(self, name: str, carrier: dict[str, str] | None, span_links: list[str],
                       start: datetime | None, failed: bool, attributes: dict[str, str]) -> None:
        """The span of a version that ended now (begun at `start`, its status.startTime), linked to
        every `traceparent` of its `spec.spanLinks`."""
        end = time.time()
        version = parse((carrier or {}).get(TRACEPARENT))
        if version is not None:
            links = [ids for ids in map(parse, span_links) if ids]
            self._export(name, version, None, links, start.timestamp() if start else end, end, failed, attributes)

    def _export(self, name: str, ids: tuple[str, str], parent: tuple[str, str] | None, links: list[tuple[str, str]],
                start: float, end: float, failed: bool, attributes: dict[str, str]) -> None:
        from harness.controller import spans
        with self._lock:
            if self._processor is not None:
                self._processor.on_end(spans.span(name, ids, parent, links, start, end, failed, attributes))


def _batching_exporter(collector: str) -> SpanProcessor:
    from harness.controller import spans
    return spans.batching_exporter(collector)
