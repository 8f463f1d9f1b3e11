"""The spans of contract §10 as OpenTelemetry's SDK records them, and its batching OTLP/gRPC exporter.

Imported only once a KeptnConfig names a collector (harness/controller/tracing.py), so that a
controller that never traces never loads the SDK.
"""
from __future__ import annotations

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

_SCOPE = InstrumentationScope("promotion-conformance/reference")
_RESOURCE = Resource.create({"service.name": "promotion-controller"})
_EXPORT_TIMEOUT_MS = 5000
Ids = tuple[str, str]  # (trace id, span id) in hex


def _context(ids: Ids, remote: bool = False) -> SpanContext:
    trace_id, span_id = ids
    return SpanContext(int(trace_id, 16), int(span_id, 16), is_remote=remote, trace_flags=TraceFlags(TraceFlags.SAMPLED))


def span(name: str, ids: Ids, parent: Ids | None, links: list[Ids], start: float, end: float, failed: bool,
         attributes: dict[str, str]) -> ReadableSpan:
    """An ended span; `start` and `end` in seconds since the epoch. Links are follows-from, as Keptn's."""
    return ReadableSpan(name, context=_context(ids), parent=_context(parent) if parent else None, resource=_RESOURCE,
                        attributes=attributes, kind=SpanKind.CONSUMER,
                        links=[Link(_context(link, remote=True), {"opentracing.ref_type": "follows-from"})
                               for link in links],
                        status=Status(StatusCode.ERROR if failed else StatusCode.OK),
                        start_time=int(start * 1e9), end_time=int(end * 1e9), instrumentation_scope=_SCOPE)


def batching_exporter(collector: str) -> SpanProcessor:
    """OpenTelemetry's batching processor and OTLP/gRPC exporter, plain text, as Keptn dials its collector."""
    return BatchSpanProcessor(OTLPSpanExporter(endpoint=collector, insecure=True), schedule_delay_millis=1000,
                              export_timeout_millis=_EXPORT_TIMEOUT_MS)
