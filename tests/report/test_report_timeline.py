"""Timeline bars from what a scenario's watch saw, on the harness's clock, and their layout on the time axis."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from harness.report import bars_from_watch, write_timeline
from harness.report.svg import tick_step
from harness.report.timeline import layout, parse_time, read_timelines

T0 = "2025-01-02T03:04:00Z"


def at(seconds: float) -> str:
    """A timestamp `seconds` after T0, in the forms the API server writes (with and without fractions)."""
    whole, fraction = divmod(seconds, 1)
    text = f"2025-01-02T03:04:{int(whole):02d}"
    return text + (f".{round(fraction * 1000):03d}Z" if fraction else "Z")


EPOCH = parse_time(T0, "T0").timestamp()


@dataclass(frozen=True)
class Seen:
    """An object version as the scenario's watch delivered it (harness.library.recorder.Observation)."""

    kind: str
    type: str
    object: dict
    received: float


def seen(seconds: float, obj: dict, event: str = "MODIFIED") -> Seen:
    """`obj` as it arrived `seconds` after T0 (deep-copied: each version stands alone)."""
    return Seen(obj["kind"], event, copy.deepcopy(obj), EPOCH + seconds)


def version(**status) -> dict:
    return {"kind": "KeptnAppVersion", "metadata": {"name": "app-0.1.0-6b86b273", "uid": "kav"}, "status": status}


def item(name, definition, state) -> dict:
    return {"definitionName": definition, "name": name, "status": state}


def task(name, check_type, definition, state, **status) -> dict:
    return {"kind": "KeptnTask", "metadata": {"name": name, "uid": name},
            "spec": {"taskDefinition": definition, "checkType": check_type}, "status": {"status": state, **status}}


def job(name, owner=None, conditions=(), **status) -> dict:
    metadata = {"name": name, "uid": name, "annotations": {}}
    if owner:
        metadata["ownerReferences"] = [{"kind": "KeptnTask", "name": owner, "apiVersion": "lifecycle.keptn.sh/v1", "uid": owner}]
    return {"kind": "Job", "metadata": metadata, "status": {
        **status, "conditions": [{"type": kind, "status": "True", "reason": reason, "message": message}
                                 for kind, reason, message in conditions]}}


PRE, NOTIFY, DEPLOY = "pre-check-11111", "promotion-notify-12345", "promotion-deploy-prod-54321"
# Each Job's own status.startTime is the whole second the Job controller writes: earlier than its task's creation.
WATCHED = [
    seen(0.00, version(), "ADDED"),
    seen(0.05, version(status="Progressing", currentPhase="AppPreDeployTasks", preDeploymentStatus="Progressing",
                       preDeploymentTaskStatus=[item(PRE, "check", "Progressing")])),
    seen(0.10, task(PRE, "pre", "check", "Pending"), "ADDED"),
    seen(0.60, job(f"{PRE}-33333", startTime=T0), "ADDED"),
    seen(2.00, job(f"{PRE}-33333", conditions=[("Complete", "", "")], startTime=T0) | {
        "metadata": {"name": f"{PRE}-33333", "uid": f"{PRE}-33333", "annotations": {"keptn.sh/task-name": PRE}}}),
    seen(2.05, task(PRE, "pre", "check", "Succeeded")),
    seen(2.10, version(status="Progressing", currentPhase="AppPostDeployTasks", preDeploymentStatus="Succeeded",
                       preDeploymentTaskStatus=[item(PRE, "check", "Succeeded")], workloadOverallStatus="Succeeded",
                       postDeploymentStatus="Succeeded", postDeploymentTaskStatus=[])),
    seen(4.00, version(status="Progressing", currentPhase="PromotionTasks", preDeploymentStatus="Succeeded",
                       preDeploymentTaskStatus=[item(PRE, "check", "Succeeded")], postDeploymentStatus="Succeeded",
                       promotionStatus="Progressing",
                       promotionTaskStatus=[item(NOTIFY, "notify", "Progressing"), item(DEPLOY, "deploy-prod", "Progressing")])),
    seen(4.10, task(NOTIFY, "promotion", "notify", "Pending"), "ADDED"),
    seen(4.15, task(DEPLOY, "promotion", "deploy-prod", "Pending"), "ADDED"),
    seen(4.20, job(f"{NOTIFY}-99999", startTime="2025-01-02T03:04:04Z"), "ADDED"),
    seen(4.25, job(f"{DEPLOY}-22222", owner=DEPLOY, startTime="2025-01-02T03:04:04Z"), "ADDED"),
    seen(4.30, task(NOTIFY, "promotion", "notify", "Progressing", jobName=f"{NOTIFY}-99999")),
    seen(5.90, job(f"{DEPLOY}-22222", owner=DEPLOY, conditions=[("FailureTarget", "BackoffLimitExceeded", "x")])),
    seen(6.00, job(f"{DEPLOY}-22222", owner=DEPLOY, conditions=[
        ("FailureTarget", "BackoffLimitExceeded", "x"),
        ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")])),
    seen(6.05, task(DEPLOY, "promotion", "deploy-prod", "Failed", reason="BackoffLimitExceeded",
                    message="Job has reached the specified backoff limit")),
    seen(6.10, version(status="Failed", currentPhase="PromotionTasks", preDeploymentStatus="Succeeded",
                       preDeploymentTaskStatus=[item(PRE, "check", "Succeeded")], postDeploymentStatus="Succeeded",
                       promotionStatus="Failed",
                       promotionTaskStatus=[item(NOTIFY, "notify", "Progressing"), item(DEPLOY, "deploy-prod", "Failed")])),
    seen(7.25, job(f"{NOTIFY}-99999", conditions=[("Complete", "", "")])),
    seen(7.30, task(NOTIFY, "promotion", "notify", "Succeeded", jobName=f"{NOTIFY}-99999")),
]


def rows(bars):
    return [bar["row"] for bar in bars]


def by_row(bars) -> dict[str, dict]:
    return {bar["row"]: bar for bar in bars}


def seconds(value: str | None) -> float | None:
    return None if value is None else round(parse_time(value, "bar").timestamp() - EPOCH, 6)


def test_bars_follow_the_version_then_runs_in_start_order_each_task_followed_by_its_jobs():
    assert rows(bars_from_watch(WATCHED)) == [
        "KeptnAppVersion app-0.1.0-6b86b273",
        "KeptnAppVersion app-0.1.0-6b86b273 / AppPreDeployTasks",
        "KeptnAppVersion app-0.1.0-6b86b273 / PromotionTasks",  # the empty post-deploy list ran nothing: no bar
        f"KeptnTask {PRE}",
        f"Job {PRE}-33333",  # found through its keptn.sh/task-name annotation
        f"KeptnTask {NOTIFY}",
        f"Job {NOTIFY}-99999",  # through the task's status.jobName
        f"KeptnTask {DEPLOY}",
        f"Job {DEPLOY}-22222",  # through its ownerReference
    ]


def test_every_time_is_when_the_watch_saw_it_to_the_microsecond_never_an_objects_own_timestamp():
    bars = by_row(bars_from_watch(WATCHED))
    job_ = bars[f"Job {NOTIFY}-99999"]
    assert job_["start"] == "2025-01-02T03:04:04.200000Z"  # its status.startTime says 03:04:04Z
    assert (seconds(job_["start"]), seconds(job_["end"])) == (4.2, 7.25)


def test_a_job_never_starts_before_its_own_task():
    bars = by_row(bars_from_watch(WATCHED))
    for task_name in (PRE, NOTIFY, DEPLOY):
        jobs = [bar for row, bar in bars.items() if row.startswith(f"Job {task_name}-")]
        assert jobs and all(seconds(j["start"]) >= seconds(bars[f"KeptnTask {task_name}"]["start"]) for j in jobs)


def test_promotion_starts_on_the_page_after_the_phase_before_it_ended():
    bars = by_row(bars_from_watch(WATCHED))
    pre_end = seconds(bars["KeptnAppVersion app-0.1.0-6b86b273 / AppPreDeployTasks"]["end"])
    promotion = [bar for row, bar in bars.items() if "promotion-" in row or row.endswith("/ PromotionTasks")]
    assert len(promotion) == 5 and min(seconds(bar["start"]) for bar in promotion) > pre_end


def test_a_phase_bar_spans_from_where_it_began_to_where_it_completed_and_carries_its_status():
    bars = by_row(bars_from_watch(WATCHED))
    promotion = bars["KeptnAppVersion app-0.1.0-6b86b273 / PromotionTasks"]
    assert (seconds(promotion["start"]), seconds(promotion["end"]), promotion["status"], promotion["group"]) == (
        4.0, 6.1, "Failed", "phase")
    assert f"{DEPLOY} (Failed)" in promotion["detail"]
    pre = bars["KeptnAppVersion app-0.1.0-6b86b273 / AppPreDeployTasks"]
    assert (seconds(pre["start"]), seconds(pre["end"])) == (0.05, 2.1)
    whole = bars["KeptnAppVersion app-0.1.0-6b86b273"]
    assert (seconds(whole["start"]), seconds(whole["end"]), whole["status"]) == (0.0, 6.1, "Failed")


def test_a_phase_never_seen_completed_is_still_running():
    bars = by_row(bars_from_watch(WATCHED[:9]))
    promotion = bars["KeptnAppVersion app-0.1.0-6b86b273 / PromotionTasks"]
    assert (promotion["end"], promotion["status"]) == (None, "Progressing")
    assert bars[f"KeptnTask {NOTIFY}"]["end"] is None


def test_task_and_job_bars_take_their_states_from_status_and_conditions():
    bars = by_row(bars_from_watch(WATCHED))
    failed_task = bars[f"KeptnTask {DEPLOY}"]
    assert (seconds(failed_task["end"]), failed_task["status"]) == (6.05, "Failed")
    assert "BackoffLimitExceeded: Job has reached the specified backoff limit" in failed_task["detail"]
    failed_job = bars[f"Job {DEPLOY}-22222"]
    assert (seconds(failed_job["end"]), failed_job["status"]) == (5.9, "Failed")  # FailureTarget already decides
    assert bars[f"Job {NOTIFY}-99999"]["status"] == "Succeeded"


def test_a_running_job_has_no_end_and_a_job_without_task_comes_last():
    stray = seen(3, job("stray-1", startTime=T0), "ADDED")
    bars = bars_from_watch([WATCHED[2], WATCHED[3], WATCHED[4], stray])
    assert rows(bars) == [f"KeptnTask {PRE}", f"Job {PRE}-33333", "Job stray-1"]
    assert (bars[-1]["end"], bars[-1]["status"]) == (None, "Progressing")


def test_an_object_deleted_before_it_completed_ends_at_its_deletion_and_says_so():
    running = job("gone-1", startTime=T0)
    bar = bars_from_watch([seen(1, running, "ADDED"), seen(2.5, running, "DELETED")])[0]
    assert (seconds(bar["end"]), bar["status"]) == (2.5, "Progressing")
    assert bar["detail"].endswith("(deleted before it completed)")


def test_an_evaluation_takes_its_place_among_the_runs_by_start_time():
    evaluation = {"kind": "KeptnEvaluation", "metadata": {"name": "post-eval-slo-1", "uid": "e"},
                  "spec": {"checkType": "post-eval", "evaluationDefinition": "slo"}, "status": {"overallStatus": "Pending"}}
    done = copy.deepcopy(evaluation)
    done["status"]["overallStatus"] = "Succeeded"
    bars = bars_from_watch([*WATCHED[8:10], seen(3, evaluation, "ADDED"), seen(3.5, done), WATCHED[2]])
    assert rows(bars) == [f"KeptnTask {PRE}", "KeptnEvaluation post-eval-slo-1", f"KeptnTask {NOTIFY}", f"KeptnTask {DEPLOY}"]
    assert bars[1]["group"] == "evaluation" and bars[1]["status"] == "Succeeded" and seconds(bars[1]["end"]) == 3.5


def test_kinds_that_are_not_drawn_are_ignored():
    pod = {"kind": "Pod", "metadata": {"name": "p", "uid": "p"}, "status": {}}
    assert bars_from_watch([seen(1, pod, "ADDED")]) == []


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
    rows_, _ = layout({"scenario": "S", "bars": bars_from_watch(WATCHED)})
    notify, deploy = (next(r for r in rows_ if r.label == f"KeptnTask {n}").lanes[0][0] for n in (NOTIFY, DEPLOY))
    assert notify.start < deploy.end and deploy.start < notify.end


def test_a_timeline_is_written_checked_and_read_back(tmp_path):
    bars = bars_from_watch(WATCHED)
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
