"""One lifecycle pass over the phase table (contract §3, §4), with made-up phase observations."""
from __future__ import annotations

from harness.controller.lifecycle import Notice, Observation, advance
from harness.contract.phases import APP_PHASES, app_phases
from harness.contract.states import KeptnState as S

NOW = "2030-01-01T00:00:00.000000Z"
ITEMS = {p.name: p.items_field for p in APP_PHASES}


def observing(**by_phase: Observation):
    """Phases not named are empty (nothing listed)."""
    seen = []

    def observe(phase, _status):
        seen.append(phase.name)
        return by_phase.get(phase.name, Observation([], 0, items=[]))

    observe.seen = seen
    return observe


def failed(failure="KeptnTask \"t\" failed"):
    return Observation([S.FAILED, S.PROGRESSING], 2, items=[{"name": "t"}], failures=[failure])


def events(result):
    return [reason for _type, reason, _message in result.events]


def test_a_version_with_empty_lists_completes_in_one_pass_with_every_event():
    # contract §3: an empty list is Succeeded at once; events <currentPhase>Started / Finished
    result = advance({}, app_phases(True), observing(), block_deployment=True, now=NOW)
    status = result.status
    assert (status["currentPhase"], status["status"], status["startTime"], status["endTime"]) == (
        "Completed", "Succeeded", NOW, NOW)
    assert all(status[p.status_field] == "Succeeded" for p in APP_PHASES)
    assert events(result) == [e for p in APP_PHASES for e in (f"{p.name}Started", f"{p.name}Finished")]
    assert [name for name, _ in result.finished] == [p.name for p in APP_PHASES]


def test_a_running_phase_keeps_the_version_progressing_and_stops_the_pass():
    observe = observing(AppPostDeployTasks=Observation([S.PROGRESSING], 1, items=[{"name": "post-1"}]))
    result = advance({}, app_phases(True), observe, True, NOW)
    status = result.status
    assert (status["currentPhase"], status["status"], status["postDeploymentStatus"]) == (
        "AppPostDeployTasks", "Progressing", "Progressing")
    assert status["postDeploymentTaskStatus"] == [{"name": "post-1"}]
    # every phase status defaults to Pending (contract §3); later phases were not looked at
    assert (status["postDeploymentEvaluationStatus"], status["promotionStatus"]) == ("Pending", "Pending")
    assert "PromotionTasks" not in observe.seen and "endTime" not in status
    assert events(result)[-1] == "AppPostDeployTasksStarted"


def test_a_passed_phase_is_not_looked_at_again_and_started_is_not_repeated():
    current = {**{p.status_field: "Succeeded" for p in APP_PHASES[:5]}, "currentPhase": "PromotionTasks",
               "promotionStatus": "Progressing", "status": "Progressing", "startTime": "earlier"}
    observe = observing(PromotionTasks=Observation([S.PROGRESSING, S.SUCCEEDED], 2, items=[]))
    result = advance(current, app_phases(True), observe, True, NOW)
    assert observe.seen == ["PromotionTasks"] and result.events == [] and result.status["startTime"] == "earlier"


def test_a_missing_definition_keeps_the_phase_pending_and_says_why_once():
    # contract §4: no task, phase stays Pending, version Progressing, and an event ...NotFound / a message
    notice = Notice('KeptnTaskDefinition "promote-b" not found in namespace "x" (spec.promotionTasks[1])', "NotFound")
    observe = observing(PromotionTasks=Observation([S.SUCCEEDED], 2, items=[{"name": "a"}], notices=[notice]))
    first = advance({}, app_phases(True), observe, True, NOW)
    assert (first.status["promotionStatus"], first.status["status"], first.status["message"]) == (
        "Pending", "Progressing", notice.message)
    assert ("Warning", "PromotionTasksNotFound", notice.message) in first.events
    again = advance(first.status, app_phases(True), observe, True, NOW)
    assert again.events == []  # the same reason is not announced on every pass
    retrying = Notice('KeptnEvaluation "e": latency: KeptnMetric "latency" in namespace "x" not found')
    observe = observing(PromotionTasks=Observation([S.SUCCEEDED], 2, items=[], notices=[notice, retrying]))
    assert advance(again.status, app_phases(True), observe, True, NOW).events == []  # nor when other news joins it


def test_a_notice_without_reason_only_sets_the_message():
    observe = observing(AppDeploy=Observation([S.PENDING], 1, items=[], notices=[Notice("waiting for x")]))
    result = advance({}, app_phases(True), observe, True, NOW)
    assert result.status["message"] == "waiting for x"
    assert not [e for e in events(result) if e.endswith("NotFound")]


def test_a_blocking_failure_fails_the_version_and_deprecates_the_later_phases():
    # contract §4: AppPostDeployTasks fails → postEval and promotion Deprecated, status Failed
    result = advance({}, app_phases(True), observing(AppPostDeployTasks=failed()), True, NOW)
    status = result.status
    assert (status["postDeploymentStatus"], status["postDeploymentEvaluationStatus"], status["promotionStatus"],
            status["status"], status["currentPhase"], status["endTime"]) == (
        "Failed", "Deprecated", "Deprecated", "Failed", "AppPostDeployTasks", NOW)
    assert ("Warning", "AppPostDeployTasksFailed", 'AppPostDeployTasks failed: KeptnTask "t" failed') in result.events
    assert status["message"] == 'AppPostDeployTasks failed: KeptnTask "t" failed'


def test_a_failed_promotion_phase_fails_the_version_in_place():
    # contract §4: PromotionTasks fails → none deprecated; Failed; currentPhase stays PromotionTasks; endTime set
    result = advance({}, app_phases(True), observing(PromotionTasks=failed()), True, NOW)
    status = result.status
    assert (status["promotionStatus"], status["status"], status["currentPhase"], status["endTime"]) == (
        "Failed", "Failed", "PromotionTasks", NOW)
    assert all(status[p.status_field] == "Succeeded" for p in APP_PHASES[:5])
    assert ("PromotionTasks", S.FAILED) in result.finished


def test_non_blocking_a_failed_promotion_ends_warning_and_the_version_succeeds():
    # contract §4: promotionStatus Warning, currentPhase Completed, status Succeeded
    result = advance({}, app_phases(True), observing(PromotionTasks=failed()), False, NOW)
    status = result.status
    assert (status["promotionStatus"], status["currentPhase"], status["status"]) == ("Warning", "Completed", "Succeeded")
    assert "PromotionTasksFailed" in events(result) and "PromotionTasksFinished" not in events(result)


def test_non_blocking_a_failed_post_phase_lets_promotion_start():
    # contract §3: promotion starts after post tasks and evaluations succeeded (or ended Warning)
    observe = observing(AppPostDeployTasks=failed(), PromotionTasks=Observation([S.PROGRESSING], 1, items=[]))
    result = advance({}, app_phases(True), observe, False, NOW)
    assert (result.status["postDeploymentStatus"], result.status["currentPhase"]) == ("Warning", "PromotionTasks")


def test_a_deploy_failure_is_blocking_even_in_non_blocking_mode():
    observe = observing(AppDeploy=Observation([S.FAILED], 1, items=[], failures=["KeptnWorkloadVersion x Failed"]))
    result = advance({}, app_phases(True), observe, False, NOW)
    assert (result.status["workloadOverallStatus"], result.status["status"], result.status["promotionStatus"]) == (
        "Failed", "Failed", "Deprecated")
    assert "PromotionTasks" not in observe.seen  # no promotion task for a version whose earlier phase failed


def test_with_the_flag_off_the_version_completes_after_phase_5_and_promotion_stays_pending():
    observe = observing()
    result = advance({}, app_phases(False), observe, True, NOW)
    assert (result.status["currentPhase"], result.status["status"]) == ("Completed", "Succeeded")
    assert "promotionStatus" not in result.status and "PromotionTasks" not in observe.seen


def test_completed_versions_are_left_alone():
    for final in ("Succeeded", "Failed", "Deprecated"):
        observe = observing()
        result = advance({"status": final}, app_phases(True), observe, True, NOW)
        assert result.status == {"status": final} and observe.seen == [] and result.events == []


def test_extra_status_fields_of_a_phase_and_its_timer_are_kept():
    observe = observing(AppDeploy=Observation([S.PROGRESSING], 1, items=[], status_updates={"conditions": ["c"]},
                                              requeue_after=42.0))
    result = advance({}, app_phases(True), observe, True, NOW)
    assert result.status["conditions"] == ["c"] and result.requeue_after == 42.0


FAILED_WITH_A_SIBLING_RUNNING = {
    **{p.status_field: "Succeeded" for p in APP_PHASES[:5]}, "currentPhase": "PromotionTasks", "status": "Failed",
    "promotionStatus": "Failed", "endTime": "earlier",
    "promotionTaskStatus": [{"definitionName": "promote-fail", "name": "t1", "status": "Failed", "endTime": "earlier"},
                            {"definitionName": "promote-a", "name": "t2", "status": "Progressing"}]}


def test_after_the_phase_failed_a_running_sibling_is_followed_to_its_end_and_the_version_stays_failed():
    # contract §6, never stale: the sibling's item gets its final state and endTime when its task ends
    finished = [{"definitionName": "promote-fail", "name": "t1", "status": "Failed", "endTime": "earlier"},
                {"definitionName": "promote-a", "name": "t2", "status": "Succeeded", "endTime": NOW}]
    observe = observing()
    result = advance(FAILED_WITH_A_SIBLING_RUNNING, app_phases(True), observe, True, NOW,
                     follow=lambda phase, _status: finished if phase.name == "PromotionTasks" else [])
    assert result.status["promotionTaskStatus"] == finished
    assert (result.status["status"], result.status["promotionStatus"], result.status["endTime"]) == ("Failed", "Failed", "earlier")
    assert observe.seen == [] and result.events == []  # nothing is created or announced


def test_a_phase_whose_items_all_ended_is_not_followed():
    followed = []
    done = {**FAILED_WITH_A_SIBLING_RUNNING, "promotionTaskStatus": [{"name": "t1", "status": "Failed"}]}
    advance(done, app_phases(True), observing(), True, NOW, follow=lambda phase, _status: followed.append(phase) or [])
    assert followed == []
