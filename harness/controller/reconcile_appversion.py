"""KeptnAppVersion: phases 1–6 of contract §3, one pass per reconcile."""
from __future__ import annotations

import time

from harness.controller.checks import app_context
from harness.controller.context import Context, Key
from harness.contract.kinds import APP_VERSION, WORKLOAD_VERSION
from harness.controller.lifecycle import Notice, Observation, advance
from harness.controller.metrics import count_promotion
from harness.controller.naming import workload_name, workload_version_name
from harness.controller.phase_checks import follow_checks, observe_checks
from harness.contract.phases import PROMOTION, Phase, Runs, app_phases
from harness.contract.states import KeptnState
from harness.contract.timestamps import now_text
from harness.controller.versions import store_pass


def reconcile_app_version(ctx: Context, key: Key) -> float | None:
    version = ctx.store.get(APP_VERSION, key.namespace, key.name)
    if version is None or version["metadata"].get("deletionTimestamp"):
        return None

    def observe(phase: Phase, status: dict) -> Observation:
        if phase.runs == Runs.WORKLOADS:
            return observe_workloads(ctx, version)
        return observe_checks(ctx, version, APP_VERSION, phase, status,
                              lambda check_type, traceparent: app_context(version, check_type, traceparent))

    began = time.monotonic()
    result = advance(version.get("status") or {}, app_phases(ctx.settings.promotion_enabled), observe,
                     ctx.options.block_deployment, now_text(),
                     follow=lambda phase, status: follow_checks(ctx, version, APP_VERSION, phase, status))
    store_pass(ctx, APP_VERSION, version, result, began)
    if any(phase == PROMOTION.name for phase, _ in result.finished):
        count_promotion(version["spec"]["appName"], key.namespace)
    return result.requeue_after


def observe_workloads(ctx: Context, version: dict) -> Observation:
    """Phase 3, AppDeploy: one `workloadStatus` item per listed workload, from its
    KeptnWorkloadVersion `<app>-<workload>-<version>` (Pending while it does not exist)."""
    namespace, app = version["metadata"]["namespace"], version["spec"]["appName"]
    workloads = version["spec"].get("workloads") or []
    items, notices, failures = [], [], []
    for index, workload in enumerate(workloads):
        name = workload_version_name(workload_name(app, workload["name"]), workload["version"])
        found = ctx.store.get(WORKLOAD_VERSION, namespace, name)
        status = (found or {}).get("status") or {}
        state = KeptnState.of(status.get("status"))
        items.append({"workload": {"name": workload["name"], "version": workload["version"]}, "status": state.value})
        if found is None:
            notices.append(Notice(f'waiting for KeptnWorkloadVersion "{name}" (spec.workloads[{index}]); it is '
                                  "created from a Deployment carrying that app, workload and version"))
        elif state in (KeptnState.FAILED, KeptnState.DEPRECATED):
            failures.append(f'KeptnWorkloadVersion "{name}" {state.value}'
                            + (f': {status["message"]}' if status.get("message") else ""))
        elif not state.completed and status.get("message"):
            notices.append(Notice(f'KeptnWorkloadVersion "{name}": {status["message"]}'))  # why it waits
    return Observation(states=[KeptnState.of(i["status"]) for i in items], listed=len(workloads), items=items,
                       notices=notices, failures=failures)
