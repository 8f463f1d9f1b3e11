"""Judges of the cluster's own workloads (features/cluster: the cluster under the suite works), on
fake API answers: each fails on what it exists to refuse."""
from __future__ import annotations

import pytest

from fakes.cluster_reads import FakeKube
from harness import timeouts
from harness.eventually import WaitTimedOut
from harness.judges import cluster
from harness.timeouts import timeouts_of


@pytest.fixture(autouse=True)
def _short_waits():
    timeouts.configure(timeouts_of({"objectState": 0.3, "pollInterval": 0.05}))
    yield
    timeouts.configure(timeouts_of({}))


def _job(status: dict) -> dict:
    return {"metadata": {"name": "broken"}, "status": status}


FAILED_BACKOFF = {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}


def test_a_job_must_reach_the_condition_with_the_reason():
    kube = FakeKube({"Job": [_job(FAILED_BACKOFF)]})
    cluster.job_must_reach_condition(kube, "t-1", "broken", "Failed", "BackoffLimitExceeded")
    with pytest.raises(AssertionError, match="has Failed with reason 'BackoffLimitExceeded', expected 'DeadlineExceeded'"):
        cluster.job_must_reach_condition(kube, "t-1", "broken", "Failed", "DeadlineExceeded")
    with pytest.raises(WaitTimedOut, match="condition Complete"):
        cluster.job_must_reach_condition(kube, "t-1", "broken", "Complete")
    with pytest.raises(WaitTimedOut, match="does not exist"):
        cluster.job_must_reach_condition(FakeKube({}), "t-1", "broken", "Failed")


def test_a_job_must_have_run_at_least_its_time():
    kube = FakeKube({"Job": [_job({"startTime": "2026-12-03T08:00:00Z", "completionTime": "2026-12-03T08:00:03Z"})]})
    cluster.job_must_have_run_at_least(kube, "t-1", "broken", 3)
    with pytest.raises(AssertionError, match="ran 3s .* expected at least 4s"):
        cluster.job_must_have_run_at_least(kube, "t-1", "broken", 4)


def test_a_job_must_have_had_its_pods():
    pods = [{"metadata": {"name": f"broken-{i}"}, "status": {"phase": "Failed"}} for i in range(2)]
    cluster.job_must_have_pods(FakeKube({"Pod": pods}), "t-1", "broken", 2)
    with pytest.raises(AssertionError, match=r"had 2 pods \(\['Failed', 'Failed'\]\), expected 3"):
        cluster.job_must_have_pods(FakeKube({"Pod": pods}), "t-1", "broken", 3)


def test_a_deployment_must_be_available_with_every_replica_ready():
    def deployment(ready: int, available: str) -> dict:
        return {"metadata": {"name": "web"}, "status": {"readyReplicas": ready,
                                                       "conditions": [{"type": "Available", "status": available}]}}

    cluster.deployment_must_become_available(FakeKube({"Deployment": [deployment(2, "True")]}), "t-1", "web", 2)
    for found in ([deployment(1, "True")], [deployment(2, "False")], []):
        with pytest.raises(WaitTimedOut, match="Deployment t-1/web Available with 2 ready replicas"):
            cluster.deployment_must_become_available(FakeKube({"Deployment": found}), "t-1", "web", 2)


def test_an_object_must_be_gone():
    cluster.object_must_be_gone(FakeKube({}), "ConfigMap", "t-1", "owned")
    with pytest.raises(WaitTimedOut, match="ConfigMap t-1/owned to be deleted; last seen: ConfigMap t-1/owned still exists"):
        cluster.object_must_be_gone(FakeKube({"ConfigMap": [{"metadata": {"name": "owned"}}]}), "ConfigMap", "t-1", "owned")
