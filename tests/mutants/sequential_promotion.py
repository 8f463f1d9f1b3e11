"""Breaks contract §5 "All KeptnTasks of a phase are created in the same reconcile pass": promotion tasks run one after another.

The promotion phase creates its next KeptnTask only once every earlier one has completed.
"""
from harness.contract.phases import PROMOTION
from harness.contract.states import KeptnState
from harness.controller import phase_checks
from mutants.compose import wrap


def one_at_a_time(create_missing):
    def create(view, definitions, existing, context_of):
        if view.phase == PROMOTION:
            running = [t for t in existing.values() if not KeptnState.of((t.get("status") or {}).get("status")).completed]
            definitions = [] if running else definitions[:1]
        return create_missing(view, definitions, existing, context_of) if definitions else []
    return create


def install() -> None:
    wrap(phase_checks, "_create_missing", one_at_a_time)
