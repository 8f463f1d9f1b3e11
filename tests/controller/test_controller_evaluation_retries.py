"""KeptnEvaluation reconcile: a metric change ends an evaluation early, but only a due try counts
against `retries` (contract §1 retries/retryInterval; contract §6 event-driven)."""
from __future__ import annotations

from harness.controller.context import Context, Key
from harness.contract.kinds import EVALUATION, EVALUATION_DEFINITION, METRIC
from harness.controller.queue import WorkQueue
from harness.controller.reconcile_evaluation import reconcile_evaluation
from harness.controller.settings import parse_settings
from harness.controller.store import Store

KEY = Key("KeptnEvaluation", "demo", "post-eval-quality-12345")


class StatusWrites:
    """The API as far as the evaluation reconciler uses it: status patches."""

    def __init__(self, store: Store):
        self.store, self.writes = store, []

    def patch_status(self, kind, namespace, name, patch):
        current = self.store.get(kind, namespace, name)
        assert patch["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"]
        self.writes.append(patch["status"])
        version = str(int(current["metadata"]["resourceVersion"]) + 1)
        return {**current, "metadata": {**current["metadata"], "resourceVersion": version}, "status": patch["status"]}


class Events:
    def __init__(self):
        self.reasons = []

    def emit(self, obj, kind, event_type, reason, message):
        self.reasons.append(reason)


def _context(target="<500", retries=3, interval="1h") -> Context:
    store = Store()
    store.upsert(EVALUATION_DEFINITION, {"metadata": {"name": "quality", "namespace": "demo", "resourceVersion": "1"},
                                         "spec": {"objectives": [{"keptnMetricRef": {"name": "latency"},
                                                                  "evaluationTarget": target}]}})
    store.upsert(EVALUATION, {"metadata": {"name": KEY.name, "namespace": "demo", "resourceVersion": "1"},
                              "spec": {"evaluationDefinition": "quality", "retries": retries, "retryInterval": interval}})
    return Context(kube=StatusWrites(store), store=store, queue=WorkQueue(), events=Events(),
                   settings=parse_settings([], {}))


def _metric(ctx, value):
    ctx.store.upsert(METRIC, {"metadata": {"name": "latency", "namespace": "demo", "resourceVersion": "1"},
                              "status": {"value": value}})


def test_a_failed_try_counts_and_schedules_the_next_one():
    ctx = _context()
    assert reconcile_evaluation(ctx, KEY) == 3600
    assert ctx.kube.writes[-1]["retryCount"] == 1 and ctx.kube.writes[-1]["overallStatus"] == "Progressing"
    assert ctx.kube.writes[-1]["evaluationStatus"]["latency"]["message"] == (
        'KeptnMetric "latency" in namespace "demo" not found')
    assert ctx.events.reasons == ["EvaluationRetry"]


def test_an_early_wake_up_that_still_fails_does_not_use_up_a_retry():
    ctx = _context()
    reconcile_evaluation(ctx, KEY)
    _metric(ctx, "900")  # the metric changed, but still misses the target
    remaining = reconcile_evaluation(ctx, KEY)
    assert 0 < remaining <= 3600 and len(ctx.kube.writes) == 1


def test_a_metric_change_that_meets_the_target_ends_the_evaluation_at_once():
    ctx = _context()
    reconcile_evaluation(ctx, KEY)
    _metric(ctx, "120")
    assert reconcile_evaluation(ctx, KEY) is None
    final = ctx.kube.writes[-1]
    assert (final["overallStatus"], final["retryCount"], final["evaluationStatus"]["latency"]["value"]) == (
        "Succeeded", 1, "120")
    assert "endTime" in final and ctx.events.reasons[-1] == "EvaluationSucceeded"


def test_the_last_due_try_fails_the_evaluation():
    ctx = _context(retries=2, interval="0s")
    reconcile_evaluation(ctx, KEY)
    assert reconcile_evaluation(ctx, KEY) is None
    assert (ctx.kube.writes[-1]["overallStatus"], ctx.kube.writes[-1]["retryCount"]) == ("Failed", 2)
    assert ctx.events.reasons == ["EvaluationRetry", "EvaluationFailed"]


def test_an_unparsable_target_fails_at_once_naming_the_field():
    ctx = _context(target="fast enough")
    _metric(ctx, "1")
    assert reconcile_evaluation(ctx, KEY) is None
    final = ctx.kube.writes[-1]
    assert (final["overallStatus"], final["retryCount"]) == ("Failed", 0)
    assert final["evaluationStatus"]["quality"]["message"].startswith(
        'KeptnEvaluationDefinition "quality" spec.objectives[0].evaluationTarget: "fast enough" is not an evaluation target')


def test_a_finished_evaluation_is_left_alone():
    ctx = _context()
    ctx.store.upsert(EVALUATION, {**ctx.store.get(EVALUATION, "demo", KEY.name), "status": {"overallStatus": "Failed"}})
    assert reconcile_evaluation(ctx, KEY) is None and ctx.kube.writes == []
