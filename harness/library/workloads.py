"""Requirements on plain Kubernetes workloads: Jobs, pods, Deployments, garbage collection."""
from __future__ import annotations

from harness.contract.simulation import task_container
from harness.kube import Kube


def create_task_job(kube: Kube, namespace: str, name: str, run_for: str, exit_code: int,
                    backoff_limit: int = 0, active_deadline: int | None = None) -> dict:
    spec = {
        "backoffLimit": backoff_limit,
        "template": {"spec": {"restartPolicy": "Never", "containers": [task_container(run_for=run_for, exit_code=exit_code)]}},
    }
    if active_deadline is not None:
        spec["activeDeadlineSeconds"] = active_deadline
    return kube.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": namespace}, "spec": spec})


def pods_of_job(kube: Kube, namespace: str, name: str) -> list[dict]:
    return kube.list("Pod", namespace, label_selector=f"batch.kubernetes.io/job-name={name}")


def create_deployment(kube: Kube, namespace: str, name: str, replicas: int, labels: dict | None = None,
                      pod_labels: dict | None = None) -> dict:
    selector = {"app": name}
    return kube.create({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": {**selector, **(pod_labels or {})}},
                "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "command": ["sleep", "3600"]}]},
            },
        },
    })
