"""KeptnWorkloadVersion: the workload phases (tasks, evaluations, deployment), one pass per reconcile."""
from __future__ import annotations

import time

from harness.controller.checks import workload_context
from harness.controller.context import Context, Key
from harness.controller.deployments import rolled_out_at
from harness.contract.kinds import DEPLOYMENT, WORKLOAD_VERSION
from harness.controller.lifecycle import Notice, Observation, advance
from harness.controller.phase_checks import follow_checks, observe_checks
from harness.contract.phases import WORKLOAD_PHASES, Phase, Runs
from harness.contract.states import KeptnState
from harness.contract.timestamps import now, now_text, parse_time
from harness.controller.versions import store_pass

# The deploy phase keeps a standard condition; its lastTransitionTime is when the phase began
# waiting, so the observabilityTimeout survives controller restarts.
DEPLOYED_CONDITION = "DeploymentAvailable"


def reconcile_workload_version(ctx: Context, key: Key) -> float | None:
    version = ctx.store.get(WORKLOAD_VERSION, key.namespace, key.name)
    if version is None or version["metadata"].get("deletionTimestamp"):
        return None

    def observe(phase: Phase, status: dict) -> Observation:
        if phase.runs == Runs.DEPLOYMENT:
            return observe_deployment(ctx, version, status)
        return observe_checks(ctx, version, WORKLOAD_VERSION, phase, status,
                              lambda check_type, traceparent: workload_context(version, check_type, traceparent))

    began = time.monotonic()
    result = advance(version.get("status") or {}, WORKLOAD_PHASES, observe, ctx.options.block_deployment, now_text(),
                     follow=lambda phase, status: follow_checks(ctx, version, WORKLOAD_VERSION, phase, status))
    store_pass(ctx, WORKLOAD_VERSION, version, result, began)
    return result.requeue_after


def observe_deployment(ctx: Context, version: dict, status: dict) -> Observation:
    """contract §2: succeeds when the Deployment is Available at the version, fails after the
    KeptnConfig's observabilityTimeout (a delayed requeue, not polling)."""
    spec, namespace = version["spec"], version["metadata"]["namespace"]
    reference = spec["resourceReference"]
    deployment = ctx.store.get(DEPLOYMENT, namespace, reference["name"])
    current = deployment is not None and deployment["metadata"]["uid"] == reference["uid"]
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != DEPLOYED_CONDITION]
    previous = next((c for c in status.get("conditions") or [] if c.get("type") == DEPLOYED_CONDITION), None)
    waiting_since = parse_time(previous["lastTransitionTime"]) if previous else now()
    describe = f'Deployment "{reference["name"]}" at version "{spec["version"]}"'

    if current and rolled_out_at(deployment, spec["version"]):
        condition = _condition("True", "Available", f"{describe} is Available", previous)
        return Observation([KeptnState.SUCCEEDED], 1, status_updates={"conditions": [*conditions, condition]})
    timeout = ctx.options.observability_timeout
    left = timeout - (now() - waiting_since).total_seconds()
    if left <= 0:
        why = f"{describe} not Available within the observabilityTimeout of {timeout:g}s"
        condition = _condition("False", "ObservabilityTimeout", why, previous)
        return Observation([KeptnState.FAILED], 1, failures=[why], status_updates={"conditions": [*conditions, condition]})
    why = f"waiting for {describe} to be Available" + ("" if current else " (no such Deployment yet)")
    condition = _condition("False", "WaitingForRollout", why, previous)
    return Observation([KeptnState.PROGRESSING], 1, notices=[Notice(why)], requeue_after=left,
                       status_updates={"conditions": [*conditions, condition]})


def _condition(state: str, reason: str, message: str, previous: dict | None) -> dict:
    unchanged = previous is not None and previous.get("status") == state
    return {"type": DEPLOYED_CONDITION, "status": state, "reason": reason, "message": message,
            "lastTransitionTime": previous["lastTransitionTime"] if unchanged else now_text()}
