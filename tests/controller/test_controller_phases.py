"""The phase table (contract §3), the failure table (contract §4) and how a phase settles."""
from __future__ import annotations

import pytest

from harness.controller.phase_outcome import settle
from harness.contract.phases import APP_PHASES, WORKLOAD_PHASES, Runs, app_phases, deprecated_by_failure
from harness.contract.states import CheckType, KeptnState


def test_app_phases_are_the_spec_table_row_for_row():
    # contract §3: | # | currentPhase | runs | status field | item list |
    assert [(p.number, p.name, p.check_type, p.status_field, p.items_field) for p in APP_PHASES] == [
        (1, "AppPreDeployTasks", CheckType.PRE, "preDeploymentStatus", "preDeploymentTaskStatus"),
        (2, "AppPreDeployEvaluations", CheckType.PRE_EVAL, "preDeploymentEvaluationStatus",
         "preDeploymentEvaluationTaskStatus"),
        (3, "AppDeploy", None, "workloadOverallStatus", "workloadStatus"),
        (4, "AppPostDeployTasks", CheckType.POST, "postDeploymentStatus", "postDeploymentTaskStatus"),
        (5, "AppPostDeployEvaluations", CheckType.POST_EVAL, "postDeploymentEvaluationStatus",
         "postDeploymentEvaluationTaskStatus"),
        (6, "PromotionTasks", CheckType.PROMOTION, "promotionStatus", "promotionTaskStatus"),
    ]


def test_each_phase_reads_its_list_from_the_app_context_fields():
    # contract §1: KeptnAppContext preDeploymentTasks, ..., promotionTasks; KeptnApp workloads
    assert [p.list_field for p in APP_PHASES] == [
        "preDeploymentTasks", "preDeploymentEvaluations", "workloads", "postDeploymentTasks",
        "postDeploymentEvaluations", "promotionTasks"]


def test_workload_phases_have_no_promotion_and_a_deployment_status():
    # contract §1: KeptnWorkloadVersion: same phase fields as app, without promotion; deploymentStatus
    assert [p.status_field for p in WORKLOAD_PHASES] == [
        "preDeploymentStatus", "preDeploymentEvaluationStatus", "deploymentStatus", "postDeploymentStatus",
        "postDeploymentEvaluationStatus"]
    assert all(p.check_type != CheckType.PROMOTION for p in WORKLOAD_PHASES)


def test_with_the_feature_flag_off_phase_6_is_skipped():
    # contract §3: with the flag off, phase 6 is skipped and the version completes after phase 5
    assert [p.name for p in app_phases(False)][-1] == "AppPostDeployEvaluations"
    assert [p.name for p in app_phases(True)][-1] == "PromotionTasks"


@pytest.mark.parametrize(("failing", "deprecated"), [
    # contract §4, blocking mode: | Failing phase | Later phase states set to Deprecated |
    ("AppPreDeployTasks", ["preDeploymentEvaluationStatus", "workloadOverallStatus", "postDeploymentStatus",
                           "postDeploymentEvaluationStatus", "promotionStatus"]),
    ("AppPreDeployEvaluations", ["workloadOverallStatus", "postDeploymentStatus", "postDeploymentEvaluationStatus",
                                 "promotionStatus"]),
    ("AppDeploy", ["postDeploymentStatus", "postDeploymentEvaluationStatus", "promotionStatus"]),
    ("AppPostDeployTasks", ["postDeploymentEvaluationStatus", "promotionStatus"]),
    ("AppPostDeployEvaluations", ["promotionStatus"]),
    ("PromotionTasks", []),
])
def test_a_blocking_failure_deprecates_exactly_the_later_phases_of_the_spec_table(failing, deprecated):
    phase = next(p for p in APP_PHASES if p.name == failing)
    assert list(deprecated_by_failure(APP_PHASES, phase)) == deprecated
    outcome = settle(APP_PHASES, phase, KeptnState.FAILED, block_deployment=True)
    assert (outcome.state, list(outcome.deprecate), outcome.version_failed, outcome.proceed) == (
        KeptnState.FAILED, deprecated, True, False)


@pytest.mark.parametrize("phase", [p for p in APP_PHASES if p.runs in (Runs.TASKS, Runs.EVALUATIONS)],
                         ids=lambda p: p.name)
def test_non_blocking_mode_turns_a_failed_task_or_evaluation_phase_into_warning_and_goes_on(phase):
    # contract §4: a failed task or evaluation phase becomes Warning, counts as passed, the lifecycle goes on
    outcome = settle(APP_PHASES, phase, KeptnState.FAILED, block_deployment=False)
    assert (outcome.state, outcome.deprecate, outcome.version_failed, outcome.proceed) == (
        KeptnState.WARNING, (), False, True)
    assert outcome.state.passed


@pytest.mark.parametrize("phase", [APP_PHASES[2], WORKLOAD_PHASES[2]], ids=lambda p: p.name)
def test_deployment_failures_stay_blocking_in_non_blocking_mode(phase):
    # contract §4: Workload deployment failures stay blocking.
    outcome = settle(APP_PHASES if phase in APP_PHASES else WORKLOAD_PHASES, phase, KeptnState.FAILED,
                     block_deployment=False)
    assert outcome.state == KeptnState.FAILED and outcome.version_failed and not outcome.proceed


@pytest.mark.parametrize("waiting", [KeptnState.PENDING, KeptnState.PROGRESSING, KeptnState.UNKNOWN])
def test_a_phase_still_waiting_neither_fails_nor_proceeds(waiting):
    outcome = settle(APP_PHASES, APP_PHASES[5], waiting, block_deployment=True)
    assert (outcome.state, outcome.version_failed, outcome.proceed) == (waiting, False, False)


def test_a_succeeded_phase_proceeds_in_both_modes():
    for block in (True, False):
        assert settle(APP_PHASES, APP_PHASES[0], KeptnState.SUCCEEDED, block).proceed


def test_completed_states_are_the_four_of_spec_1():
    # contract §1: Completed means Succeeded, Failed, Deprecated or Warning.
    assert {s for s in KeptnState if s.completed} == {
        KeptnState.SUCCEEDED, KeptnState.FAILED, KeptnState.DEPRECATED, KeptnState.WARNING}
