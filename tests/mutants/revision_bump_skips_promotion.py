"""Breaks contract §2 "For each KeptnApp generation the controller creates one KeptnAppVersion" (each runs its own lifecycle, promotion included): a revision bump does not run promotion again.

Promotion is remembered per app name and version: a KeptnAppVersion whose app and version were
promoted before, by an earlier revision, passes its promotion phase with nothing to run.
"""
from harness.contract.kinds import TASK
from harness.contract.phases import PROMOTION
from harness.controller import reconcile_appversion
from harness.controller.lifecycle import Observation
from mutants.compose import wrap


def promoted_once_per_version(observe_checks):
    def observe(ctx, version, version_kind, phase, status, context_of):
        if phase == PROMOTION and _promoted_before(ctx, version):
            return Observation(states=[], listed=0, items=[])
        return observe_checks(ctx, version, version_kind, phase, status, context_of)
    return observe


def _promoted_before(ctx, version: dict) -> bool:
    spec, uid = version["spec"], version["metadata"]["uid"]

    def earlier_promotion(task: dict) -> bool:
        context = task["spec"].get("context") or {}
        owners = {ref.get("uid") for ref in task["metadata"].get("ownerReferences") or []}
        return (task["spec"].get("checkType") == PROMOTION.check_type and uid not in owners
                and (context.get("appName"), context.get("appVersion")) == (spec["appName"], spec["version"]))

    return bool(ctx.store.list(TASK, version["metadata"]["namespace"], earlier_promotion))


def install() -> None:
    wrap(reconcile_appversion, "observe_checks", promoted_once_per_version)
