"""Storing one lifecycle pass of a KeptnAppVersion or KeptnWorkloadVersion, then announcing it."""
from __future__ import annotations

from harness.controller.context import Context
from harness.contract.kinds import Kind
from harness.controller.lifecycle import Pass


def store_pass(ctx: Context, kind: Kind, version: dict, result: Pass, began: float) -> None:
    """Write the new status (conditional on the resourceVersion the pass read, so a pass computed
    from a stale cache fails with 409 and runs again), then send the events and time the phases
    (`began`: time.monotonic when the pass began)."""
    meta = version["metadata"]
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
