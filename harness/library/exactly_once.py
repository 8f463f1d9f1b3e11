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

    @property
    def task_count(self) -> int:
        return sum(len(names) for by_definition in self.tasks.values() for names in by_definition.values())

    @property
    def job_count(self) -> int:
        return sum(len(names) for names in self.jobs.values())

    @property
    def pod_count(self) -> int:
        return sum(len(names) for names in self.pods.values())


def count_runs(versions: list[dict], tasks: list[dict], jobs: list[dict], pods: list[dict]) -> Runs:
    """Link the objects (each given once per uid) into Runs."""
    runs = Runs()
    version_by_uid = {}
    for version in versions:
        name = version["metadata"]["name"]
        version_by_uid[version["metadata"]["uid"]] = name
        runs.versions.setdefault(version["spec"].get("appName", ""), []).append(name)
        runs.listed[name] = {check_type: list(dict.fromkeys(version["spec"].get(list_field) or []))
                             for list_field, check_type in TASK_LISTS.items()}
        runs.tasks[name] = defaultdict(list)
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
        for uid in _owner_uids(job):
            if uid in task_by_uid:
                runs.jobs[task_by_uid[uid]].append(name)
        runs.pods[name] = []
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
                        found.append(f"{version}: KeptnTask {task} had {len(jobs)} Jobs, expected 1: {jobs}")
    return found


def cluster_observations(runs: Runs) -> list[str]:
    """Jobs the cluster gave more than one pod, in words: reported beside the verdict, not in it."""
    return [f"Job {job} had {len(pods)} pods ({', '.join(pods)}): the Job controller's doing, not charged to the "
            f"implementation" for job, pods in sorted(runs.pods.items()) if len(pods) > 1]


def runs_seen_by(recorder) -> Runs:
    """Runs from a Recorder (harness.library.recorder), every object once per uid."""
    return count_runs(*(recorder.ever(kind, lambda _obj: True) for kind in ("KeptnAppVersion", "KeptnTask", "Job", "Pod")))


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
