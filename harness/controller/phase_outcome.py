"""What a phase's aggregated state means for the lifecycle: contract §4, blocking and non-blocking."""
from __future__ import annotations

from dataclasses import dataclass

from harness.contract.phases import Phase, deprecated_by_failure
from harness.contract.states import KeptnState


@dataclass(frozen=True)
class Outcome:
    state: KeptnState  # what the phase's status field records
    deprecate: tuple[str, ...] = ()  # later status fields set to Deprecated
    version_failed: bool = False  # status.status becomes Failed, the lifecycle stops
    proceed: bool = False  # the next phase starts in the same pass


def settle(phases: tuple[Phase, ...], phase: Phase, aggregated: KeptnState, block_deployment: bool) -> Outcome:
    """contract §4: a failed phase either stops the version (blocking) or ends Warning and lets the
    lifecycle go on (non-blocking, task and evaluation phases only)."""
    if aggregated == KeptnState.FAILED:
        if phase.may_warn and not block_deployment:
            return Outcome(KeptnState.WARNING, proceed=True)
        return Outcome(KeptnState.FAILED, deprecate=deprecated_by_failure(phases, phase), version_failed=True)
    if aggregated == KeptnState.SUCCEEDED:
        return Outcome(KeptnState.SUCCEEDED, proceed=True)
    return Outcome(aggregated)
