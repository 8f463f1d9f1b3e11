"""Order and parallel execution judged from the watch's arrival times (sub-second, a clock the
implementation does not write): each judge fails on the input it exists to refuse."""
from __future__ import annotations

import pytest

from harness.judges import failures, lifecycle
from harness.library import windows
from harness.library.recorder import Observation, Recorder
from harness.library.windows import JobWindow


def _task(name, uid, check_type, owner="v1"):
    return {"kind": "KeptnTask", "metadata": {"name": name, "uid": uid, "ownerReferences": [{"uid": owner}]},
            "spec": {"checkType": check_type, "taskDefinition": name}}


def _job(name, uid, task_uid, condition=None):
    conditions = [{"type": condition, "status": "True"}] if condition else []
    return {"kind": "Job", "metadata": {"name": name, "uid": uid, "ownerReferences": [{"uid": task_uid}]},
            "status": {"conditions": conditions}}


def _record(*events) -> Recorder:
    recorder = Recorder(kube=None, namespace="t-1")
    recorder.observations += [Observation(obj["kind"], kind, obj, at) for at, kind, obj in events]
    return recorder


# The ordering scenario: a post task's Job finishes at 10.0, the metric reaches its target at 12.0.
POST = [(1.0, "ADDED", _task("post-check", "tp", "post")), (1.1, "ADDED", _job("post-check-1", "jp", "tp")),
        (10.0, "MODIFIED", _job("post-check-1", "jp", "tp", "Complete"))]


def _moments(recorder):
    post = windows.job_windows(recorder, windows.tasks_seen(recorder, "post"))
    return {"the last post-deployment Job finished": lifecycle.last_finished(post, "post-deployment tasks"),
            "the metric availability reached its target": 12.0}


def test_promotion_after_the_post_jobs_and_the_metric_passes():
    recorder = _record(*POST, (12.4, "ADDED", _task("promote-a", "ta", "promotion")))
    first, name = lifecycle.first_promotion_task(recorder, "v1")
    lifecycle.must_start_after(first, name, _moments(recorder))


def test_promotion_created_0_8_s_before_the_evaluation_could_pass_fails():
    # promotion started when the post tasks ended, without waiting for the evaluation
    recorder = _record(*POST, (11.2, "ADDED", _task("promote-a", "ta", "promotion")))
    first, name = lifecycle.first_promotion_task(recorder, "v1")
    with pytest.raises(AssertionError, match=r"promotion KeptnTask promote-a appeared 0.800s before the metric "
                                             r"availability reached its target"):
        lifecycle.must_start_after(first, name, _moments(recorder))


def test_promotion_in_the_same_second_as_the_post_job_but_before_it_fails():
    # whole seconds would call these equal; the arrival times are 0.3 s apart
    recorder = _record(*POST, (9.7, "ADDED", _task("promote-a", "ta", "promotion")))
    first, name = lifecycle.first_promotion_task(recorder, "v1")
    with pytest.raises(AssertionError, match=r"0.300s before the last post-deployment Job finished"):
        lifecycle.must_start_after(first, name, _moments(recorder))


def test_a_post_job_that_has_not_finished_or_was_never_seen_fails():
    with pytest.raises(AssertionError, match=r"the Jobs \['post-check-1'\] of the post-deployment tasks have not finished"):
        lifecycle.last_finished(windows.job_windows(_record(*POST[:2]), windows.tasks_seen(_record(*POST[:2]), "post")),
                             "post-deployment tasks")
    with pytest.raises(AssertionError, match="no Job of the post-deployment tasks was seen"):
        lifecycle.last_finished([], "post-deployment tasks")
    with pytest.raises(AssertionError, match="no promotion KeptnTask was observed"):
        lifecycle.first_promotion_task(_record(*POST))


def test_job_windows_come_from_arrivals_of_creation_and_of_the_terminal_condition():
    recorder = _record((1.0, "ADDED", _task("promote-a", "ta", "promotion")),
                       (1.2, "ADDED", _job("promote-a-1", "ja", "ta")),
                       (3.0, "MODIFIED", _job("promote-a-1", "ja", "ta")),
                       (6.3, "MODIFIED", _job("promote-a-1", "ja", "ta", "Failed")),
                       (7.0, "MODIFIED", _job("promote-a-1", "ja", "ta", "Failed")))
    assert windows.job_windows(recorder, windows.tasks_seen(recorder, "promotion")) == [
        JobWindow("promote-a-1", "promote-a", 1.2, 6.3)]


PARALLEL = [JobWindow("a", "ta", 1.00, 6.2), JobWindow("b", "tb", 1.05, 6.3), JobWindow("c", "tc", 1.10, 6.1)]
SEQUENTIAL = [JobWindow("a", "ta", 1.0, 6.0), JobWindow("b", "tb", 6.4, 11.5)]


def test_parallel_jobs_pass_every_parallel_judge():
    lifecycle.all_must_exist_before_the_first_finished(PARALLEL)
    lifecycle.windows_must_overlap(PARALLEL)


def test_jobs_run_one_after_another_fail_every_parallel_judge():
    with pytest.raises(AssertionError, match=r"created after the first promotion Job finished: b \(0.400s after\)"):
        lifecycle.all_must_exist_before_the_first_finished(SEQUENTIAL)
    with pytest.raises(AssertionError, match="did not all run at once: b was created 0.400s after a finished"):
        lifecycle.windows_must_overlap(SEQUENTIAL)


def test_a_job_created_a_fraction_of_a_second_after_the_first_finished_is_not_parallel():
    windows = [JobWindow("a", "ta", 1.0, 6.0), JobWindow("b", "tb", 6.2, 11.0)]
    with pytest.raises(AssertionError, match=r"b \(0.200s after\)"):
        lifecycle.all_must_exist_before_the_first_finished(windows)


def _pod(name, uid, job_uid, phase, restarts=0):
    return {"kind": "Pod", "metadata": {"name": name, "uid": uid, "ownerReferences": [{"uid": job_uid}]},
            "status": {"phase": phase, "containerStatuses": [{"restartCount": restarts}]}}


def _jobs_and_pods(pod_events):
    recorder = _record((1.0, "ADDED", _task("promote-a", "ta", "promotion")), (1.0, "ADDED", _task("promote-b", "tb", "promotion")),
                       (1.1, "ADDED", _job("promote-a-1", "ja", "ta")), (1.1, "ADDED", _job("promote-b-1", "jb", "tb")),
                       *pod_events)
    return recorder, windows.job_windows(recorder, windows.tasks_seen(recorder, "promotion"))


def test_pods_that_ran_at_the_same_moment_ran_side_by_side_even_when_the_node_started_them_late():
    # a loaded real node: both pods start 8 s after their Jobs, their runs overlap
    recorder, jobs = _jobs_and_pods([(9.0, "MODIFIED", _pod("a-x", "pa", "ja", "Running")),
                                     (10.5, "MODIFIED", _pod("b-x", "pb", "jb", "Running")),
                                     (14.0, "MODIFIED", _pod("a-x", "pa", "ja", "Succeeded")),
                                     (15.6, "MODIFIED", _pod("b-x", "pb", "jb", "Succeeded"))])
    lifecycle.pods_must_have_run_side_by_side(windows.pod_windows(recorder, jobs), 2)


def test_pods_that_ran_one_after_another_did_not_run_side_by_side():
    recorder, jobs = _jobs_and_pods([(2.0, "MODIFIED", _pod("a-x", "pa", "ja", "Running")),
                                     (7.0, "MODIFIED", _pod("a-x", "pa", "ja", "Succeeded")),
                                     (7.4, "MODIFIED", _pod("b-x", "pb", "jb", "Running")),
                                     (12.4, "MODIFIED", _pod("b-x", "pb", "jb", "Succeeded"))])
    with pytest.raises(AssertionError, match=r"b-x started running 0.400s after a-x ended"):
        lifecycle.pods_must_have_run_side_by_side(windows.pod_windows(recorder, jobs), 2)


def test_a_job_whose_pod_never_ran_fails_the_side_by_side_judge():
    recorder, jobs = _jobs_and_pods([(2.0, "MODIFIED", _pod("a-x", "pa", "ja", "Running")),
                                     (2.1, "ADDED", _pod("b-x", "pb", "jb", "Pending")),
                                     (7.0, "MODIFIED", _pod("a-x", "pa", "ja", "Succeeded"))])
    with pytest.raises(AssertionError, match=r"pods of 1 of the 2 promotion Jobs were seen running"):
        lifecycle.pods_must_have_run_side_by_side(windows.pod_windows(recorder, jobs), 2)


def test_container_runs_count_every_pod_ever_seen_and_its_restarts():
    from harness.library import lookups

    job = {"metadata": {"name": "promote-fail-1", "uid": "jf"}, "spec": {"backoffLimit": 2}}
    # kind: one pod, its container restarted twice, the pod deleted once the Job failed
    in_place = _record((1.0, "ADDED", _pod("f-1", "p1", "jf", "Running")), (3.0, "MODIFIED", _pod("f-1", "p1", "jf", "Running", 1)),
                       (5.0, "MODIFIED", _pod("f-1", "p1", "jf", "Failed", 2)), (5.5, "DELETED", _pod("f-1", "p1", "jf", "Failed", 2)))
    assert lookups.container_runs(in_place, job) == 3
    # simulated: a new pod per try
    new_pods = _record(*[(float(n), "ADDED", _pod(f"f-{n}", f"p{n}", "jf", "Failed")) for n in range(3)])
    assert lookups.container_runs(new_pods, job) == 3
    failures.retries_must_be_honoured(job, retries=2, at_least=3, runs=3)
    with pytest.raises(AssertionError, match="ran its container 1 times with backoffLimit 2, expected at least 3"):
        failures.retries_must_be_honoured(job, retries=2, at_least=3, runs=1)


def _version(status: str | None):
    return {"kind": "KeptnAppVersion", "metadata": {"name": "checkout-1.0.0", "uid": "v1"},
            "status": {"promotionStatus": status} if status else {}}


def test_a_phase_that_ended_after_its_last_job_finished_passes():
    recorder = _record((1.0, "ADDED", _version(None)), (7.3, "MODIFIED", _version("Progressing")),
                       (7.6, "MODIFIED", _version("Succeeded")))
    windows = [JobWindow("promote-fast-1", "promote-fast", 1.2, 2.4), JobWindow("promote-slow-1", "promote-slow", 1.3, 7.5)]
    lifecycle.phase_must_end_after_its_jobs(lifecycle.promotion_ended(recorder, "v1"), windows)


def test_a_phase_that_ended_with_its_first_task_fails():
    # the version completed when the fast task ended, 5 s before the slow one's Job finished
    recorder = _record((1.0, "ADDED", _version("Progressing")), (2.5, "MODIFIED", _version("Succeeded")))
    windows = [JobWindow("promote-fast-1", "promote-fast", 1.2, 2.4), JobWindow("promote-slow-1", "promote-slow", 1.3, 7.5)]
    with pytest.raises(AssertionError, match=r"ended while promote-slow-1 still ran: promotionStatus completed 5.000s before"):
        lifecycle.phase_must_end_after_its_jobs(lifecycle.promotion_ended(recorder, "v1"), windows)


def test_a_phase_that_ended_a_fraction_of_a_second_before_its_last_job_fails():
    recorder = _record((1.0, "ADDED", _version("Progressing")), (7.2, "MODIFIED", _version("Succeeded")))
    windows = [JobWindow("promote-a-1", "promote-a", 1.2, 7.1), JobWindow("promote-b-1", "promote-b", 1.3, 7.5)]
    with pytest.raises(AssertionError, match=r"0.300s before that Job finished"):
        lifecycle.phase_must_end_after_its_jobs(lifecycle.promotion_ended(recorder, "v1"), windows)


def test_a_phase_never_seen_completed_fails():
    recorder = _record((1.0, "ADDED", _version("Progressing")))
    with pytest.raises(AssertionError, match="never saw the version's promotionStatus completed"):
        lifecycle.promotion_ended(recorder, "v1")


@pytest.fixture
def short_waits():
    from harness import timeouts

    before = timeouts.TIMEOUTS.current
    timeouts.configure(timeouts.timeouts_of({"lifecycle": 0.3, "pollInterval": 0.05}))
    yield
    timeouts.configure(before)


def test_the_windows_are_awaited_until_every_task_has_a_finished_job(short_waits):
    tasks = [(1.0, "ADDED", _task("promote-a", "ta", "promotion")), (1.0, "ADDED", _task("promote-b", "tb", "promotion"))]
    jobs = [(1.1, "ADDED", _job("a-1", "ja", "ta")), (1.2, "ADDED", _job("b-1", "jb", "tb")),
            (3.0, "MODIFIED", _job("a-1", "ja", "ta", "Complete"))]
    finished = _record(*tasks, *jobs, (4.0, "MODIFIED", _job("b-1", "jb", "tb", "Failed")))
    jobs_finished = lifecycle.finished_job_windows(finished, windows.tasks_seen(finished, "promotion"), "promotion tasks")
    assert [(w.name, w.finished) for w in jobs_finished] == [("a-1", 3.0), ("b-1", 4.0)]
    for record in (_record(*tasks, *jobs), _record(*tasks, *jobs[:1], jobs[2])):  # one still runs; one never made
        with pytest.raises(AssertionError, match="every Job of the promotion tasks to finish; last seen: 2 KeptnTasks"):
            lifecycle.finished_job_windows(record, windows.tasks_seen(record, "promotion"), "promotion tasks")


def test_the_first_arrival_of_a_definitions_task_is_awaited(short_waits):
    recorder = _record((2.5, "ADDED", _task("promote-a", "ta", "promotion")), (2.9, "ADDED", _task("promote-b", "tb", "promotion")))
    assert lifecycle.first_task_arrival(recorder, "promotion", "promote-b") == 2.9
    with pytest.raises(AssertionError, match="a promotion KeptnTask of promote-c to be created"):
        lifecycle.first_task_arrival(recorder, "promotion", "promote-c")
