"""Timeline bars derived from Keptn objects, and their layout on the time axis."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from harness.report import bars_from_objects, write_timeline
from harness.report.svg import tick_step
from harness.report.timeline import layout, parse_time, read_timelines

T0 = "2025-01-02T03:04:00Z"


def at(seconds: float) -> str:
    """A timestamp `seconds` after T0, in the forms the API server writes (with and without fractions)."""
    whole, fraction = divmod(seconds, 1)
    text = f"2025-01-02T03:04:{int(whole):02d}"
    return text + (f".{round(fraction * 1000):03d}Z" if fraction else "Z")


def app_version(promotion_status="Failed", **status) -> dict:
    return {"kind": "KeptnAppVersion", "metadata": {"name": "app-0.1.0-6b86b273"}, "status": {
        "status": "Failed", "currentPhase": "PromotionTasks", "startTime": at(0), "endTime": at(9),
        "preDeploymentStatus": "Succeeded",
        "preDeploymentTaskStatus": [{"definitionName": "check", "name": "pre-check-11111", "status": "Succeeded",
                                     "startTime": at(0.5), "endTime": at(2)}],
        "workloadOverallStatus": "Succeeded",
        "workloadStatus": [{"workload": {"name": "app-web", "version": "0.1.0"}, "status": "Succeeded"}],
        "postDeploymentStatus": "Succeeded", "postDeploymentTaskStatus": [],
        "promotionStatus": promotion_status,
        "promotionTaskStatus": [
            {"definitionName": "notify", "name": "promotion-notify-12345", "status": "Succeeded", "startTime": at(4), "endTime": at(7.25)},
            {"definitionName": "deploy-prod", "name": "promotion-deploy-prod-54321", "status": "Failed", "startTime": at(4.1), "endTime": at(6)},
        ],
        **status,
    }}


def task(name, check_type, definition, state, start, end, job=None, **extra) -> dict:
    return {"kind": "KeptnTask", "metadata": {"name": name, "creationTimestamp": at(start)},
            "spec": {"taskDefinition": definition, "checkType": check_type},
            "status": {"status": state, "startTime": at(start), **({"endTime": at(end)} if end is not None else {}),
                       **({"jobName": job} if job else {}), **extra}}


def job(name, start, conditions=(), completion=None, owner=None, annotations=None) -> dict:
    metadata = {"name": name, "creationTimestamp": at(start), "annotations": annotations or {}}
    if owner:
        metadata["ownerReferences"] = [{"kind": "KeptnTask", "name": owner, "apiVersion": "lifecycle.keptn.sh/v1", "uid": "u"}]
    status = {"startTime": at(start), "conditions": [
        {"type": kind, "status": "True", "lastTransitionTime": at(when), "reason": reason, "message": message}
        for kind, when, reason, message in conditions]}
    if completion is not None:
        status["completionTime"] = at(completion)
    return {"kind": "Job", "metadata": metadata, "status": status}


TASKS = [
    task("promotion-deploy-prod-54321", "promotion", "deploy-prod", "Failed", 4.1, 6, reason="BackoffLimitExceeded",
         message="Job has reached the specified backoff limit"),
    task("pre-check-11111", "pre", "check", "Succeeded", 0.5, 2),
    task("promotion-notify-12345", "promotion", "notify", "Succeeded", 4, 7.25, job="promotion-notify-12345-99999"),
]
JOBS = [
    job("promotion-notify-12345-99999", 4.2, [("Complete", 7.25, "", "")], completion=7.2),  # found through the task's jobName
    job("promotion-deploy-prod-54321-22222", 4.2, [("FailureTarget", 5.9, "BackoffLimitExceeded", "x"),
                                                   ("Failed", 6, "BackoffLimitExceeded", "Job has reached the specified backoff limit")],
        owner="promotion-deploy-prod-54321"),
    job("pre-check-11111-33333", 0.6, [("Complete", 2, "", "")], completion=1.9, annotations={"keptn.sh/task-name": "pre-check-11111"}),
]


def rows(bars):
    return [bar["row"] for bar in bars]


def test_bars_follow_the_version_then_runs_in_start_order_each_task_followed_by_its_jobs():
    bars = bars_from_objects([app_version()], TASKS, JOBS, [])
    assert rows(bars) == [
        "KeptnAppVersion app-0.1.0-6b86b273",
        "KeptnAppVersion app-0.1.0-6b86b273 / AppPreDeployTasks",
        "KeptnAppVersion app-0.1.0-6b86b273 / PromotionTasks",  # empty post-deploy list and timeless AppDeploy: no bar
        "KeptnTask pre-check-11111",
        "Job pre-check-11111-33333",
        "KeptnTask promotion-notify-12345",
        "Job promotion-notify-12345-99999",
        "KeptnTask promotion-deploy-prod-54321",
        "Job promotion-deploy-prod-54321-22222",
    ]


def test_a_phase_bar_spans_its_items_and_carries_the_phase_status():
    promotion = next(b for b in bars_from_objects([app_version()], [], [], []) if b["row"].endswith("/ PromotionTasks"))
    assert (promotion["start"], promotion["end"], promotion["status"], promotion["group"]) == (at(4), at(7.25), "Failed", "phase")
    assert "promotion-deploy-prod-54321 (Failed)" in promotion["detail"]


def test_a_phase_with_an_unfinished_item_is_still_running():
    version = app_version(promotion_status="Progressing")
    del version["status"]["promotionTaskStatus"][0]["endTime"]
    promotion = next(b for b in bars_from_objects([version], [], [], []) if b["row"].endswith("/ PromotionTasks"))
    assert (promotion["end"], promotion["status"]) == (None, "Progressing")


def test_task_and_job_bars_take_their_times_and_states_from_status_and_conditions():
    bars = {bar["row"]: bar for bar in bars_from_objects([], TASKS, JOBS, [])}
    failed_task = bars["KeptnTask promotion-deploy-prod-54321"]
    assert (failed_task["start"], failed_task["end"], failed_task["status"]) == (at(4.1), at(6), "Failed")
    assert "BackoffLimitExceeded: Job has reached the specified backoff limit" in failed_task["detail"]
    failed_job = bars["Job promotion-deploy-prod-54321-22222"]
    assert (failed_job["end"], failed_job["status"]) == (at(6), "Failed")  # the Failed condition's lastTransitionTime
    done = bars["Job promotion-notify-12345-99999"]
    assert (done["end"], done["status"]) == (at(7.2), "Succeeded")  # completionTime


def test_a_running_job_has_no_end_and_a_job_without_task_comes_last():
    running = job("stray-1", 3)
    bars = bars_from_objects([], TASKS[1:2], [running, JOBS[2]], [])
    assert rows(bars) == ["KeptnTask pre-check-11111", "Job pre-check-11111-33333", "Job stray-1"]
    assert (bars[-1]["end"], bars[-1]["status"]) == (None, "Progressing")


def test_an_evaluation_takes_its_place_among_the_runs_by_start_time():
    evaluation = {"kind": "KeptnEvaluation", "metadata": {"name": "post-eval-slo-1"},
                  "spec": {"checkType": "post-eval", "evaluationDefinition": "slo"},
                  "status": {"overallStatus": "Succeeded", "startTime": at(3), "endTime": at(3.5)}}
    bars = bars_from_objects([], TASKS, [], [evaluation])
    assert rows(bars) == ["KeptnTask pre-check-11111", "KeptnEvaluation post-eval-slo-1",
                          "KeptnTask promotion-notify-12345", "KeptnTask promotion-deploy-prod-54321"]
    assert bars[1]["group"] == "evaluation" and bars[1]["status"] == "Succeeded"


def test_a_bad_timestamp_names_the_object_and_field():
    version = app_version()
    version["status"]["promotionTaskStatus"][1]["startTime"] = "yesterday"
    with pytest.raises(ValueError, match=r"KeptnAppVersion app-0.1.0-6b86b273: status.promotionTaskStatus: expected an RFC3339 timestamp .* got 'yesterday'"):
        bars_from_objects([version], [], [], [])


@pytest.mark.parametrize(("text", "microseconds"), [
    ("2025-01-02T03:04:05Z", 0),
    ("2025-01-02T03:04:05.123Z", 123000),
    ("2025-01-02T03:04:05.123456789Z", 123456),  # RFC3339Nano, as some API servers write
    ("2025-01-02T04:04:05+01:00", 0),
])
def test_timestamps_with_and_without_fractions_and_zones_parse(text, microseconds):
    assert parse_time(text, "x") == datetime(2025, 1, 2, 3, 4, 5, microseconds, tzinfo=timezone.utc)


def test_a_timestamp_without_zone_is_refused():
    with pytest.raises(ValueError, match="KeptnTask t: status.startTime: '2025-01-02T03:04:05' has no time zone"):
        parse_time("2025-01-02T03:04:05", "KeptnTask t: status.startTime")


def test_overlapping_bars_of_one_row_are_stacked_in_lanes_and_others_keep_one_lane():
    timeline = {"scenario": "S", "bars": [
        {"row": "Job retries", "group": "job", "start": at(0), "end": at(4), "status": "Failed"},
        {"row": "Job retries", "group": "job", "start": at(2), "end": at(5), "status": "Succeeded"},
        {"row": "Job retries", "group": "job", "start": at(4), "end": at(6), "status": "Succeeded"},
        {"row": "KeptnTask a", "group": "task", "start": at(1), "end": None, "status": "Progressing"},
    ], "recordedAt": at(8)}
    rows_, span = layout(timeline)
    assert [row.label for row in rows_] == ["Job retries", "KeptnTask a"]
    assert [[(p.start, p.end) for p in lane] for lane in rows_[0].lanes] == [[(0, 4), (4, 6)], [(2, 5)]]
    running = rows_[1].lanes[0][0]
    assert (running.start, running.end, running.running) == (1, 8, True)  # runs until the timeline was recorded
    assert span == 8


def test_parallel_promotion_tasks_overlap_on_the_axis():
    rows_, _ = layout({"scenario": "S", "bars": bars_from_objects([app_version()], TASKS, JOBS, [])})
    notify, deploy = (next(r for r in rows_ if r.label == f"KeptnTask {n}").lanes[0][0]
                      for n in ("promotion-notify-12345", "promotion-deploy-prod-54321"))
    assert notify.start < deploy.end and deploy.start < notify.end


def test_a_timeline_is_written_checked_and_read_back(tmp_path):
    bars = bars_from_objects([app_version()], TASKS, JOBS, [])
    path = write_timeline(tmp_path, "PromotionTasksRunInParallel", bars, status="passed")
    assert path == tmp_path / "timelines" / "PromotionTasksRunInParallel.json"
    assert read_timelines(tmp_path)["PromotionTasksRunInParallel"]["bars"] == bars


def test_a_malformed_timeline_is_refused_naming_the_field(tmp_path):
    with pytest.raises(ValueError, match=r"\$.bars\[0\].group: 'pod' is not one of"):
        write_timeline(tmp_path, "S", [{"row": "r", "group": "pod", "start": T0, "end": None, "status": "Pending"}])
    (tmp_path / "timelines").mkdir(exist_ok=True)
    (tmp_path / "timelines" / "broken.json").write_text(json.dumps({"scenario": "B", "bars": [{"row": "r"}]}))
    with pytest.raises(ValueError, match=r"broken.json is not a valid timeline: \$.bars\[0\]: 'group' is a required property"):
        read_timelines(tmp_path)


@pytest.mark.parametrize(("span", "step"), [(1, 0.1), (3.2, 0.5), (9, 1), (40, 5), (95, 10), (600, 60)])
def test_axis_ticks_use_round_steps_of_at_most_ten_ticks(span, step):
    assert tick_step(span) == step


def test_a_job_that_met_its_success_criteria_before_completion_time_ends_at_that_condition():
    criteria_met = job("j-1", 1, [("SuccessCriteriaMet", 3, "", "")])
    bar = bars_from_objects([], [], [criteria_met], [])[0]
    assert (bar["end"], bar["status"]) == (at(3), "Succeeded")
