"""The OTLP receiver of the tracing scenarios (harness/library/otlp_receiver.py), sent real OTLP over gRPC:
once with the bare stub, once with OpenTelemetry's own SDK exporter (the path an implementation takes)."""
from __future__ import annotations

import time

import grpc
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1 import trace_pb2
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Link as OtelLink, SpanContext, TraceFlags

from harness.library.otlp_receiver import Link, OtlpReceiver

TRACE = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
LINKED_TRACE = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")


def _request() -> trace_service_pb2.ExportTraceServiceRequest:
    span = trace_pb2.Span(trace_id=TRACE, span_id=bytes.fromhex("b7ad6b7169203331"),
                          parent_span_id=bytes.fromhex("00f067aa0ba902b7"), name="AppPromote",
                          attributes=[KeyValue(key="keptn.deployment.app.name", value=AnyValue(string_value="podtato")),
                                      KeyValue(key="tries", value=AnyValue(int_value=2))],
                          links=[trace_pb2.Span.Link(trace_id=LINKED_TRACE, span_id=bytes.fromhex("00f067aa0ba902b8"))])
    return trace_service_pb2.ExportTraceServiceRequest(resource_spans=[trace_pb2.ResourceSpans(
        scope_spans=[trace_pb2.ScopeSpans(spans=[span])])])


def test_a_span_sent_over_grpc_is_recorded_with_ids_parent_links_attributes_and_arrival():
    with OtlpReceiver() as receiver:
        assert receiver.address.startswith("127.0.0.1:") and receiver.port > 0
        before = time.time()
        with grpc.insecure_channel(receiver.address) as channel:
            trace_service_pb2_grpc.TraceServiceStub(channel).Export(_request(), timeout=10)
        (span,) = receiver.spans()
    assert (span.trace_id, span.span_id, span.parent_span_id, span.name) == (
        TRACE.hex(), "b7ad6b7169203331", "00f067aa0ba902b7", "AppPromote")
    assert span.links == (Link(LINKED_TRACE.hex(), "00f067aa0ba902b8"),)
    assert span.attributes == {"keptn.deployment.app.name": "podtato", "tries": 2}
    assert before <= span.received_at <= time.time()


def test_spans_exported_by_the_opentelemetry_sdk_arrive():
    with OtlpReceiver() as receiver:
        exporter = OTLPSpanExporter(endpoint=receiver.address, insecure=True)
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        linked = SpanContext(int(LINKED_TRACE.hex(), 16), 0x00f067aa0ba902b8, is_remote=True,
                             trace_flags=TraceFlags(TraceFlags.SAMPLED))
        with provider.get_tracer("test").start_as_current_span("version", links=[OtelLink(linked)]) as root:
            with provider.get_tracer("test").start_as_current_span("phase"):
                pass
        provider.shutdown()
        spans = {span.name: span for span in receiver.spans()}
    root_context = root.get_span_context()
    assert spans["version"].trace_id == f"{root_context.trace_id:032x}" == spans["phase"].trace_id
    assert spans["phase"].parent_span_id == f"{root_context.span_id:016x}"
    assert spans["version"].links == (Link(LINKED_TRACE.hex(), "00f067aa0ba902b8"),)


def test_a_stopped_receiver_refuses_connections():
    receiver = OtlpReceiver().start()
    address = receiver.address
    receiver.stop()
    with grpc.insecure_channel(address) as channel, pytest.raises(grpc.RpcError):
        trace_service_pb2_grpc.TraceServiceStub(channel).Export(_request(), timeout=2)
    assert receiver.spans() == []
