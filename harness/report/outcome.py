"""What one conformance scenario ended with: the unit every report is built from."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

# passed, failed; skipped: left out on request (--features, --scenarios, --skip); unsupported: its
# feature is not claimed; notApplicable: the run's provider cannot do what it needs; notRun: claimed,
# selected and applicable, yet it could not run (a skip at run time: the run is not a success).
Status = Literal["passed", "failed", "skipped", "unsupported", "notApplicable", "notRun"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "skipped", "unsupported", "notApplicable", "notRun")
REASON_LIMIT = 300  # characters of a failure or skip reason kept in the report


@dataclass(frozen=True)
class Outcome:
    id: str  # the stable scenario ID (@id:...), plus "[example]" for each example of an outline
    feature: str  # the conformance feature (@feature:...)
    profile: str  # core or extended
    status: Status
    reason: str  # why it failed or was skipped; empty when it passed
    duration: float  # seconds, setup + call + teardown
    nodeid: str  # pytest's node ID, to find the test
    # What the scenario saw of the cluster, reported beside the verdict and never in it (e.g. a Job
    # the Job controller gave two pods).
    observations: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"Outcome {self.id}: status {self.status!r} is not one of {', '.join(STATUSES)}")

    def as_dict(self) -> dict:
        return asdict(self)


def short_reason(message: str) -> str:
    """The first non-empty line of a message, without a bare `AssertionError: ` prefix, cut to REASON_LIMIT."""
    line = next((line.strip() for line in message.splitlines() if line.strip()), "")
    line = line.removeprefix("AssertionError: ")
    return line if len(line) <= REASON_LIMIT else line[: REASON_LIMIT - 1] + "…"


def reason_apart_from(scenario_id: str, reason: str) -> str:
    """A reason without the scenario's own ID in it (`X not selected (--features)` → `not selected
    (--features)`), for lists where the ID stands beside it or many share the same reason."""
    return reason.replace(scenario_id, "").strip()
