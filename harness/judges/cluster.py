"""Judges of the cluster the suite runs on: Jobs, pods, Deployments and garbage collection as
Kubernetes itself behaves (features/cluster). No rule of the contract: they show that a provider's
cluster is fit before any implementation is judged on it."""
from __future__ import annotations

from datetime import datetime

from harness.eventually import NotYet, eventually
from harness.kube import Kube
from harness.library import describe, lookups
from harness.library.workloads import pods_of_job


def job_must_reach_condition(kube: Kube, namespace: str, name: str, condition: str, reason: str | None = None) -> dict:
    def check() -> dict:
        job = kube.get("Job", name, namespace)
        if job is None:
            raise NotYet(f"Job {namespace}/{name} does not exist")
        for cond in (job.get("status") or {}).get("conditions") or []:
            if cond["type"] == condition and cond["status"] == "True":
                if reason and cond.get("reason") != reason:
                    raise AssertionError(f"Job {namespace}/{name} has {condition} with reason {cond.get('reason')!r}, expected {reason!r}")
                return job
        raise NotYet(f"Job {namespace}/{name}: {describe.conditions(job)}")

    return eventually(check, f"Job {namespace}/{name} condition {condition}" + (f" with reason {reason}" if reason else ""))



def job_must_have_run_at_least(kube: Kube, namespace: str, name: str, seconds: float) -> None:
    status = kube.get("Job", name, namespace)["status"]
    started = datetime.fromisoformat(status["startTime"])
    ended = datetime.fromisoformat(status["completionTime"])
    ran = (ended - started).total_seconds()
    assert ran >= seconds, f"Job {namespace}/{name} ran {ran:.0f}s (startTime {status['startTime']}, completionTime {status['completionTime']}), expected at least {seconds}s"



def job_must_have_pods(kube: Kube, namespace: str, name: str, count: int) -> None:
    pods = pods_of_job(kube, namespace, name)
    phases = [p["status"].get("phase") for p in pods]
    assert len(pods) == count, f"Job {namespace}/{name} had {len(pods)} pods ({phases}), expected {count}"



def deployment_must_become_available(kube: Kube, namespace: str, name: str, replicas: int) -> None:
    def check() -> None:
        deployment = kube.get("Deployment", name, namespace)
        status = (deployment or {}).get("status") or {}
        available = any(c["type"] == "Available" and c["status"] == "True" for c in status.get("conditions") or [])
        if not (available and status.get("readyReplicas") == replicas):
            raise NotYet(f"Deployment {namespace}/{name}: readyReplicas={status.get('readyReplicas')}, {describe.conditions(deployment or {})}")

    eventually(check, f"Deployment {namespace}/{name} Available with {replicas} ready replicas")



def object_must_be_gone(kube: Kube, kind: str, namespace: str, name: str) -> None:
    lookups.wait_until_gone(kube, kind, namespace, name)
