"""The host runner of the simulated cluster: which pods it runs, with what environment and command,
within which deadline, and the status it reports (a real process, a fake API)."""
from __future__ import annotations

import threading

import pytest

from harness.clusters import host_runner
from harness.clusters.host_runner import CannotRun, HostRunner


def pod(env=None, command=("sh", "-c", "echo hi"), name="p", **spec) -> dict:
    container = {"name": "task", "image": "img", "command": list(command), "env": env if env is not None else
                 [{"name": "SIM_RUN", "value": "host"}]}
    return {"metadata": {"name": name, "namespace": "ns", "uid": f"uid-{name}", "ownerReferences": []},
            "spec": {"containers": [container], **spec}, "status": {"phase": "Running"}}


def test_only_pods_whose_task_container_asks_are_run():
    assert host_runner.asks_for_host(pod())
    assert not host_runner.asks_for_host(pod(env=[{"name": "SIM_RUN", "value": "kwok"}]))
    assert not host_runner.asks_for_host(pod(env=[]))
    assert not host_runner.asks_for_host({"spec": {}})


def test_references_expand_as_kubernetes_expands_them():
    env = {"A": "1", "B": "two"}
    assert host_runner.expand("$(A)-$(B)-$(C)-$$(A)", env) == "1-two-$(C)-$(A)"


def test_the_environment_is_the_containers_own_with_field_references():
    container = pod()["spec"]["containers"][0]
    container["env"] += [{"name": "X", "value": "x"}, {"name": "Y", "value": "$(X)y"},
                         {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    assert host_runner.environment(pod(), container) == {"SIM_RUN": "host", "X": "x", "Y": "xy", "POD": "p"}


def test_values_from_secrets_are_refused_naming_the_variable():
    container = {"name": "c", "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}
    with pytest.raises(CannotRun, match="env TOKEN takes its value from secretKeyRef"):
        host_runner.environment(pod(), container)


def test_a_container_without_command_cannot_run_here():
    with pytest.raises(CannotRun, match="no command"):
        host_runner.command_of({"name": "c", "args": ["x"]}, {})
    assert host_runner.command_of({"command": ["echo", "$(A)"], "args": ["b"]}, {"A": "a"}) == ["echo", "a", "b"]


def test_the_deadline_is_the_pods_else_its_jobs_else_keptns_default():
    assert host_runner.deadline_of(pod(activeDeadlineSeconds=7), {"spec": {"activeDeadlineSeconds": 9}}) == 7
    assert host_runner.deadline_of(pod(), {"spec": {"activeDeadlineSeconds": 9}}) == 9
    assert host_runner.deadline_of(pod(), None) == host_runner.DEFAULT_DEADLINE


class FakeCore:
    """CoreV1Api as far as the runner uses it: status patches are recorded."""

    def __init__(self):
        self.patches = []
        self.api_client = self

    def patch_namespaced_pod_status(self, name, namespace, body):
        self.patches.append((name, namespace, body))


def run_one(tmp_path, the_pod) -> dict:
    core = FakeCore()
    runner = HostRunner(core, tmp_path, say=lambda _m: None)
    runner.runs[the_pod["metadata"]["uid"]] = host_runner.Run()
    runner._run(the_pod)
    assert len(core.patches) == 1
    return core.patches[0][2]["status"]


def test_a_run_reports_exit_code_and_log_tail_as_a_kubelet_does(tmp_path):
    status = run_one(tmp_path, pod(command=["sh", "-c", 'echo "in $PWD as $SIM_RUN"; exit 3']))
    terminated = status["containerStatuses"][0]["state"]["terminated"]
    assert status["phase"] == "Failed" and terminated["exitCode"] == 3 and terminated["reason"] == "Error"
    assert terminated["message"] == f"in {tmp_path / 'ns' / 'p'} as host"
    assert (tmp_path / "ns" / "p" / "log").read_text().strip() == terminated["message"]
    assert run_one(tmp_path, pod(name="q", command=["true"]))["phase"] == "Succeeded"


def test_the_host_environment_does_not_leak_into_the_container(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", "/secret/admin.yaml")
    status = run_one(tmp_path, pod(command=["sh", "-c", 'test -z "$KUBECONFIG"']))
    assert status["phase"] == "Succeeded"


def test_a_run_past_its_deadline_is_killed(tmp_path):
    status = run_one(tmp_path, pod(command=["sleep", "30"], activeDeadlineSeconds=1))
    terminated = status["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 137 and "deadline of 1s" in terminated["message"]


def test_a_pod_that_cannot_run_here_fails_saying_why(tmp_path):
    status = run_one(tmp_path, pod(command=[]))
    assert status["phase"] == "Failed" and "no command" in status["containerStatuses"][0]["state"]["terminated"]["message"]


def test_each_pod_runs_once(tmp_path):
    runner = HostRunner(FakeCore(), tmp_path, say=lambda _m: None)
    started = []
    runner._run = started.append  # record instead of running
    the_pod = pod()
    for _ in range(3):
        runner._seen("MODIFIED", the_pod)
    runner._seen("MODIFIED", pod(name="other", env=[]))  # does not ask
    runner._seen("ADDED", {**pod(name="pending"), "status": {"phase": "Pending"}})  # not Running yet
    for thread in threading.enumerate():
        if thread.name.startswith("run "):
            thread.join()
    assert [p["metadata"]["name"] for p in started] == ["p"]
