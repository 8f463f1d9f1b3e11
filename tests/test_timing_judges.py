"""Order and parallel execution judged from the watch's arrival times (sub-second, a clock the
implementation does not write): each judge fails on the input it exists to refuse."""
from __future__ import annotations

import pytest

from harness.library import timing
from harness.library.recorder import Observation, Recorder
from harness.library.timing import JobWindow


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
    post = timing.job_windows(recorder, timing.tasks_seen(recorder, "post"))
    return {"the last post-deployment Job finished": timing.last_finished(post, "post-deployment tasks"),
            "the metric availability reached its target": 12.0}


def test_promotion_after_the_post_jobs_and_the_metric_passes():
    recorder = _record(*POST, (12.4, "ADDED", _task("promote-a", "ta", "promotion")))
    first, name = timing.first_promotion_task(recorder, "v1")
    timing.must_start_after(first, name, _moments(recorder))


def test_promotion_created_0_8_s_before_the_evaluation_could_pass_fails():
    # promotion started when the post tasks ended, without waiting for the evaluation
    recorder = _record(*POST, (11.2, "ADDED", _task("promote-a", "ta", "promotion")))
    first, name = timing.first_promotion_task(recorder, "v1")
    with pytest.raises(AssertionError, match=r"promotion KeptnTask promote-a appeared 0.800s before the metric "
                                             r"availability reached its target"):
        timing.must_start_after(first, name, _moments(recorder))


def test_promotion_in_the_same_second_as_the_post_job_but_before_it_fails():
    # whole seconds would call these equal; the arrival times are 0.3 s apart
    recorder = _record(*POST, (9.7, "ADDED", _task("promote-a", "ta", "promotion")))
    first, name = timing.first_promotion_task(recorder, "v1")
    with pytest.raises(AssertionError, match=r"0.300s before the last post-deployment Job finished"):
        timing.must_start_after(first, name, _moments(recorder))


def test_a_post_job_that_has_not_finished_or_was_never_seen_fails():
    with pytest.raises(AssertionError, match=r"the Jobs \['post-check-1'\] of the post-deployment tasks have not finished"):
        timing.last_finished(timing.job_windows(_record(*POST[:2]), timing.tasks_seen(_record(*POST[:2]), "post")),
                             "post-deployment tasks")
    with pytest.raises(AssertionError, match="no Job of the post-deployment tasks was seen"):
        timing.last_finished([], "post-deployment tasks")
    with pytest.raises(AssertionError, match="no promotion KeptnTask was observed"):
        timing.first_promotion_task(_record(*POST))


def test_job_windows_come_from_arrivals_of_creation_and_of_the_terminal_condition():
    recorder = _record((1.0, "ADDED", _task("promote-a", "ta", "promotion")),
                       (1.2, "ADDED", _job("promote-a-1", "ja", "ta")),
                       (3.0, "MODIFIED", _job("promote-a-1", "ja", "ta")),
                       (6.3, "MODIFIED", _job("promote-a-1", "ja", "ta", "Failed")),
                       (7.0, "MODIFIED", _job("promote-a-1", "ja", "ta", "Failed")))
    assert timing.job_windows(recorder, timing.tasks_seen(recorder, "promotion")) == [
        JobWindow("promote-a-1", "promote-a", 1.2, 6.3)]


PARALLEL = [JobWindow("a", "ta", 1.00, 6.2), JobWindow("b", "tb", 1.05, 6.3), JobWindow("c", "tc", 1.10, 6.1)]
SEQUENTIAL = [JobWindow("a", "ta", 1.0, 6.0), JobWindow("b", "tb", 6.4, 11.5)]


def test_parallel_jobs_pass_every_parallel_judge():
    timing.all_must_exist_before_the_first_finished(PARALLEL)
    timing.windows_must_overlap(PARALLEL)
    assert timing.must_span_less_than(PARALLEL, 10.0) == pytest.approx(5.3)


def test_jobs_run_one_after_another_fail_every_parallel_judge():
    with pytest.raises(AssertionError, match=r"created after the first promotion Job finished: b \(0.400s after\)"):
        timing.all_must_exist_before_the_first_finished(SEQUENTIAL)
    with pytest.raises(AssertionError, match="did not all run at once: b was created 0.400s after a finished"):
        timing.windows_must_overlap(SEQUENTIAL)
    with pytest.raises(AssertionError, match=r"took 10.50s .* expected less than 10.0s for 2 Jobs"):
        timing.must_span_less_than(SEQUENTIAL, 10.0)


def test_a_job_created_a_fraction_of_a_second_after_the_first_finished_is_not_parallel():
    windows = [JobWindow("a", "ta", 1.0, 6.0), JobWindow("b", "tb", 6.2, 11.0)]
    with pytest.raises(AssertionError, match=r"b \(0.200s after\)"):
        timing.all_must_exist_before_the_first_finished(windows)
