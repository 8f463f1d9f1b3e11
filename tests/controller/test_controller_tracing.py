"""The reference's tracing (contract §10): the trace carrier of a task only while a KeptnConfig names a
collector, and the version's spans, linked to its spanLinks, exported over OTLP/gRPC."""
from __future__ import annotations

import random
import re

from test_controller_exactly_once import DEFINITION, KAV, _cache

from harness.controller.checks import app_context
from harness.controller.context import Key
from harness.controller.lifecycle import Pass
from harness.controller.phase_checks import observe_checks
from harness.controller.reconcile_config import reconcile_config
from harness.controller.tracing import TRACEPARENT, Tracing, new_trace, parse, task_traceparent
from harness.controller.versions import store_pass
from harness.contract.kinds import APP_VERSION, CONFIG, TASK, TASK_DEFINITION
from harness.contract.phases import PROMOTION
from harness.contract.states import KeptnState
from harness.library.otlp_receiver import Link, OtlpReceiver
from fakes.controller_api import FakeApi, context_over

W3C = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")
LINKED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class Processor:
    """Stands for OpenTelemetry's span processor: keeps what it is given, knows when it is shut down."""

    def __init__(self, collector):
        self.collector, self.spans, self.shut = collector, [], False

    def on_end(self, span):
        self.spans.append(span)

    def shutdown(self):
        self.shut = True


def _tracing():
    made = []
    return Tracing(lambda collector: made.append(Processor(collector)) or made[-1]), made


def test_a_task_traceparent_names_the_phase_span_in_the_versions_trace():
    carrier = new_trace(random.Random(1))
    version_trace, version_span = W3C.match(carrier[TRACEPARENT]).groups()
    promotion = W3C.match(task_traceparent(carrier, "PromotionTasks"))
    assert promotion.group(1) == version_trace and promotion.group(2) != version_span
    assert task_traceparent(carrier, "PromotionTasks") == promotion.group(0)  # the same after a restart
    assert task_traceparent(carrier, "AppPostDeployTasks") != promotion.group(0)
    assert task_traceparent(None, "PromotionTasks") is None
    assert task_traceparent({TRACEPARENT: "garbage"}, "PromotionTasks") is None


def test_without_a_traceparent_the_context_has_no_carrier():
    kav = {**KAV, "spec": {**KAV["spec"], "metadata": {"stage": "dev"}}}
    assert app_context(kav, "promotion", None)["metadata"] == {"stage": "dev"}
    assert app_context(kav, "promotion", LINKED)["metadata"] == {"stage": "dev", TRACEPARENT: LINKED}


def _config(kube, ctx, url):
    config = kube.put(CONFIG, {"metadata": {"name": "tracing", "namespace": "demo"}, "spec": {"OTelCollectorUrl": url}})
    ctx.store.upsert(CONFIG, config)
    reconcile_config(ctx, Key("KeptnConfig", "demo", "tracing"))


def test_a_keptn_config_naming_a_collector_turns_tracing_on_and_an_empty_url_off():
    kube = FakeApi()
    ctx = context_over(kube)
    ctx.tracing, made = _tracing()
    _config(kube, ctx, "127.0.0.1:4317")
    assert ctx.tracing.enabled and made[0].collector == "127.0.0.1:4317"
    _config(kube, ctx, "")
    assert not ctx.tracing.enabled and made[0].shut


def _promotion_task(ctx, kube, kav):
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    observed = observe_checks(ctx, kav, APP_VERSION, PROMOTION, {},
                              lambda check_type, traceparent: app_context(kav, check_type, traceparent))
    return ctx.store.get(TASK, "demo", observed.items[0]["name"])


def test_a_promotion_task_carries_the_versions_trace_only_while_tracing_is_configured():
    carrier = new_trace(random.Random(2))
    kav = {**KAV, "spec": {**KAV["spec"], "traceId": carrier}}
    kube = FakeApi()
    ctx = context_over(kube)
    assert TRACEPARENT not in _promotion_task(ctx, kube, kav)["spec"]["context"]["metadata"]

    kube = FakeApi()
    ctx = context_over(kube)
    ctx.tracing, _ = _tracing()
    ctx.tracing.configure("127.0.0.1:4317")
    metadata = _promotion_task(ctx, kube, kav)["spec"]["context"]["metadata"]
    assert metadata[TRACEPARENT] == task_traceparent(carrier, PROMOTION.name)


def _ended_version(kube, carrier, links):
    kav = {"metadata": {"name": "shop-1-6b86b273", "namespace": "demo", "uid": "kav-uid"},
           "spec": {"appName": "shop", "version": "1", "traceId": carrier, "spanLinks": links},
           "status": {"status": "Progressing", "startTime": "2030-01-01T00:00:00Z"}}
    kube.put(APP_VERSION, kav)
    return kav, Pass(status={"status": "Succeeded", "startTime": "2030-01-01T00:00:00Z"},
                     finished=[(PROMOTION.name, KeptnState.SUCCEEDED)])


def test_an_ended_version_sends_its_phase_span_and_its_own_linked_to_its_span_links():
    carrier = new_trace(random.Random(3))
    trace_id, version_span = parse(carrier[TRACEPARENT])
    kube = FakeApi()
    ctx = context_over(kube)
    ctx.tracing, made = _tracing()
    ctx.tracing.configure("127.0.0.1:4317")
    kav, result = _ended_version(kube, carrier, [LINKED, "not a traceparent"])
    store_pass(ctx, APP_VERSION, kav, result, 0.0)
    phase, version = made[0].spans
    assert (phase.name, phase.context.trace_id, phase.parent.span_id) == (PROMOTION.name, int(trace_id, 16),
                                                                         int(version_span, 16))
    assert f"{phase.context.span_id:016x}" == parse(task_traceparent(carrier, PROMOTION.name))[1]
    assert (version.name, version.context.span_id, version.parent) == ("shop-1-6b86b273", int(version_span, 16), None)
    assert [(f"{link.context.trace_id:032x}", f"{link.context.span_id:016x}") for link in version.links] == [
        parse(LINKED)]


def test_without_tracing_an_ended_version_sends_nothing():
    kube = FakeApi()
    ctx = context_over(kube)
    ctx.tracing, made = _tracing()
    kav, result = _ended_version(kube, new_trace(random.Random(4)), [LINKED])
    store_pass(ctx, APP_VERSION, kav, result, 0.0)
    assert made == []


def test_spans_reach_a_real_otlp_receiver_through_the_sdk_exporter():
    carrier = new_trace(random.Random(5))
    trace_id, version_span = parse(carrier[TRACEPARENT])
    with OtlpReceiver() as receiver:
        tracing = Tracing()
        tracing.configure(receiver.address)
        tracing.export_version("shop-1", carrier, [LINKED], None, False, {"keptn.deployment.app.name": "shop"})
        tracing.shutdown()  # flushes
        (span,) = receiver.spans()
    assert (span.trace_id, span.span_id, span.name) == (trace_id, version_span, "shop-1")
    assert span.links == (Link(*parse(LINKED)),)
    assert span.attributes == {"keptn.deployment.app.name": "shop"}
