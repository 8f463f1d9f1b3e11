"""Finding the lifecycle's objects as the scenarios name them, for the judges (harness/judges/) and
the steps. Each function returns what it found, or raises NotYet while there is none, for a wait
around it. Objects are found the way any implementation must shape them (docs/contract.md): a
KeptnAppVersion by `spec.appName`, a promotion KeptnTask by `spec.checkType: promotion` and its
owner, a Job by its ownerReference to the KeptnTask. Nothing here knows the reference controller.
"""
from __future__ import annotations

from collections.abc import Iterable

from harness.eventually import NotYet, eventually
from harness.kube import Kube


def app_versions(kube: Kube, namespace: str, app: str) -> list[dict]:
    """The KeptnAppVersions of an app, oldest first (one without a spec, written by hand, is nobody's)."""
    versions = [v for v in kube.list("KeptnAppVersion", namespace) if (v.get("spec") or {}).get("appName") == app]
    return sorted(versions, key=lambda v: (v["metadata"]["creationTimestamp"], v["spec"].get("revision", 1)))


def which(revision: int | None, version: str | None) -> str:
    return (f" and revision {revision}" if revision else "") + (f" and spec.version {version!r}" if version else "")


def newest_app_version(kube: Kube, namespace: str, app: str, revision: int | None = None, *,
                       version: str | None = None) -> dict:
    """The app's newest KeptnAppVersion (of that revision, of that spec.version, when given); NotYet
    while there is none. For checks that run inside a wait of their own: a nested wait would end the
    outer one at its own, shorter, timeout."""
    versions = [v for v in app_versions(kube, namespace, app)
                if (revision is None or v["spec"].get("revision", 1) == revision)
                and (version is None or v["spec"].get("version") == version)]
    if not versions:
        raise NotYet(f"no KeptnAppVersion with spec.appName={app!r}{which(revision, version)}")
    return versions[-1]


def tasks_of(kube: Kube, namespace: str, owner: dict, check_type: str) -> list[dict]:
    uids = {owner["metadata"]["uid"]}
    return [t for t in kube.list("KeptnTask", namespace) if t["spec"].get("checkType") == check_type and owned_by(t, uids)]


def jobs_of(kube: Kube, namespace: str, task: dict) -> list[dict]:
    uids = {task["metadata"]["uid"]}
    return [j for j in kube.list("Job", namespace) if owned_by(j, uids)]


def said_about(kube: Kube, namespace: str, kind: str, name: str) -> list[str]:
    """What an object tells a person: its `status.message`, and the reason and message of every event
    whose involvedObject it is."""
    current = kube.get(kind, name, namespace) or {}
    texts = [message] if (message := (current.get("status") or {}).get("message")) else []
    texts += [f"{e.get('reason')}: {e.get('message')}" for e in events_about(kube, namespace, kind, name)]
    return texts


def events_about(kube: Kube, namespace: str, kind: str, name: str) -> list[dict]:
    """The events whose involvedObject is this object (its kind and name: another kind of the same name is another object)."""
    return [e for e in kube.list("Event", namespace)
            if (e.get("involvedObject") or {}).get("name") == name and (e.get("involvedObject") or {}).get("kind") == kind]


def container_runs(recorder, job: dict) -> int:
    """How often a Job's container ran, from every pod the scenario's watch saw for it: per pod,
    1 + the highest restart count it reported. A simulated cluster retries with new pods; a real
    kubelet with restartPolicy OnFailure restarts the container in the same pod, and the Job
    controller deletes the pods once the Job failed, so a final listing would find none."""
    uids = {job["metadata"]["uid"]}
    restarts: dict[str, int] = {}
    for observation in recorder.seen("Pod"):
        pod = observation.object
        if owned_by(pod, uids):
            statuses = (pod.get("status") or {}).get("containerStatuses") or []
            count = sum(s.get("restartCount", 0) for s in statuses)
            restarts[pod["metadata"]["uid"]] = max(restarts.get(pod["metadata"]["uid"], 0), count)
    return sum(1 + count for count in restarts.values())


def owned_by(obj: dict, uids: Iterable[str]) -> bool:
    """Whether one of the object's ownerReferences names one of `uids`."""
    return any(ref.get("uid") in uids for ref in obj["metadata"].get("ownerReferences") or [])


def wait_until_gone(kube: Kube, kind: str, namespace: str, name: str) -> None:
    """Wait (the object-state timeout) until the object no longer exists."""
    def gone() -> None:
        if kube.get(kind, name, namespace) is not None:
            raise NotYet(f"{kind} {namespace}/{name} still exists")

    eventually(gone, f"{kind} {namespace}/{name} to be deleted")
