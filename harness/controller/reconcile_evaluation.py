"""KeptnEvaluation: check the objectives against KeptnMetric values, retry on a timer.

The retry interval is one of the two timers that drive progress (the other is the deploy
timeout), both delayed requeues. A change of a KeptnMetric wakes the evaluation at once: a pass
then ends it early, while a failure only counts when the next try is due, so metric updates
never use up retries. The due time lives in memory; after a restart the next try is immediate.
"""
from __future__ import annotations

import time

from harness.controller.context import Context, Key
from harness.controller.definitions import DefinitionError, retry_interval_seconds
from harness.controller.evaluation import Attempt, ObjectiveResult, after_attempt, check_objectives
from harness.controller.events import NORMAL, WARNING
from harness.contract.kinds import EVALUATION, EVALUATION_DEFINITION, METRIC
from harness.contract.states import KeptnState
from harness.contract.timestamps import now_text
from harness.controller.triggers import controller_of, wake_now


def reconcile_evaluation(ctx: Context, key: Key) -> float | None:
    evaluation = ctx.store.get(EVALUATION, key.namespace, key.name)
    status = (evaluation or {}).get("status") or {}
    if evaluation is None or KeptnState.of(status.get("overallStatus")).completed:
        ctx.next_try.pop(key, None)
        return None
    attempt, interval = _try(ctx, evaluation)
    due = ctx.next_try.get(key)
    now = time.monotonic()
    if not attempt.passed and not attempt.invalid and due is not None and now < due:
        return due - now
    state, retry_count = after_attempt(attempt, status.get("retryCount", 0), evaluation["spec"].get("retries", 10))
    new_status = {
        "overallStatus": state.value,
        "retryCount": retry_count,
        "evaluationStatus": {r.metric: {"value": r.value, "status": KeptnState.SUCCEEDED.value if r.passed
                                        else KeptnState.FAILED.value, "message": r.message} for r in attempt.results},
        "startTime": status.get("startTime") or now_text(),
    }
    if attempt.invalid:
        new_status["evaluationStatus"][evaluation["spec"]["evaluationDefinition"]] = {
            "value": "", "status": KeptnState.FAILED.value, "message": attempt.invalid}
    failed = "; ".join(f"{r.metric}: {r.message}" for r in attempt.results if not r.passed) or attempt.invalid or ""
    if state.completed:
        new_status["endTime"] = now_text()
        ctx.next_try.pop(key, None)
    else:
        ctx.next_try[key] = now + interval
    meta = evaluation["metadata"]
    written = ctx.kube.patch_status(EVALUATION, key.namespace, key.name,
                                    {"metadata": {"resourceVersion": meta["resourceVersion"]}, "status": new_status})
    ctx.store.upsert(EVALUATION, written)
    if state.completed:
        wake_now(ctx, controller_of(evaluation))
    if state == KeptnState.SUCCEEDED:
        ctx.events.emit(evaluation, EVALUATION, NORMAL, "EvaluationSucceeded", "every objective is met")
    elif state == KeptnState.FAILED:
        ctx.events.emit(evaluation, EVALUATION, WARNING, "EvaluationFailed", f"after try {retry_count}: {failed}")
    else:
        ctx.events.emit(evaluation, EVALUATION, WARNING, "EvaluationRetry",
                        f"try {retry_count} of {evaluation['spec'].get('retries', 10)} failed, next in {interval:g}s: {failed}")
        return interval
    return None


def _try(ctx: Context, evaluation: dict) -> tuple[Attempt, float]:
    """One try, and the retry interval. A missing definition is a failed try naming it; an
    unusable retryInterval or target makes the attempt invalid."""
    namespace, spec = evaluation["metadata"]["namespace"], evaluation["spec"]
    name = spec["evaluationDefinition"]
    try:
        interval = retry_interval_seconds(evaluation, "KeptnEvaluation")
    except DefinitionError as error:
        return Attempt((), invalid=str(error)), 0.0
    definition = ctx.store.get(EVALUATION_DEFINITION, namespace, name)
    if definition is None:
        message = f'KeptnEvaluationDefinition "{name}" not found in namespace "{namespace}" (spec.evaluationDefinition)'
        return Attempt((ObjectiveResult(name, "", False, message),)), interval
    return check_objectives(definition, namespace, lambda ns, metric: ctx.store.get(METRIC, ns, metric)), interval
