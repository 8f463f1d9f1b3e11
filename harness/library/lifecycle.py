"""Requirements on the app lifecycle, phrased as the scenarios phrase them.

Each function either returns what it found or fails with expected vs. observed and the object's
current status. Objects are found the way any implementation must shape them (docs/contract.md): a
KeptnAppVersion by `spec.appName`, a promotion KeptnTask by `spec.checkType: promotion` and its
owner, a Job by its ownerReference to the KeptnTask. Nothing here knows the reference controller.
"""
from __future__ import annotations

import time

from harness.contract.states import COMPLETED
from harness.eventually import NotYet, eventually, never
from harness.library import describe, task_contract
from harness.library.kube import Kube
from harness.settings import TIMEOUTS

# The phase item lists of a KeptnAppVersion status that come before promotion (docs/contract.md §3).
POST_DEPLOYMENT_ITEMS = ("postDeploymentTaskStatus", "postDeploymentEvaluationTaskStatus")


def app_versions(kube: Kube, namespace: str, app: str) -> list[dict]:
    """The KeptnAppVersions of an app, oldest first (one without a spec, written by hand, is nobody's)."""
    versions = [v for v in kube.list("KeptnAppVersion", namespace) if (v.get("spec") or {}).get("appName") == app]
    return sorted(versions, key=lambda v: (v["metadata"]["creationTimestamp"], v["spec"].get("revision", 1)))


def _which(revision: int | None, version: str | None) -> str:
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
        raise NotYet(f"no KeptnAppVersion with spec.appName={app!r}{_which(revision, version)}")
    return versions[-1]


def latest_app_version(kube: Kube, namespace: str, app: str, revision: int | None = None, *,
                       version: str | None = None) -> dict:
    """Wait until the app has a KeptnAppVersion (of that revision, of that spec.version); the newest."""
    return eventually(lambda: newest_app_version(kube, namespace, app, revision, version=version),
                      f"a KeptnAppVersion of KeptnApp {namespace}/{app}{_which(revision, version).replace(' and', ',')}")


def app_version_must_reach(kube: Kube, namespace: str, app: str, expected: dict[str, str], revision: int | None = None, *,
                           version: str | None = None) -> dict:
    """Wait until the app's newest KeptnAppVersion status has every expected field value.

    A version that completed (contract §1: a completed state and `endTime`) with other values fails
    the wait once it held them for TIMEOUTS.absence, instead of waiting out the whole timeout: a
    completed version does not change any more (the grace lets an implementation that writes its
    final status in more than one request finish writing).
    """
    completed_differently_since: list[float] = []

    def check() -> dict:
        found = newest_app_version(kube, namespace, app, revision, version=version)
        status = found.get("status") or {}
        observed = {field: status.get(field) for field in expected}
        if observed == expected:
            return found
        summary = f"KeptnAppVersion {namespace}/{found['metadata']['name']}: expected {expected}, observed {observed}"
        if not (status.get("status") in COMPLETED and status.get("endTime")):
            completed_differently_since.clear()
            raise NotYet(summary)
        if not completed_differently_since:
            completed_differently_since.append(time.monotonic())
        if time.monotonic() - completed_differently_since[0] < TIMEOUTS.absence:
            raise NotYet(f"{summary} (completed; watching whether it still changes)")
        raise AssertionError(f"{summary}; it has completed. Status: {describe.status(found)}")

    which = f" {version}" if version else ""
    return eventually(check, f"the KeptnAppVersion{which} of {namespace}/{app} to reach {expected}", TIMEOUTS.lifecycle)


def app_version_must_settle_at(kube: Kube, namespace: str, app: str, expected: dict[str, str]) -> dict:
    """Wait until the state is reached and then holds for TIMEOUTS.absence seconds without change.

    A waiting phase can pass through the expected state early (Pending before its first task
    runs) and leave it again; only a state that holds counts.
    """
    def holds() -> None:
        status = latest_app_version(kube, namespace, app).get("status") or {}
        observed = {field: status.get(field) for field in expected}
        assert observed == expected, f"the KeptnAppVersion moved on: expected {expected}, observed {observed}"

    def settled() -> dict:
        app_version_must_reach(kube, namespace, app, expected)
        try:
            never(holds, f"the KeptnAppVersion of {namespace}/{app} staying at {expected}")
        except AssertionError as moved:
            raise NotYet(str(moved)) from None
        return latest_app_version(kube, namespace, app)

    return eventually(settled, f"the KeptnAppVersion of {namespace}/{app} to settle at {expected}", TIMEOUTS.lifecycle)


def never_any_task(recorder, check_type: str) -> None:
    """No KeptnTask of this checkType exists, keeps not existing for TIMEOUTS.absence, and none was
    ever observed by the scenario's watch (so one created and deleted in between counts too)."""
    def none_seen() -> None:
        recorder.must_be_complete(("KeptnTask",))
        seen = recorder.ever("KeptnTask", lambda t: t["spec"].get("checkType") == check_type)
        assert not seen, f"{len(seen)} KeptnTask(s) of checkType {check_type!r} were created: {[t['metadata']['name'] for t in seen]}"

    never(none_seen, f"no KeptnTask of checkType {check_type!r} being created")


def tasks_of(kube: Kube, namespace: str, owner: dict, check_type: str) -> list[dict]:
    uid = owner["metadata"]["uid"]
    return [
        t for t in kube.list("KeptnTask", namespace)
        if t["spec"].get("checkType") == check_type and any(r.get("uid") == uid for r in t["metadata"].get("ownerReferences") or [])
    ]


def jobs_of(kube: Kube, namespace: str, task: dict) -> list[dict]:
    uid = task["metadata"]["uid"]
    return [j for j in kube.list("Job", namespace) if any(r.get("uid") == uid for r in j["metadata"].get("ownerReferences") or [])]


def promotion_tasks_must_be(kube: Kube, namespace: str, version: dict, definitions: list[str]) -> list[dict]:
    tasks = tasks_of(kube, namespace, version, "promotion")
    observed = sorted(t["spec"]["taskDefinition"] for t in tasks)
    assert observed == sorted(definitions), (
        f"KeptnAppVersion {version['metadata']['name']}: expected one promotion KeptnTask per definition {sorted(definitions)}, "
        f"found {observed} ({[t['metadata']['name'] for t in tasks]})"
    )
    return tasks


def each_version_must_have_its_promotion_task(kube: Kube, namespace: str, app: str, definition: str, versions: int) -> None:
    """The app has (at least) `versions` KeptnAppVersions, one per revision, and each ran its own
    promotion KeptnTask of `definition` (contract §2: a revision bump makes a new version that runs again)."""
    found = app_versions(kube, namespace, app)
    assert len(found) >= versions, (f"expected a KeptnAppVersion per revision ({versions}), found "
                                    f"{[v['metadata']['name'] for v in found]}")
    for version in found:
        promotion_tasks_must_be(kube, namespace, version, [definition])


def promotion_task_must_be_one(kube: Kube, namespace: str, version: dict, definition: str) -> dict:
    """The one promotion KeptnTask of `definition` the version owns (contract §5: a task per definition)."""
    tasks = [t for t in tasks_of(kube, namespace, version, "promotion") if t["spec"]["taskDefinition"] == definition]
    assert len(tasks) == 1, (f"KeptnAppVersion {version['metadata']['name']}: expected one promotion KeptnTask of "
                             f"{definition!r}, found {[t['metadata']['name'] for t in tasks]}")
    return tasks[0]


def task_must_have_one_job(kube: Kube, namespace: str, task: dict) -> dict:
    """Wait until the KeptnTask owns its Job; it owns one (contract §5: a Job per task), so a second fails at once."""
    name = task["metadata"]["name"]

    def one_job() -> dict:
        jobs = jobs_of(kube, namespace, task)
        if not jobs:
            raise NotYet(f"KeptnTask {name} owns no Job yet")
        assert len(jobs) == 1, f"KeptnTask {name} owns {len(jobs)} Jobs, expected one: {[j['metadata']['name'] for j in jobs]}"
        return jobs[0]

    return eventually(one_job, f"the Job of KeptnTask {namespace}/{name}")


def promotion_task_must_end(kube: Kube, namespace: str, app: str, definition: str, state: str, reason: str) -> dict:
    """Wait until the app's newest version's promotion KeptnTask of `definition` ended in `state`
    with `reason` (contract §5: copied from the Job's condition); one that ended otherwise fails at once."""
    def ended() -> dict:
        task = promotion_task_must_be_one(kube, namespace, newest_app_version(kube, namespace, app), definition)
        status = task.get("status") or {}
        if status.get("status") not in COMPLETED:
            raise NotYet(f"KeptnTask {task['metadata']['name']} status {status}")
        assert status.get("status") == state, (f"KeptnTask {task['metadata']['name']} ended {status.get('status')}, "
                                               f"expected {state}; status {status}")
        task_contract.task_reason_must_be(task, reason)
        return task

    return eventually(ended, f"the promotion task {definition} of {namespace}/{app} to be {state} with reason {reason}",
                      TIMEOUTS.lifecycle)


def items_must_be(version: dict, item_list: str, expected: dict[str, str]) -> None:
    """The phase item list has exactly these definitions with these states."""
    items = (version.get("status") or {}).get(item_list) or []
    observed = {i.get("definitionName"): i.get("status") for i in items}
    assert observed == expected, f"KeptnAppVersion {version['metadata']['name']} status.{item_list}: expected {expected}, observed {observed}"


def items_must_follow_their_tasks(kube: Kube, namespace: str, app: str, item_list: str) -> dict:
    """Every item of the list ends as its KeptnTask ended, with an endTime (contract §6, never stale):
    also the items of siblings still running when their phase already failed."""
    def check() -> dict:
        version = newest_app_version(kube, namespace, app)
        items = (version.get("status") or {}).get(item_list) or []
        if not items:
            raise NotYet(f"KeptnAppVersion {version['metadata']['name']} has no {item_list} yet")
        stale = []
        for item in items:
            task = kube.get("KeptnTask", item.get("name", ""), namespace) or {}
            state = (task.get("status") or {}).get("status")
            if state not in COMPLETED:
                raise NotYet(f"KeptnTask {item.get('name')} is still {state}")
            if item.get("status") != state or not item.get("endTime"):
                stale.append(f"{item.get('definitionName')}: item {item.get('status')} (endTime {item.get('endTime')}), "
                             f"its KeptnTask {item.get('name')} {state}")
        if stale:
            raise NotYet("; ".join(stale))
        return version

    try:
        return eventually(check, f"the {item_list} items of {namespace}/{app} to end as their KeptnTasks did", TIMEOUTS.lifecycle)
    except AssertionError as timed_out:
        raise AssertionError(f"stale items (contract §6): {timed_out}") from None


def item_must_be(version: dict, item_list: str, definition: str, state: str) -> None:
    items = (version.get("status") or {}).get(item_list) or []
    observed = [i.get("status") for i in items if i.get("definitionName") == definition]
    assert observed == [state], (
        f"KeptnAppVersion {version['metadata']['name']} status.{item_list}: expected one item {definition}={state}, "
        f"observed {[(i.get('definitionName'), i.get('status')) for i in items]}"
    )


def event_must_exist(kube: Kube, namespace: str, involved: dict, reason: str) -> dict:
    """An event with this reason about `involved` (events_about)."""
    kind, name = involved["kind"], involved["metadata"]["name"]

    def check() -> dict:
        events = events_about(kube, namespace, kind, name)
        for event in events:
            if event.get("reason") == reason:
                return event
        raise NotYet(f"events of {name}: {sorted({e.get('reason') for e in events})}")

    return eventually(check, f"an event {reason!r} on {kind} {namespace}/{name}")


def reason_must_be_visible(kube: Kube, namespace: str, version: dict, words: list[str]) -> str:
    """The version says why it waits or failed (contract §4, §6): its `status.message`, or the message of
    an event about it, names every one of `words`. A name that only appears as data (an item's
    `definitionName`) says nothing to the person reading it, and does not count."""
    name = version["metadata"]["name"]

    def check() -> str:
        texts = said_about(kube, namespace, "KeptnAppVersion", name)
        for text in texts:
            if all(word in text for word in words):
                return text
        raise NotYet(f"neither the status message nor an event of KeptnAppVersion {name} names {words}; they say: {texts}")

    return eventually(check, f"KeptnAppVersion {namespace}/{name} to show why it waits ({', '.join(words)})")


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


def job_must_finish(kube: Kube, namespace: str, job_name: str) -> dict:
    """Wait until a Job has a Complete or Failed condition; the Job must still exist."""
    def check() -> dict:
        job = kube.get("Job", job_name, namespace)
        if job is None:
            raise AssertionError(f"Job {namespace}/{job_name} was deleted before it finished")
        if any(c["type"] in ("Complete", "Failed") and c["status"] == "True" for c in (job.get("status") or {}).get("conditions") or []):
            return job
        raise NotYet(f"Job {namespace}/{job_name}: {describe.conditions(job)}")

    return eventually(check, f"Job {namespace}/{job_name} to run to completion", TIMEOUTS.lifecycle)


def retries_must_be_honoured(job: dict, retries: int, at_least: int, runs: int) -> None:
    """The implementation gave the Job `backoffLimit: retries`; the Job controller then ran its
    container at least `at_least` times (`runs`, from container_runs; more is the cluster's doing)."""
    limit = job["spec"].get("backoffLimit")
    assert limit == retries, f"Job {job['metadata']['name']} has backoffLimit {limit}, expected {retries} (the definition's retries)"
    assert runs >= at_least, (f"Job {job['metadata']['name']} ran its container {runs} times with backoffLimit "
                              f"{limit}, expected at least {at_least}")


def container_runs(recorder, job: dict) -> int:
    """How often a Job's container ran, from every pod the scenario's watch saw for it: per pod,
    1 + the highest restart count it reported. A simulated cluster retries with new pods; a real
    kubelet with restartPolicy OnFailure restarts the container in the same pod, and the Job
    controller deletes the pods once the Job failed, so a final listing would find none."""
    uid = job["metadata"]["uid"]
    restarts: dict[str, int] = {}
    for observation in recorder.seen("Pod"):
        pod = observation.object
        if any(ref.get("uid") == uid for ref in pod["metadata"].get("ownerReferences") or []):
            statuses = (pod.get("status") or {}).get("containerStatuses") or []
            count = sum(s.get("restartCount", 0) for s in statuses)
            restarts[pod["metadata"]["uid"]] = max(restarts.get(pod["metadata"]["uid"], 0), count)
    return sum(1 + count for count in restarts.values())
