"""The §10 judges (harness/judges/tracing.py) refuse what breaks C10.1 and C10.2."""
from __future__ import annotations

import pytest

from harness.eventually import NotYet, WaitTimedOut
from harness.judges import tracing
from harness.library.otlp_receiver import Link, ReceivedSpan

DEV = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
STAGING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
STAGING_TRACE, STAGING_PHASE = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
DEV_LINK = Link("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")


def _task(name, metadata):
    return {"metadata": {"name": name}, "spec": {"context": {"metadata": metadata}}}


def _span(trace=STAGING_TRACE, span=STAGING_PHASE, links=()):
    return ReceivedSpan(trace, span, "", "PromotionTasks", tuple(links), {}, 0.0)


class Receiver:
    def __init__(self, spans):
        self._spans = spans

    def spans(self):
        return self._spans


def test_tasks_carrying_one_trace_pass():
    tasks = [_task("a", {"stage": "dev", "traceparent": STAGING}),
             _task("b", {"traceparent": f"00-{STAGING_TRACE}-1111111111111111-01"})]
    assert tracing.tasks_carry_one_trace("v", tasks) == STAGING


@pytest.mark.parametrize("tasks, says", [
    ([], "no promotion KeptnTask"),
    ([_task("a", {"stage": "dev"})], r"spec.context.metadata has no traceparent .* \['stage'\]"),
    ([_task("a", {"traceparent": ""})], "is not a W3C traceparent"),
    ([_task("a", {"traceparent": f"00-{'0' * 32}-b7ad6b7169203331-01"})], "is not a W3C traceparent"),
    ([_task("a", {"traceparent": STAGING}), _task("b", {"traceparent": DEV})], "carry 2 traces"),
])
def test_a_task_without_the_versions_one_trace_is_refused(tasks, says):
    with pytest.raises(AssertionError, match=says):
        tracing.tasks_carry_one_trace("v", tasks)


def test_the_span_a_traceparent_names_must_be_received():
    assert tracing.span_named_by([_span()], STAGING).span_id == STAGING_PHASE
    with pytest.raises(NotYet, match=r"no span .* of that trace: .*aaaaaaaaaaaaaaaa"):
        tracing.span_named_by([_span(span="aaaaaaaaaaaaaaaa")], STAGING)
    with pytest.raises(WaitTimedOut, match="timed out"):
        tracing.receiver_gets_span_named_by(Receiver([]), STAGING, timeout=0.3)


def test_a_trace_must_link_to_the_exact_span_of_its_span_link():
    assert tracing.trace_links_to([_span(links=[DEV_LINK])], STAGING, DEV).links == (DEV_LINK,)
    with pytest.raises(NotYet, match="no span of trace .* links to"):
        tracing.trace_links_to([_span()], STAGING, DEV)  # spans without links
    with pytest.raises(NotYet, match="no span of trace"):
        tracing.trace_links_to([_span(links=[Link(DEV_LINK.trace_id, "1111111111111111")])], STAGING, DEV)
    with pytest.raises(NotYet, match="none received"):
        tracing.trace_links_to([_span(trace="1" * 32, links=[DEV_LINK])], STAGING, DEV)  # another trace links
    with pytest.raises(AssertionError, match="is the trace of its span link"):
        tracing.trace_links_to([_span(links=[DEV_LINK])], STAGING, f"00-{STAGING_TRACE}-00f067aa0ba902b7-01")
    with pytest.raises(WaitTimedOut, match="linking to"):
        tracing.receiver_gets_link(Receiver([_span()]), STAGING, DEV, timeout=0.3)
