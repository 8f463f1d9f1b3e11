"""Breaks contract §9 "A version reaches the next stage once per stage boundary also when the implementation is killed at random moments" (C9.2): a process started after a kill leaves alone every app version that was already on its way.

An app version created before this process started and not completed yet is never moved on: the
versions a killed process was taking through their phases stop where they were, and never promote.
Versions created after the start run as before, so a process that is never killed is the reference.
"""
from datetime import datetime, timezone

from harness.contract.kinds import APP_VERSION
from harness.contract.states import KeptnState
from harness.controller import manager
from mutants.compose import wrap


def only_versions_created_since_start(reconcile):
    started = datetime.now(timezone.utc)

    def reconciled(ctx, key):
        version = ctx.store.get(APP_VERSION, key.namespace, key.name)
        if version is not None:
            created = datetime.fromisoformat(version["metadata"]["creationTimestamp"].replace("Z", "+00:00"))
            state = KeptnState.of((version.get("status") or {}).get("status"))
            if (started - created).total_seconds() > 1 and not state.completed:
                return None
        return reconcile(ctx, key)
    return reconciled


def install() -> None:
    wrap(manager.RECONCILERS, APP_VERSION.kind, only_versions_created_since_start)
