"""§10 Tracing: the trace carrier of a promotion task (C10.1) and the spans the OTLP receiver got (C10.2).

Judged from the KeptnTask objects and from what the receiver (harness/library/otlp_receiver.py)
recorded, never from the implementation's logs: a span is the version's when it belongs to the
trace its tasks carry, and a link counts when it names the exact trace and span of a `traceparent`.
"""
from __future__ import annotations

import re
from typing import Protocol

from harness.eventually import NotYet, eventually
from harness.library.otlp_receiver import Link, ReceivedSpan
from harness.timeouts import TIMEOUTS

TRACEPARENT = "traceparent"
_W3C = re.compile(r"^00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-[0-9a-f]{2}$")


class Receiver(Protocol):
    def spans(self) -> list[ReceivedSpan]: ...


def trace_of(traceparent: str) -> Link:
    """(trace id, span id) of a W3C `traceparent` (version 00, ids not all zero)."""
    match = _W3C.match(traceparent)
    if not match:
        raise AssertionError(f"{traceparent!r} is not a W3C traceparent "
                             "(00-<32 hex trace id>-<16 hex span id>-<2 hex flags>)")
    return Link(match.group(1), match.group(2))


def tasks_carry_one_trace(version: str, tasks: list[dict]) -> str:
    """C10.1: every promotion task of the version carries a W3C `traceparent` in
    `spec.context.metadata`, all of one trace (the version's); returns the first task's."""
    if not tasks:
        raise AssertionError(f"KeptnAppVersion {version}: no promotion KeptnTask to read a trace carrier from")
    carriers = {}
    for task in tasks:
        name = task["metadata"]["name"]
        metadata = ((task.get("spec") or {}).get("context") or {}).get("metadata") or {}
        if TRACEPARENT not in metadata:
            raise AssertionError(f"KeptnTask {name} of {version}: spec.context.metadata has no {TRACEPARENT} although "
                                 f"tracing is configured; it holds {sorted(metadata)}")
        try:
            carriers[name] = trace_of(metadata[TRACEPARENT])
        except AssertionError as error:
            raise AssertionError(f"KeptnTask {name} of {version}: spec.context.metadata.{TRACEPARENT}: {error}") from None
    traces = {link.trace_id for link in carriers.values()}
    if len(traces) != 1:
        raise AssertionError(f"the promotion KeptnTasks of {version} carry {len(traces)} traces, not their version's one: "
                             + ", ".join(f"{name}: {link.trace_id}" for name, link in sorted(carriers.items())))
    return tasks[0]["spec"]["context"]["metadata"][TRACEPARENT]


def span_named_by(spans: list[ReceivedSpan], traceparent: str) -> ReceivedSpan:
    """C10.2: the span a task's `traceparent` names (its trace and span id) was received."""
    wanted = trace_of(traceparent)
    for span in spans:
        if (span.trace_id, span.span_id) == (wanted.trace_id, wanted.span_id):
            return span
    of_trace = [span.describe() for span in spans if span.trace_id == wanted.trace_id]
    raise NotYet(f"the collector got no span {wanted.trace_id}/{wanted.span_id} (named by {traceparent}); of that trace: "
                 f"{'; '.join(of_trace) or 'none'} ({len(spans)} spans received in all)")


def trace_links_to(spans: list[ReceivedSpan], traceparent: str, linked: str) -> ReceivedSpan:
    """C10.2: a span of the trace `traceparent` belongs to links to the exact trace and span of
    `linked` (a `spanLinks` entry), and that trace is not the linked one (linked, not joined)."""
    own, target = trace_of(traceparent), trace_of(linked)
    if own.trace_id == target.trace_id:
        raise AssertionError(f"the version's trace {own.trace_id} is the trace of its span link {linked}: "
                             "it should be a trace of its own that links to it")
    of_trace = [span for span in spans if span.trace_id == own.trace_id]
    for span in of_trace:
        if target in span.links:
            return span
    raise NotYet(f"no span of trace {own.trace_id} links to {target.trace_id}/{target.span_id} (spanLinks {linked}); "
                 f"its spans: {'; '.join(s.describe() for s in of_trace) or 'none received'}")


def receiver_gets_span_named_by(receiver: Receiver, traceparent: str, timeout: float | None = None) -> ReceivedSpan:
    return eventually(lambda: span_named_by(receiver.spans(), traceparent),
                      f"the span of {traceparent} at the OTLP receiver", TIMEOUTS.object_state if timeout is None else timeout)


def receiver_gets_link(receiver: Receiver, traceparent: str, linked: str, timeout: float | None = None) -> ReceivedSpan:
    return eventually(lambda: trace_links_to(receiver.spans(), traceparent, linked),
                      f"a span of the trace of {traceparent} linking to {linked} at the OTLP receiver",
                      TIMEOUTS.object_state if timeout is None else timeout)
