"""Requirements on the app lifecycle, phrased as the scenarios phrase them.

Each function either returns what it found or fails with expected vs. observed and the object's
current status. Objects are found the way any implementation must shape them (docs/contract.md): a
KeptnAppVersion by `spec.appName`, a promotion KeptnTask by `spec.checkType: promotion` and its
owner, a Job by its ownerReference to the KeptnTask. Nothing here knows the reference controller.
"""
from __future__ import annotations

import time

from harness.contract.phases import APP_PHASES, COMPLETED as COMPLETED_PHASE, Phase, Runs, deprecated_by_failure
from harness.contract.states import COMPLETED, KeptnState
from harness.eventually import NotYet, eventually, never
from harness.library import describe, task_contract
from harness.library.kube import Kube
from harness.library.naming import generation_hash
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
                           version: str | None = None, timed: tuple[str, ...] = (KeptnState.SUCCEEDED.value,)) -> dict:
    """Wait until the app's newest KeptnAppVersion status has every expected field value.

    A version that completed (contract §1: a completed state and `endTime`) with other values fails
    the wait once it held them for TIMEOUTS.absence, instead of waiting out the whole timeout: a
    completed version does not change any more (the grace lets an implementation that writes its
    final status in more than one request finish writing). A version that reached an expected
    `status` of `timed` (Succeeded: contract §3 C3.2) has its `endTime` set as well.
    """
    completed_differently_since: list[float] = []

    def check() -> dict:
        found = newest_app_version(kube, namespace, app, revision, version=version)
        status = found.get("status") or {}
        observed = {field: status.get(field) for field in expected}
        untimed = observed == expected and expected.get("status") in timed and not status.get("endTime")
        if observed == expected and not untimed:
            return found
        differ = ", ".join(f"{field} is {observed[field]!r}, expected {value!r}" for field, value in expected.items()
                           if observed[field] != value) or f"status {status.get('status')} without an endTime"
        summary = f"KeptnAppVersion {namespace}/{found['metadata']['name']}: {differ} (expected {expected}, observed {observed})"
        if not (status.get("status") in COMPLETED and (status.get("endTime") or untimed)):
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


def event_must_exist(kube: Kube, namespace: str, involved: dict, reason: str, event_type: str | None = None) -> dict:
    """An event with this reason (and this type, when given) about `involved` (events_about). One with
    the reason and another type fails at once: an event is not written again with another type."""
    kind, name = involved["kind"], involved["metadata"]["name"]

    def check() -> dict:
        events = events_about(kube, namespace, kind, name)
        found = [event for event in events if event.get("reason") == reason]
        typed = [event for event in found if event_type is None or event.get("type") == event_type]
        if typed:
            return typed[0]
        assert not found, (f"the event {reason!r} on {kind} {namespace}/{name} is of type "
                           f"{sorted({e.get('type') for e in found})}, expected {event_type!r}")
        raise NotYet(f"events of {name}: {sorted({e.get('reason') for e in events})}")

    return eventually(check, f"an event {reason!r}" + (f" of type {event_type}" if event_type else "")
                      + f" on {kind} {namespace}/{name}")


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


# -- §2-§4: the version's states, judged against the contract's own tables (harness/contract/phases.py) --

# Every state of a KeptnAppVersion (contract §2 C2.5: `status` and each phase state, in table order).
STATE_FIELDS: tuple[str, ...] = ("status", *(phase.status_field for phase in APP_PHASES))
# contract §3 C3.12/C3.13: each phase event's reason is `<currentPhase><suffix>`, of this type.
PHASE_EVENT_TYPES = {"Started": "Normal", "Finished": "Normal", "Failed": "Warning"}


def _phase(name: str) -> Phase:
    found = [phase for phase in APP_PHASES if phase.name == name]
    assert found, f"{name!r} is not a phase of contract §3 ({[phase.name for phase in APP_PHASES]})"
    return found[0]


def not_deprecated(version: dict) -> dict[str, str | None]:
    """The states of the version (STATE_FIELDS) that are not `Deprecated`, with their values."""
    status = version.get("status") or {}
    return {field: status.get(field) for field in STATE_FIELDS if status.get(field) != KeptnState.DEPRECATED.value}


def _deprecated_since(recorder, uid: str) -> tuple[float, dict] | None:
    """When the scenario's watch first saw the version with `status: Deprecated`, and that version."""
    seen = recorder.first_arrivals("KeptnAppVersion", lambda v: v["metadata"].get("uid") == uid
                                   and (v.get("status") or {}).get("status") == KeptnState.DEPRECATED.value)
    return seen.get(uid)


def app_version_must_be_deprecated(kube: Kube, recorder, namespace: str, app: str, revision: int) -> dict:
    """contract §2 C2.5/C2.6: the app's version of `revision` gets every state (`status` and each phase
    state of the §3 table) `Deprecated`, and keeps them: every later version of it the scenario's watch
    saw, and the object for TIMEOUTS.absence more, has them all Deprecated."""
    ended_since: list[float] = []

    def deprecated() -> dict:
        version = newest_app_version(kube, namespace, app, revision)
        left = not_deprecated(version)
        if not left:
            return version
        summary = f"KeptnAppVersion {version['metadata']['name']}: not Deprecated: {left}"
        if (version.get("status") or {}).get("status") != KeptnState.DEPRECATED.value:
            ended_since.clear()
            raise NotYet(summary)
        # its status says it was deprecated: the rest comes with it, or within TIMEOUTS.absence
        ended_since[:] = ended_since or [time.monotonic()]
        if time.monotonic() - ended_since[0] < TIMEOUTS.absence:
            raise NotYet(f"{summary} (status Deprecated; watching whether the rest follows)")
        raise AssertionError(f"{summary}, although its status is Deprecated. Status: {describe.status(version)}")

    version = eventually(deprecated, f"every state of the KeptnAppVersion of {namespace}/{app} at revision {revision} "
                                     f"({', '.join(STATE_FIELDS)}) to be Deprecated", TIMEOUTS.lifecycle)
    name = version["metadata"]["name"]

    def stays() -> None:
        current = kube.get("KeptnAppVersion", name, namespace) or {}
        left = not_deprecated(current)
        assert not left, f"KeptnAppVersion {name} left Deprecated: {left}"

    never(stays, f"KeptnAppVersion {namespace}/{name} staying Deprecated")
    deprecated_states_must_hold(recorder, version["metadata"]["uid"])
    return version


def deprecated_states_must_hold(recorder, uid: str) -> None:
    """contract §2 C2.6: once the watch saw the version completely Deprecated, it never saw a state of
    it otherwise (an implementation that un-deprecates it and deprecates it again is caught in between)."""
    since = None
    for observation in recorder.seen("KeptnAppVersion"):
        version = observation.object
        if version["metadata"].get("uid") != uid or observation.type == "DELETED":
            continue
        left = not_deprecated(version)
        if since is None and not left:
            since = observation.received
        elif since is not None and left:
            raise AssertionError(f"KeptnAppVersion {version['metadata']['name']} was Deprecated in every state, and "
                                 f"{observation.received - since:.3f}s later the watch saw {left}")


def deprecated_version_must_start_nothing(recorder, version: dict) -> None:
    """contract §2 C2.6: no KeptnTask owned by the version appears after the watch saw it `Deprecated`
    (and none for TIMEOUTS.absence more), and so no promotion KeptnTask of it at all unless one existed before."""
    uid, name = version["metadata"]["uid"], version["metadata"]["name"]

    def nothing_new() -> None:
        recorder.must_be_complete(("KeptnAppVersion", "KeptnTask"))
        since = _deprecated_since(recorder, uid)
        assert since is not None, f"the watch never saw KeptnAppVersion {name} with status Deprecated"
        late = [(at - since[0], task["metadata"]["name"], task["spec"].get("checkType"))
                for at, task in recorder.first_arrivals("KeptnTask", lambda t: _owned_by(t, uid)).values()
                if at > since[0]]
        assert not late, (f"KeptnAppVersion {name} was Deprecated and still started "
                          + ", ".join(f"KeptnTask {task} (checkType {check}) {after:.3f}s later" for after, task, check in late))

    never(nothing_new, f"no KeptnTask of the deprecated KeptnAppVersion {name} being created")


def _owned_by(obj: dict, uid: str) -> bool:
    return any(ref.get("uid") == uid for ref in obj["metadata"].get("ownerReferences") or [])


def expected_failure(failed: str, phases: tuple[Phase, ...] = APP_PHASES) -> dict[str, str]:
    """contract §4 (blocking mode): the version's status once phase `failed` failed: `status: Failed`,
    `currentPhase` still the failed phase, the phases before it passed, its own state Failed, and the
    row of the §4 table (phases.deprecated_by_failure) Deprecated."""
    phase = _phase(failed)
    deprecated = deprecated_by_failure(phases, phase)
    expected = {"status": KeptnState.FAILED.value, "currentPhase": phase.name}
    for other in phases:
        if other.number < phase.number:
            expected[other.status_field] = KeptnState.SUCCEEDED.value
    expected[phase.status_field] = KeptnState.FAILED.value
    expected.update({field: KeptnState.DEPRECATED.value for field in deprecated})
    return expected


def app_version_must_fail_in(kube: Kube, namespace: str, app: str, failed: str) -> dict:
    """contract §4 C4.1-C4.6: the app's newest version fails in phase `failed` as the §4 table says
    (expected_failure), and has `endTime` set."""
    return app_version_must_reach(kube, namespace, app, expected_failure(failed), timed=(KeptnState.FAILED.value,))


def phase_events_must_be_recorded(kube: Kube, namespace: str, version: dict, phase: str, suffixes: list[str]) -> list[dict]:
    """contract §3 C3.12/C3.13: for each suffix, an event `<phase><suffix>` about the version (its kind and
    name), of the type the contract gives it (PHASE_EVENT_TYPES): Normal for Started and Finished,
    Warning for Failed."""
    _phase(phase)
    return [event_must_exist(kube, namespace, version, f"{phase}{suffix}", PHASE_EVENT_TYPES[suffix]) for suffix in suffixes]


def history_must_move_forward(recorder, uid: str) -> int:
    """contract §3 C3.1/C3.3, judged on every version of the KeptnAppVersion the scenario's watch saw:
    `currentPhase` is a phase of the §3 table (or `Completed`) and never goes back to an earlier one;
    until the version ends, the state of each phase it has not reached is `Pending` (or not yet
    written) and `status` is not a completed state (`Pending` before it is first written as
    `Progressing`, and never back to `Pending` after). Returns how many observations it read."""
    order = {phase.name: phase.number for phase in APP_PHASES} | {COMPLETED_PHASE: len(APP_PHASES) + 1}
    reached, progressing, read = 0, False, 0
    for observation in recorder.seen("KeptnAppVersion"):
        version = observation.object
        if version["metadata"].get("uid") != uid or observation.type == "DELETED":
            continue
        read += 1
        status, name = version.get("status") or {}, version["metadata"]["name"]
        state = status.get("status")
        if state in COMPLETED:
            break  # ended (or deprecated): §4 and §2 say what it holds now
        phase = status.get("currentPhase")
        if phase:
            assert phase in order, (f"KeptnAppVersion {name} has currentPhase {phase!r}, which is no phase of contract §3 "
                                    f"({', '.join(order)})")
            assert order[phase] >= reached, (f"KeptnAppVersion {name}: currentPhase went back to {phase} after "
                                             f"{next(n for n, i in order.items() if i == reached)}")
            reached = order[phase]
        touched = {p.status_field: status[p.status_field] for p in APP_PHASES
                   if p.number > reached and status.get(p.status_field) not in (None, "", KeptnState.PENDING.value)}
        assert not touched, (f"KeptnAppVersion {name} at currentPhase {phase!r} already has a state for phases it has "
                             f"not reached: {touched}")
        if state == KeptnState.PROGRESSING.value:
            progressing = True
        assert state in (None, "", KeptnState.PENDING.value, KeptnState.PROGRESSING.value), (
            f"KeptnAppVersion {name} has status {state!r} at currentPhase {phase!r}, before it ended")
        assert not (progressing and state in (None, "", KeptnState.PENDING.value)), (
            f"KeptnAppVersion {name}: status went back from Progressing to {state!r}")
    assert read, f"the watch never saw the KeptnAppVersion with uid {uid}"
    return read


def items_must_name_their_checks(kube: Kube, namespace: str, version: dict, item_list: str) -> list[dict]:
    """contract §3 C3.4: every item of the list names (`name`) the KeptnTask or KeptnEvaluation of this
    version that runs its definition (`definitionName`), and an item that ended has its `startTime`, its
    `endTime`, and the final state of that KeptnTask (KeptnEvaluation: its `overallStatus`)."""
    phase = next((p for p in APP_PHASES if p.items_field == item_list), None)
    assert phase is not None and phase.runs in (Runs.TASKS, Runs.EVALUATIONS), f"{item_list} is no task or evaluation list of contract §3"
    kind, definition_field = ("KeptnTask", "taskDefinition") if phase.runs == Runs.TASKS else ("KeptnEvaluation", "evaluationDefinition")
    name, uid = version["metadata"]["name"], version["metadata"]["uid"]
    items = (version.get("status") or {}).get(item_list) or []
    assert items, f"KeptnAppVersion {name} has no {item_list}"
    wrong = []
    for item in items:
        definition, check_name = item.get("definitionName"), item.get("name")
        check = kube.get(kind, check_name, namespace) if check_name else None
        if check is None:
            wrong.append(f"{definition}: its name {check_name!r} is no {kind}")
        elif check["spec"].get(definition_field) != definition or not _owned_by(check, uid):
            wrong.append(f"{definition}: {kind} {check_name} runs {check['spec'].get(definition_field)!r} for "
                         f"{[r.get('name') for r in check['metadata'].get('ownerReferences') or []]}")
        if KeptnState.of(item.get("status")).completed:
            missing = [field for field in ("startTime", "endTime") if not item.get(field)]
            if missing:
                wrong.append(f"{definition}: ended {item.get('status')} without {' and '.join(missing)}")
            ended_as = ((check or {}).get("status") or {}).get("status" if kind == "KeptnTask" else "overallStatus")
            if check is not None and ended_as != item.get("status"):
                wrong.append(f"{definition}: ended {item.get('status')}, its {kind} {check_name} {ended_as}")
    assert not wrong, f"KeptnAppVersion {name} status.{item_list}: " + "; ".join(wrong)
    return items


def version_spec_must_list(version: dict, list_field: str, definitions: list[str]) -> None:
    """contract §2 C2.4: the version's spec holds the list as the KeptnAppContext had it when the version
    was created (the order of a list is the context's)."""
    listed = (version.get("spec") or {}).get(list_field) or []
    assert listed == definitions, (f"KeptnAppVersion {version['metadata']['name']} spec.{list_field} is {listed}, expected "
                                   f"{definitions}, as its KeptnAppContext listed them when it was created")


def app_must_own_its_version(kube: Kube, namespace: str, app: str, version: dict) -> dict:
    """contract §2 C2.3: the version has a controller ownerReference to its KeptnApp (kind, name and uid,
    `controller: true`), and the KeptnApp's `status.currentVersion` becomes the version's `spec.version`."""
    name = version["metadata"]["name"]
    owner = kube.get("KeptnApp", app, namespace)
    assert owner is not None, f"KeptnApp {namespace}/{app} does not exist"
    refs = version["metadata"].get("ownerReferences") or []
    controllers = [r for r in refs if r.get("controller") is True]
    assert len(controllers) == 1, f"KeptnAppVersion {name} has {len(controllers)} controller ownerReferences, expected one: {refs}"
    ref = controllers[0]
    expected = {"kind": "KeptnApp", "name": app, "uid": owner["metadata"]["uid"]}
    observed = {key: ref.get(key) for key in expected}
    assert observed == expected and ref.get("apiVersion", "").startswith("lifecycle.keptn.sh/"), (
        f"KeptnAppVersion {name}: its controller ownerReference is {ref}, expected its KeptnApp {expected}")

    def current() -> dict:
        found = kube.get("KeptnApp", app, namespace) or {}
        have = (found.get("status") or {}).get("currentVersion")
        if have != version["spec"].get("version"):
            raise NotYet(f"KeptnApp {app} status.currentVersion is {have!r}")
        return found

    return eventually(current, f"KeptnApp {namespace}/{app} status.currentVersion to be {version['spec'].get('version')!r}")


def version_must_be_named(version: dict, app: str, generation: int) -> None:
    """contract §2 C2.2: the KeptnAppVersion of the app's generation is named `<app>-<version>-<hash>`,
    `<version>` its `spec.version` and `<hash>` the first eight hex digits of the SHA-256 of the
    generation written in decimal."""
    expected = f"{app}-{version['spec'].get('version')}-{generation_hash(generation)}"
    name = version["metadata"]["name"]
    assert name == expected, (f"KeptnAppVersion {name} of generation {generation}: expected the name {expected} "
                              f"(<app>-<version>-<first 8 hex digits of sha256({generation!r})>)")


def deploy_phase_must_wait_for_its_workload(kube: Kube, recorder, namespace: str, version: dict, workload: str,
                                            deployed: float) -> dict:
    """contract §2 C2.7: the workload deployed (its Deployment created at `deployed`, the harness's clock)
    got a KeptnWorkloadVersion of the app and version (`spec.app`, `spec.version`, its `workloadName`
    naming the workload) that completed Succeeded; the app version's item for it says so; and the
    scenario's watch saw the app's deploy phase (`workloadOverallStatus`) end only after the
    Deployment existed."""
    app, release, name = version["spec"]["appName"], version["spec"].get("version"), version["metadata"]["name"]

    def names_it(kwv: dict) -> bool:
        spec = kwv.get("spec") or {}
        called = spec.get("workloadName") or ""
        return (spec.get("app") == app and spec.get("version") == release
                and (called == workload or called.endswith(f"-{workload}")))

    found = [kwv for kwv in kube.list("KeptnWorkloadVersion", namespace) if names_it(kwv)]
    assert len(found) == 1, (f"expected one KeptnWorkloadVersion of app {app!r}, version {release!r} and workload {workload!r}, "
                             f"found {[k['metadata']['name'] for k in found]}")
    state = (found[0].get("status") or {}).get("status")
    assert state == KeptnState.SUCCEEDED.value, f"KeptnWorkloadVersion {found[0]['metadata']['name']} is {state}, expected Succeeded"
    items = [(i.get("workload") or {}, i.get("status")) for i in (version.get("status") or {}).get("workloadStatus") or []]
    assert ({"name": workload, "version": release}, KeptnState.SUCCEEDED.value) in [
        ({"name": w.get("name"), "version": w.get("version")}, s) for w, s in items], (
        f"KeptnAppVersion {name} status.workloadStatus: expected {workload} {release} Succeeded, observed {items}")
    ended = recorder.first_arrivals("KeptnAppVersion", lambda v: v["metadata"].get("uid") == version["metadata"]["uid"]
                                    and (v.get("status") or {}).get("workloadOverallStatus") in COMPLETED)
    assert ended, f"the watch never saw the deploy phase of KeptnAppVersion {name} end"
    at, seen = ended[version["metadata"]["uid"]]
    assert at > deployed, (f"KeptnAppVersion {name}: its deploy phase ended ({(seen.get('status') or {}).get('workloadOverallStatus')}) "
                           f"{deployed - at:.3f}s before the Deployment of {workload} was created: it did not wait for it")
    return found[0]
