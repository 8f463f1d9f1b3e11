"""Issue 16: the benchmark times phases from clocks the implementation does not write, the arrival
times of the harness's watch, read with the suite's own judges (harness/library/windows.py, harness/judges/lifecycle.py), and
says what it could not measure instead of timing half a phase."""
from __future__ import annotations

from pathlib import Path

import pytest

from harness.bench import moments
from harness.bench.measured_implementation import Exited, Measured, NotMeasurable
from harness.bench.command import _parser as run_parser
from harness.bench.command import column_names
from harness.bench.workload import Space
from harness.implementations.adapter import Adapter
from harness.library.recorder import Observation, Recorder


def _task(name, uid, check_type, owner="v1", status=None):
    return {"kind": "KeptnTask", "metadata": {"name": name, "uid": uid, "ownerReferences": [{"uid": owner}]},
            "spec": {"checkType": check_type, "taskDefinition": name}, "status": status or {}}


def _job(name, uid, task_uid, condition=None):
    conditions = [{"type": condition, "status": "True"}] if condition else []
    return {"kind": "Job", "metadata": {"name": name, "uid": uid, "ownerReferences": [{"uid": task_uid}]},
            "status": {"conditions": conditions}}


def _version(state, uid="v1"):
    return {"kind": "KeptnAppVersion", "metadata": {"name": "shop-v1", "uid": uid}, "spec": {"appName": "shop"},
            "status": {"status": state}}


def _record(*events) -> Recorder:
    recorder = Recorder(kube=None, namespace="t-1")
    recorder.observations += [Observation(obj["kind"], kind, obj, at) for at, kind, obj in events]
    return recorder


# A version whose post Job finished at 10.0 (the Job controller's write, seen by the watch), whose
# implementation wrote the post task's endTime as 9.0 (its own clock, wrong) and whose two
# promotion tasks appeared at 10.3 and 10.4, their Jobs at 10.5 and 10.9, done at 16.0 and 16.2.
LIFECYCLE = [
    (1.0, "ADDED", _task("post-a", "tp", "post", status={"endTime": "9.0"})),
    (1.1, "ADDED", _job("post-a-1", "jp", "tp")),
    (10.0, "MODIFIED", _job("post-a-1", "jp", "tp", "Complete")),
    (10.3, "ADDED", _task("promote-a", "ta", "promotion")),
    (10.4, "ADDED", _task("promote-b", "tb", "promotion")),
    (10.5, "ADDED", _job("promote-a-1", "ja", "ta")),
    (10.9, "ADDED", _job("promote-b-1", "jb", "tb")),
    (16.0, "MODIFIED", _job("promote-a-1", "ja", "ta", "Complete")),
    (16.2, "MODIFIED", _job("promote-b-1", "jb", "tb", "SuccessCriteriaMet")),
    (16.1, "MODIFIED", _version("Progressing")),
    (16.6, "MODIFIED", _version("Succeeded")),
    (17.0, "MODIFIED", _version("Succeeded")),
]


def test_the_phase_starts_when_the_watch_saw_the_post_job_finish_not_at_the_implementations_end_time():
    assert moments.post_jobs_finished(_record(*LIFECYCLE), "v1") == 10.0


def test_promotion_moments_are_first_and_last_arrivals_of_its_tasks_and_jobs():
    assert moments.promotion(_record(*LIFECYCLE), "v1", expected=2) == {
        "firstTask": 10.3, "lastTask": 10.4, "lastJob": 10.9, "lastJobFinished": 16.2}


def test_the_version_ended_when_the_watch_first_saw_it_final():
    assert moments.version_ended(_record(*LIFECYCLE), "v1") == 16.6


def test_a_phase_the_watch_saw_only_part_of_is_not_measured():
    missing_job = [event for event in LIFECYCLE if event[2]["metadata"]["name"] != "promote-b-1"]
    with pytest.raises(moments.Unmeasured, match="saw 2 promotion KeptnTasks and 1 Jobs of version v1, expected 2"):
        moments.promotion(_record(*missing_job), "v1", expected=2)


def test_a_promotion_job_still_running_leaves_the_phase_unmeasured():
    running = [event for event in LIFECYCLE if event[0] != 16.2]
    with pytest.raises(moments.Unmeasured, match=r"promote-b-1.*have not finished"):
        moments.promotion(_record(*running), "v1", expected=2)


def test_a_post_job_never_seen_finished_leaves_the_start_unmeasured():
    with pytest.raises(moments.Unmeasured, match="have not finished"):
        moments.post_jobs_finished(_record(*LIFECYCLE[:2]), "v1")


def test_a_version_never_seen_final_is_not_measured():
    with pytest.raises(moments.Unmeasured, match="never saw KeptnAppVersion v1 end"):
        moments.version_ended(_record(*LIFECYCLE[:-2]), "v1")


def test_latest_keeps_the_last_version_of_each_object_and_drops_deleted_ones():
    record = _record(*LIFECYCLE, (18.0, "DELETED", _job("post-a-1", "jp", "tp", "Complete")))
    jobs = {job["metadata"]["name"]: job for job in record.latest("Job")}
    assert set(jobs) == {"promote-a-1", "promote-b-1"}
    assert jobs["promote-b-1"]["status"]["conditions"][0]["type"] == "SuccessCriteriaMet"


# -- what the harness can measure of an implementation ---------------------------------------

def _measured(spec: dict, tmp_path: Path) -> Measured:
    measured = Measured.__new__(Measured)  # no cluster: only the adapter's reading is tested
    measured.adapter = Adapter(path=tmp_path / "impl.yaml", name="impl", spec=spec)
    measured.name = "impl"
    measured.implementation = type("Stopped", (), {"pid": staticmethod(lambda: None)})()
    return measured


def test_an_implementation_in_the_cluster_has_no_process_to_measure(tmp_path):
    measured = _measured({"run": {"mode": "in-cluster"}, "featureFlag": {"enable": [["x"]], "disable": [["y"]]}}, tmp_path)
    with pytest.raises(NotMeasurable, match="runs in the cluster .* sees no process of it"):
        measured.process_group()
    assert measured.flag_unavailable() is None


def test_a_stopped_process_has_nothing_to_measure(tmp_path):
    with pytest.raises(NotMeasurable, match="impl is not running"):
        _measured({"run": {"mode": "process"}}, tmp_path).process_group()


@pytest.mark.parametrize("flag", [None, {"env": ""}, {"enable": [["x"]]}])
def test_without_a_way_to_turn_promotion_off_the_overhead_cannot_be_measured(tmp_path, flag):
    spec = {"run": {"mode": "process" if flag is None or "env" in flag else "in-cluster"}}
    if flag is not None:
        spec["featureFlag"] = flag
    assert "gives no featureFlag" in _measured(spec, tmp_path).flag_unavailable()


def test_two_adapters_with_the_same_name_get_two_columns():
    assert column_names(["reference", "promotion-controller", "promotion-controller"]) == [
        "reference", "promotion-controller", "promotion-controller-2"]


def test_a_local_implementation_that_exited_says_its_last_error(tmp_path):
    measured = _measured({"run": {"mode": "process"}}, tmp_path)
    log = "INFO caches synced\nERROR harness.controller: lost the leader Lease; exiting\nERROR later trace\nINFO bye"
    measured.implementation = type("Gone", (), {"alive": staticmethod(lambda: False),
                                                "log_tail": staticmethod(lambda lines: log)})()
    assert measured.exited() == "impl exited; its log: ERROR harness.controller: lost the leader Lease; exiting"
    measured.implementation.alive = staticmethod(lambda: True)
    assert measured.exited() is None


def test_waiting_for_an_implementation_that_exited_stops_at_once_saying_why():
    space = Space.__new__(Space)  # no cluster: only the wait is tested
    space.say, space._exited = print, lambda: "impl exited; its log: ERROR lost the leader Lease"
    with pytest.raises(Exited, match="while waiting for the versions to end: impl exited; its log: ERROR lost"):
        space.wait(lambda: False, "the versions to end", timeout=60)


def test_a_version_is_found_by_its_app_and_the_index_follows_the_record():
    space = Space.__new__(Space)  # no cluster: only the lookup is tested
    space.record, space._versions, space._indexed_at = _record(*LIFECYCLE[:10]), {}, -1
    assert space.version_of("shop")["status"]["status"] == "Progressing"
    space.record.observations.append(Observation("KeptnAppVersion", "MODIFIED", _version("Succeeded"), 16.6))
    assert space.version_of("shop")["status"]["status"] == "Succeeded"
    assert space.version_of("cart") is None


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_time_limit_must_be_a_positive_number_of_seconds(value, capsys):
    with pytest.raises(SystemExit) as stop:
        run_parser().parse_args(["--stage-timeout", value])
    assert stop.value.code == 2 and f'"{value}": expected a number of seconds above 0' in capsys.readouterr().err
