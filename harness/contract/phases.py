"""The phase tables of contract §3 (app) and of the workload lifecycle, and the failure table of §4.

Each table is written once, here, as data; the reference's lifecycle loop
(`harness/controller/lifecycle.py`) walks it in order.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from harness.contract.states import CheckType

COMPLETED = "Completed"
"""`status.currentPhase` once every phase passed."""


class Runs(StrEnum):
    """What a phase waits for."""

    TASKS = "tasks"  # KeptnTasks, one per listed KeptnTaskDefinition
    EVALUATIONS = "evaluations"  # KeptnEvaluations, one per listed KeptnEvaluationDefinition
    WORKLOADS = "workloads"  # the app's KeptnWorkloadVersions
    DEPLOYMENT = "deployment"  # the workload's Deployment becoming Available


@dataclass(frozen=True)
class Phase:
    number: int
    name: str  # status.currentPhase while it runs
    runs: Runs
    check_type: CheckType | None
    status_field: str
    items_field: str | None
    list_field: str | None  # the spec field listing what the phase runs

    @property
    def may_warn(self) -> bool:
        """contract §4: in non-blocking mode a failed task or evaluation phase ends Warning;
        deployment failures stay blocking."""
        return self.runs in (Runs.TASKS, Runs.EVALUATIONS)


# contract §3, row for row: number, currentPhase, runs, check type, status field, item list, spec list.
APP_PHASES: tuple[Phase, ...] = (
    Phase(1, "AppPreDeployTasks", Runs.TASKS, CheckType.PRE,
          "preDeploymentStatus", "preDeploymentTaskStatus", "preDeploymentTasks"),
    Phase(2, "AppPreDeployEvaluations", Runs.EVALUATIONS, CheckType.PRE_EVAL,
          "preDeploymentEvaluationStatus", "preDeploymentEvaluationTaskStatus", "preDeploymentEvaluations"),
    Phase(3, "AppDeploy", Runs.WORKLOADS, None,
          "workloadOverallStatus", "workloadStatus", "workloads"),
    Phase(4, "AppPostDeployTasks", Runs.TASKS, CheckType.POST,
          "postDeploymentStatus", "postDeploymentTaskStatus", "postDeploymentTasks"),
    Phase(5, "AppPostDeployEvaluations", Runs.EVALUATIONS, CheckType.POST_EVAL,
          "postDeploymentEvaluationStatus", "postDeploymentEvaluationTaskStatus", "postDeploymentEvaluations"),
    Phase(6, "PromotionTasks", Runs.TASKS, CheckType.PROMOTION,
          "promotionStatus", "promotionTaskStatus", "promotionTasks"),
)
PROMOTION = APP_PHASES[-1]

# The KeptnWorkloadVersion runs the same machinery without promotion (contract §1), with Keptn's
# workload phase names; its deploy phase has no item list.
WORKLOAD_PHASES: tuple[Phase, ...] = (
    Phase(1, "WorkloadPreDeployTasks", Runs.TASKS, CheckType.PRE,
          "preDeploymentStatus", "preDeploymentTaskStatus", "preDeploymentTasks"),
    Phase(2, "WorkloadPreDeployEvaluations", Runs.EVALUATIONS, CheckType.PRE_EVAL,
          "preDeploymentEvaluationStatus", "preDeploymentEvaluationTaskStatus", "preDeploymentEvaluations"),
    Phase(3, "WorkloadDeploy", Runs.DEPLOYMENT, None,
          "deploymentStatus", None, None),
    Phase(4, "WorkloadPostDeployTasks", Runs.TASKS, CheckType.POST,
          "postDeploymentStatus", "postDeploymentTaskStatus", "postDeploymentTasks"),
    Phase(5, "WorkloadPostDeployEvaluations", Runs.EVALUATIONS, CheckType.POST_EVAL,
          "postDeploymentEvaluationStatus", "postDeploymentEvaluationTaskStatus", "postDeploymentEvaluations"),
)


def app_phases(promotion_enabled: bool) -> tuple[Phase, ...]:
    """contract §3: with `PROMOTION_TASKS_ENABLED` off, phase 6 is skipped (promotionStatus stays Pending)."""
    return APP_PHASES if promotion_enabled else APP_PHASES[:-1]


def deprecated_by_failure(phases: tuple[Phase, ...], failed: Phase) -> tuple[str, ...]:
    """contract §4 (blocking mode): the status fields set to Deprecated when `failed` fails.

    Every later phase of the lifecycle; none after PromotionTasks.
    """
    return tuple(p.status_field for p in phases if p.number > failed.number)


# The lists of a KeptnAppContext (and of the KeptnAppVersion copied from it) that name definitions,
# in phase order, and the check type of the KeptnTasks each task list runs.
CONTEXT_LISTS: tuple[str, ...] = tuple(p.list_field for p in APP_PHASES if p.runs in (Runs.TASKS, Runs.EVALUATIONS))
TASK_LISTS: dict[str, str] = {p.list_field: p.check_type.value for p in APP_PHASES if p.runs == Runs.TASKS}
