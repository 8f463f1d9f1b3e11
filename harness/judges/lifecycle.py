"""Judges of §3 of docs/contract.md: the lifecycle of an app version — the phases reached in order,
their events and history, promotion tasks and their Jobs, deprecation by a newer revision, and the
moments that make "after" and "side by side" (library/windows.py: clocks the implementation does
not write)."""
from __future__ import annotations

import time

from harness.contract.phases import APP_PHASES
from harness.contract.phases import COMPLETED as COMPLETED_PHASE
from harness.contract.phases import Phase
from harness.contract.states import COMPLETED, KeptnState
from harness.eventually import NotYet, eventually, never
from harness.judges import tasks_and_jobs
from harness.judges.app_versions import latest_app_version
from harness.kube import Kube
from harness.library import describe
from harness.library.lookups import app_versions, events_about, jobs_of, newest_app_version, owned_by, tasks_of
from harness.library.recorder import Recorder
from harness.library.windows import JobWindow, PodWindow, job_windows, tasks_seen
from harness.timeouts import TIMEOUTS

# Every state of a KeptnAppVersion (contract §2 C2.5: `status` and each phase state, in table order).
STATE_FIELDS: tuple[str, ...] = ("status", *(phase.status_field for phase in APP_PHASES))
# contract §3 C3.12/C3.13: each phase event's reason is `<currentPhase><suffix>`, of this type.
PHASE_EVENT_TYPES = {"Started": "Normal", "Finished": "Normal", "Failed": "Warning"}


def not_deprecated(version: dict) -> dict[str, str | None]:
    """The states of the version (STATE_FIELDS) that are not `Deprecated`, with their values."""
    status = version.get("status") or {}
    return {field: status.get(field) for field in STATE_FIELDS if status.get(field) != KeptnState.DEPRECATED.value}


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



def app_version_must_complete(kube: Kube, namespace: str, app: str, version: str) -> dict:
    """Wait until the app's newest KeptnAppVersion of `version` completed, whichever way: a completed
    state and its `endTime` (contract §3)."""
    def completed() -> dict:
        found = newest_app_version(kube, namespace, app, version=version)
        status = found.get("status") or {}
        if status.get("status") not in COMPLETED or not status.get("endTime"):
            raise NotYet(f"{found['metadata']['name']} is {status.get('status', 'Pending')} in {status.get('currentPhase')}")
        return found

    return eventually(completed, f"the KeptnAppVersion {version} of {namespace}/{app} to complete", TIMEOUTS.lifecycle)


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
        tasks_and_jobs.task_reason_must_be(task, reason)
        return task

    return eventually(ended, f"the promotion task {definition} of {namespace}/{app} to be {state} with reason {reason}",
                      TIMEOUTS.lifecycle)



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



def _phase(name: str) -> Phase:
    found = [phase for phase in APP_PHASES if phase.name == name]
    assert found, f"{name!r} is not a phase of contract §3 ({[phase.name for phase in APP_PHASES]})"
    return found[0]



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
                for at, task in recorder.first_arrivals("KeptnTask", lambda t: owned_by(t, {uid})).values()
                if at > since[0]]
        assert not late, (f"KeptnAppVersion {name} was Deprecated and still started "
                          + ", ".join(f"KeptnTask {task} (checkType {check}) {after:.3f}s later" for after, task, check in late))

    never(nothing_new, f"no KeptnTask of the deprecated KeptnAppVersion {name} being created")



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



def finished_job_windows(recorder: Recorder, tasks: dict[str, tuple[float, dict]], what: str) -> list[JobWindow]:
    """Wait until the watch saw a Job for each of these KeptnTasks, and each of them finish; their windows."""
    def all_finished() -> list[JobWindow]:
        windows = job_windows(recorder, tasks)
        if len(windows) < len(tasks) or any(w.finished is None for w in windows):
            raise NotYet(f"{len(tasks)} KeptnTasks of the {what}; Jobs seen: {windows}")
        return windows

    return eventually(all_finished, f"every Job of the {what} to finish", TIMEOUTS.lifecycle)



def first_task_arrival(recorder: Recorder, check_type: str, definition: str) -> float:
    """Wait until the watch saw a KeptnTask of `check_type` for `definition`; when it first saw one."""
    def seen() -> float:
        arrivals = [at for at, task in tasks_seen(recorder, check_type).values() if task["spec"].get("taskDefinition") == definition]
        if not arrivals:
            raise NotYet(f"no {check_type} KeptnTask of {definition} yet")
        return min(arrivals)

    return eventually(seen, f"a {check_type} KeptnTask of {definition} to be created", TIMEOUTS.lifecycle)



def last_finished(windows: list[JobWindow], what: str) -> float:
    """When the last of these Jobs finished; fails if one has not (or none was seen)."""
    assert windows, f"no Job of the {what} was seen"
    running = [w.name for w in windows if w.finished is None]
    assert not running, f"the Jobs {running} of the {what} have not finished"
    return max(w.finished for w in windows)



def must_start_after(first_created: float, first_name: str, moments: dict[str, float]) -> None:
    """Promotion's first object appeared after every given moment (`what happened` → when)."""
    early = {what: at - first_created for what, at in moments.items() if first_created <= at}
    assert not early, (f"promotion started too early: {first_name} appeared "
                       + "; ".join(f"{seconds:.3f}s before {what}" for what, seconds in early.items()))



def first_promotion_task(recorder: Recorder, owner_uid: str | None = None) -> tuple[float, str]:
    """When the watch first saw a promotion KeptnTask, and its name; fails if none appeared."""
    tasks = tasks_seen(recorder, "promotion", owner_uid)
    assert tasks, "no promotion KeptnTask was observed at all"
    arrival, task = min(tasks.values(), key=lambda seen: seen[0])
    return arrival, f"promotion KeptnTask {task['metadata']['name']}"



def all_must_exist_before_the_first_finished(windows: list[JobWindow]) -> None:
    """Parallel: every Job was created before any of them finished (they were made in one pass,
    not one after another)."""
    first_end = min(w.finished for w in windows if w.finished is not None)
    late = [f"{w.name} ({w.created - first_end:.3f}s after)" for w in windows if w.created >= first_end]
    assert not late, f"promotion Jobs created after the first promotion Job finished: {', '.join(late)}"



def windows_must_overlap(windows: list[JobWindow]) -> None:
    """Parallel: there is a moment at which every Job runs."""
    last_created = max(windows, key=lambda w: w.created)
    first_finished = min((w for w in windows if w.finished is not None), key=lambda w: w.finished)
    assert last_created.created < first_finished.finished, (
        f"the promotion Jobs did not all run at once: {last_created.name} was created "
        f"{last_created.created - first_finished.finished:.3f}s after {first_finished.name} finished")



def promotion_ended(recorder: Recorder, version_uid: str) -> float:
    """When the watch first saw the version's promotion phase completed (`promotionStatus`)."""
    ended = recorder.first_arrivals("KeptnAppVersion", lambda version: version["metadata"].get("uid") == version_uid
                                    and (version.get("status") or {}).get("promotionStatus") in COMPLETED)
    assert ended, "the watch never saw the version's promotionStatus completed"
    return ended[version_uid][0]



def phase_must_end_after_its_jobs(ended: float, windows: list[JobWindow]) -> None:
    """The promotion phase ended only after its last Job finished (contract §3: any Progressing
    item keeps the phase Progressing)."""
    finished = last_finished(windows, "promotion tasks")
    last = next(w for w in windows if w.finished == finished)
    assert ended >= finished, (f"the promotion phase ended while {last.name} still ran: promotionStatus completed "
                               f"{finished - ended:.3f}s before that Job finished")



def pods_must_have_run_side_by_side(windows: list[PodWindow], jobs: int) -> None:
    """Parallel: one pod of every Job ran at the same moment (the last to start started before the
    first to end ended)."""
    by_job: dict[str, PodWindow] = {}
    for window in windows:  # the first pod of each Job that ran
        if window.running is not None:
            by_job.setdefault(window.job, window)
    assert len(by_job) == jobs, f"pods of {len(by_job)} of the {jobs} promotion Jobs were seen running: {sorted(by_job)}"
    unfinished = [w.name for w in by_job.values() if w.ended is None]
    assert not unfinished, f"the pods {unfinished} were never seen ending"
    last = max(by_job.values(), key=lambda w: w.running)
    first_end = min(by_job.values(), key=lambda w: w.ended)
    assert last.running < first_end.ended, (
        f"the promotion Jobs' pods did not run side by side: {last.name} started running "
        f"{last.running - first_end.ended:.3f}s after {first_end.name} ended")
