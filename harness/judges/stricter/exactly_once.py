"""Exactly once (docs/contract.md §6), judged from what a scenario's namespace ever had.

The counts come from the scenario's Recorder, which saw every KeptnAppVersion, KeptnTask, Job and
pod ever created in the namespace, including Jobs that ttlSecondsAfterFinished removed long before
the scenario looks. Objects are linked the way the contract shapes them: a KeptnTask to its version
by ownerReference and `spec.checkType` / `spec.taskDefinition`, a Job to its KeptnTask and a pod to
its Job by ownerReference (by uid, so a deleted and re-created object counts twice).

An implementation answers for its KeptnTasks and Jobs. Pods belong to the cluster (docs/contract.md §5): the
Job controller may make a second pod for a Job (a retry, or a pod re-created when its create answer
was lost in an API server restart), so pods per Job are an observation, never a verdict.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from harness.contract.phases import TASK_LISTS


@dataclass
class Runs:
    """Everything that ran, as ever observed: per version, its tasks by (checkType, definition);
    per task its Jobs; per Job its pods. Values are object names, one per distinct uid."""

    versions: dict[str, list[str]] = field(default_factory=dict)  # appName → KeptnAppVersion names
    listed: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # version → checkType → definitions
    tasks: dict[str, dict[tuple[str, str], list[str]]] = field(default_factory=dict)  # version → (checkType, definition) → tasks
    jobs: dict[str, list[str]] = field(default_factory=dict)  # task → Jobs
    pods: dict[str, list[str]] = field(default_factory=dict)  # Job → pods
    # Job → "(created <time> by KeptnTask <owner>[, deleted <time>])": what a verdict shows of a Job
    job_details: dict[str, str] = field(default_factory=dict)
    status: dict[str, dict] = field(default_factory=dict)  # version → its last status seen

    @property
    def task_count(self) -> int:
        return sum(len(names) for by_definition in self.tasks.values() for names in by_definition.values())

    @property
    def job_count(self) -> int:
        return sum(len(names) for names in self.jobs.values())

    @property
    def pod_count(self) -> int:
        return sum(len(names) for names in self.pods.values())


def count_runs(versions: list[dict], tasks: list[dict], jobs: list[dict], pods: list[dict],
               deleted: dict[str, float] | None = None, statuses: dict[str, dict] | None = None) -> Runs:
    """Link the objects (each given once per uid) into Runs. `deleted`: uid → when the watch saw
    the object deleted; `statuses`: uid → the last status seen of a version."""
    deleted, statuses = deleted or {}, statuses or {}
    runs = Runs()
    version_by_uid = {}
    for version in versions:
        name = version["metadata"]["name"]
        version_by_uid[version["metadata"]["uid"]] = name
        runs.versions.setdefault(version["spec"].get("appName", ""), []).append(name)
        runs.listed[name] = {check_type: list(dict.fromkeys(version["spec"].get(list_field) or []))
                             for list_field, check_type in TASK_LISTS.items()}
        runs.tasks[name] = defaultdict(list)
        runs.status[name] = statuses.get(version["metadata"]["uid"], version.get("status") or {})
    task_by_uid = {}
    for task in tasks:
        name = task["metadata"]["name"]
        task_by_uid[task["metadata"]["uid"]] = name
        owner = next((version_by_uid[uid] for uid in _owner_uids(task) if uid in version_by_uid), None)
        if owner is not None:
            runs.tasks[owner][(task["spec"].get("checkType", ""), task["spec"].get("taskDefinition", ""))].append(name)
        runs.jobs[name] = []
    job_by_uid = {}
    for job in jobs:
        name = job["metadata"]["name"]
        job_by_uid[job["metadata"]["uid"]] = name
        owners = [task_by_uid[uid] for uid in _owner_uids(job) if uid in task_by_uid]
        for owner in owners:
            runs.jobs[owner].append(name)
        runs.pods[name] = []
        created = job["metadata"].get("creationTimestamp") or "at an unknown time"
        detail = f"created {created} by " + (", ".join(f"KeptnTask {owner}" for owner in owners) or "no KeptnTask")
        if job["metadata"]["uid"] in deleted:
            detail += f", deleted {_clock(deleted[job['metadata']['uid']])}"
        runs.job_details[name] = f"{name} ({detail})"
    for pod in pods:
        for uid in _owner_uids(pod):
            if uid in job_by_uid:
                runs.pods[job_by_uid[uid]].append(pod["metadata"]["name"])
    return runs


def problems(runs: Runs, apps: dict[str, dict[str, list[str]]]) -> list[str]:
    """Every way the runs differ from exactly once, in words; empty when all is well.

    `apps`: per KeptnApp, the task lists its KeptnAppContext has (`promotionTasks`: [...], ...).
    For each app: one KeptnAppVersion, listing what the context lists; for each listed definition
    one KeptnTask of its checkType, none of a definition not listed; each task one Job.
    """
    found = []
    for app, lists in apps.items():
        versions = runs.versions.get(app, [])
        if len(versions) != 1:
            found.append(f"KeptnApp {app}: {len(versions)} KeptnAppVersions ({', '.join(versions) or 'none'}), expected 1")
        wanted = {TASK_LISTS[name]: list(dict.fromkeys(definitions)) for name, definitions in lists.items()
                  if name in TASK_LISTS and definitions}
        for version in versions:
            copied = {check_type: definitions for check_type, definitions in runs.listed[version].items() if definitions}
            if copied != wanted:
                found.append(f"{version} lists {copied}, its KeptnAppContext {wanted}")
            listed = {(check_type, d) for check_type, definitions in wanted.items() for d in definitions}
            ran = runs.tasks[version]
            for check_type, definition in sorted(listed | set(ran)):
                names = ran.get((check_type, definition), [])
                if (check_type, definition) not in listed:
                    found.append(f"{version}: {len(names)} {check_type} KeptnTask(s) of {definition}, which it does not list: {names}")
                elif len(names) != 1:
                    found.append(f"{version}: {len(names)} {check_type} KeptnTasks of {definition}, expected 1: {names}")
                for task in names:
                    jobs = runs.jobs.get(task, [])
                    if len(jobs) != 1:
                        found.append(f"{version}: KeptnTask {task} had {len(jobs)} Jobs, expected 1: "
                                     + (", ".join(runs.job_details.get(job, job) for job in jobs) or "none"))
    return found


def explained(error: AssertionError, recorder, app: str, lists: dict[str, list[str]]) -> AssertionError:
    """`error` (a version that did not complete in time) with what the record shows first: the
    version's last status, the tasks never created, a task with more than one Job (each with when it
    was created and deleted, and its owner), so that a timeout is a verdict one can check."""
    runs = runs_seen_by(recorder)
    versions = runs.versions.get(app, [])
    if not versions:
        return AssertionError(f"KeptnApp {app} did not complete: no KeptnAppVersion of it was ever created\n{error}")
    lines = []
    for version in versions:
        seen = [_status_words(runs.status.get(version) or {})]
        wanted = [(TASK_LISTS[name], definition) for name, definitions in lists.items() if name in TASK_LISTS
                  for definition in dict.fromkeys(definitions)]
        for check_type, definition in wanted:
            tasks = runs.tasks[version].get((check_type, definition), [])
            if not tasks:
                seen.append(f"no {check_type} KeptnTask of {definition} was ever created")
            elif len(tasks) > 1:
                seen.append(f"{len(tasks)} {check_type} KeptnTasks of {definition}: {', '.join(tasks)}")
            for task in tasks:
                jobs = runs.jobs.get(task, [])
                if len(jobs) > 1:
                    seen.append(f"KeptnTask {task} had {len(jobs)} Jobs, expected 1: "
                                + ", ".join(runs.job_details.get(job, job) for job in jobs))
        lines.append(f"{version} did not complete: " + "; ".join(seen))
    return AssertionError("\n".join([*lines, str(error)]))


def explained_all(error: AssertionError, recorder, apps: dict[str, dict[str, list[str]]]) -> AssertionError:
    """`explained` for every app of `apps` at once: one line per app version, then `error`."""
    lines = [str(explained(AssertionError(), recorder, app, lists)).rstrip("\n") for app, lists in apps.items()]
    return AssertionError("\n".join([*lines, str(error)]))


def _status_words(status: dict) -> str:
    if not status:
        return "status none"
    words = [f"status {status.get('status', 'none')}"]
    for key in ("currentPhase", "promotionStatus"):
        if key in status:
            words.append(f"{key} {status[key]}")
    if "promotionTaskStatus" in status:
        items = ", ".join(f"{item.get('definitionName')}: {item.get('status')}" for item in status["promotionTaskStatus"] or [])
        words.append(f"promotionTaskStatus [{items}]")
    return ", ".join(words)


def _clock(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%H:%M:%SZ")


def cluster_observations(runs: Runs) -> list[str]:
    """Jobs the cluster gave more than one pod, in words: reported beside the verdict, not in it."""
    return [f"Job {job} had {len(pods)} pods ({', '.join(pods)}): the Job controller's doing, not charged to the "
            f"implementation" for job, pods in sorted(runs.pods.items()) if len(pods) > 1]


def runs_seen_by(recorder) -> Runs:
    """Runs from a Recorder (harness.library.recorder), every object once per uid, with when the
    watch saw each deleted and each version's last status."""
    deleted = {o.object["metadata"]["uid"]: o.received for kind in ("KeptnTask", "Job")
               for o in recorder.seen(kind) if o.type == "DELETED"}
    statuses = {o.object["metadata"]["uid"]: o.object.get("status") or {} for o in recorder.seen("KeptnAppVersion")}
    return count_runs(*(recorder.ever(kind, lambda _obj: True) for kind in ("KeptnAppVersion", "KeptnTask", "Job", "Pod")),
                      deleted=deleted, statuses=statuses)


COUNTED = ("KeptnAppVersion", "KeptnTask", "Job")


def each_task_must_have_run_once(recorder, apps: dict[str, dict[str, list[str]]]) -> Runs:
    """Fail with every deviation from exactly once, naming the version, task and Job; a record with
    gaps in what it counts cannot show exactly once, so it fails too."""
    recorder.must_be_complete(COUNTED)
    runs = runs_seen_by(recorder)
    found = problems(runs, apps)
    assert not found, (f"exactly once does not hold ({runs.task_count} KeptnTasks, {runs.job_count} Jobs "
                       f"observed):\n  " + "\n  ".join(found))
    return runs


def _owner_uids(obj: dict) -> list[str]:
    return [ref.get("uid") for ref in obj["metadata"].get("ownerReferences") or []]
