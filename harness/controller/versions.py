"""Storing one lifecycle pass of a KeptnAppVersion or KeptnWorkloadVersion, then announcing it."""
from __future__ import annotations

from harness.controller.context import Context
from harness.contract.kinds import APP_VERSION, Kind
from harness.contract.states import KeptnState
from harness.contract.timestamps import parse_time
from harness.controller.lifecycle import TERMINAL, Pass


def store_pass(ctx: Context, kind: Kind, version: dict, result: Pass, began: float) -> None:
    """Write the new status (conditional on the resourceVersion the pass read, so a pass computed
    from a stale cache fails with 409 and runs again), then send the events, time the phases
    (`began`: time.monotonic when the pass began) and trace them."""
    meta = version["metadata"]
    was = KeptnState.of((version.get("status") or {}).get("status"))
    if result.status != (version.get("status") or {}):
        written = ctx.kube.patch_status(kind, meta["namespace"], meta["name"],
                                        {"metadata": {"resourceVersion": meta["resourceVersion"]},
                                         "status": result.status})
        ctx.store.upsert(kind, written)
    for phase in result.started:
        ctx.phase_clock.started(meta["uid"], phase, began)
    for phase, state in result.finished:
        ctx.phase_clock.finished(meta["uid"], phase, state.value)
    for event_type, reason, message in result.events:
        ctx.events.emit(version, kind, event_type, reason, message)
    if ctx.tracing.enabled:
        trace_pass(ctx, kind, version, result, ended=was not in TERMINAL)


def trace_pass(ctx: Context, kind: Kind, version: dict, result: Pass, ended: bool) -> None:
    """contract §10: the span of each phase that ended in this pass, and the version's span when
    the version ended in it (`ended`: it had not before)."""
    meta, spec = version["metadata"], version["spec"]
    carrier, attributes = spec.get("traceId"), _attributes(kind, version)
    for phase in result.started:
        ctx.tracing.phase_began(meta["uid"], phase)
    for phase, state in result.finished:
        ctx.tracing.export_phase(meta["uid"], carrier, phase, state == KeptnState.FAILED, attributes)
    state = KeptnState.of(result.status.get("status"))
    if ended and state in TERMINAL:
        start = result.status.get("startTime")
        ctx.tracing.export_version(meta["name"], carrier, spec.get("spanLinks") or [],
                                   parse_time(start) if start else None, state != KeptnState.SUCCEEDED, attributes)


def _attributes(kind: Kind, version: dict) -> dict[str, str]:
    spec, namespace = version["spec"], version["metadata"]["namespace"]
    if kind == APP_VERSION:
        return {"keptn.deployment.app.name": spec["appName"], "keptn.deployment.app.version": spec["version"],
                "keptn.deployment.app.namespace": namespace}
    return {"keptn.deployment.app.name": spec["app"], "keptn.deployment.workload.name": spec["workloadName"],
            "keptn.deployment.workload.version": spec["version"], "keptn.deployment.workload.namespace": namespace}
