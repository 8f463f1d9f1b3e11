"""Judges of §4 of docs/contract.md: what a failed phase does — the version's states by the table of
harness/contract/phases.py, the moment it fails, its phase items, the reasons it shows, retries."""
from __future__ import annotations

from harness.contract.phases import APP_PHASES, Phase, Runs, deprecated_by_failure
from harness.contract.states import COMPLETED, KeptnState
from harness.eventually import NotYet, eventually
from harness.judges import lifecycle
from harness.kube import Kube
from harness.library.lookups import newest_app_version, owned_by, said_about
from harness.library.recorder import Recorder
from harness.library.windows import JobWindow, tasks_seen
from harness.timeouts import TIMEOUTS


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



def retries_must_be_honoured(job: dict, retries: int, at_least: int, runs: int) -> None:
    """The implementation gave the Job `backoffLimit: retries`; the Job controller then ran its
    container at least `at_least` times (`runs`, from container_runs; more is the cluster's doing)."""
    limit = job["spec"].get("backoffLimit")
    assert limit == retries, f"Job {job['metadata']['name']} has backoffLimit {limit}, expected {retries} (the definition's retries)"
    assert runs >= at_least, (f"Job {job['metadata']['name']} ran its container {runs} times with backoffLimit "
                              f"{limit}, expected at least {at_least}")



def expected_failure(failed: str, phases: tuple[Phase, ...] = APP_PHASES) -> dict[str, str]:
    """contract §4 (blocking mode): the version's status once phase `failed` failed: `status: Failed`,
    `currentPhase` still the failed phase, the phases before it passed, its own state Failed, and the
    row of the §4 table (phases.deprecated_by_failure) Deprecated."""
    phase = lifecycle._phase(failed)
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
    return lifecycle.app_version_must_reach(kube, namespace, app, expected_failure(failed), timed=(KeptnState.FAILED.value,))



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
        elif check["spec"].get(definition_field) != definition or not owned_by(check, {uid}):
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



def version_failed(recorder: Recorder, version_uid: str, phase_field: str = "promotionStatus") -> float:
    """Wait until the watch saw the version with `status: Failed` and its phase (its state `phase_field`)
    Failed; when it first saw both."""
    def seen() -> float:
        failed = recorder.first_arrivals("KeptnAppVersion", lambda version: version["metadata"].get("uid") == version_uid
                                         and (version.get("status") or {}).get("status") == "Failed"
                                         and (version.get("status") or {}).get(phase_field) == "Failed")
        if version_uid not in failed:
            raise NotYet(f"the watch has not seen the version Failed with {phase_field} Failed")
        return failed[version_uid][0]

    return eventually(seen, f"the version to be seen Failed, and its {phase_field}", TIMEOUTS.lifecycle)



def must_fail_while_siblings_run(failed: float, siblings: list[JobWindow]) -> None:
    """contract §3 C3.5 and §4 C4.7 ("as soon as"): the version and its phase were seen Failed before any
    of the failed item's siblings' Jobs was seen finished, i.e. while they still ran (the moments are
    the watch's arrivals)."""
    assert siblings, "no Job of the sibling tasks was seen"
    ended = [w for w in siblings if w.finished is not None and w.finished <= failed]
    assert not ended, ("the version failed only after its other items ended, not as soon as one failed: it was seen "
                       "Failed " + "; ".join(f"{failed - w.finished:.3f}s after {w.name} finished" for w in ended))



def version_must_fail_while_siblings_run(recorder: Recorder, version_uid: str, siblings: list[str]) -> None:
    """contract §3 C3.5, §4 C4.7: wait until the Jobs of the version's promotion tasks of `siblings`
    (definitions) finished; the version and its promotionStatus were seen Failed before the first of
    them finished."""
    tasks = {uid: seen for uid, seen in tasks_seen(recorder, "promotion", version_uid).items()
             if seen[1]["spec"].get("taskDefinition") in siblings}
    assert len(tasks) == len(siblings), (f"expected a promotion KeptnTask of each of {siblings}, the watch saw "
                                         f"{sorted(task['spec'].get('taskDefinition') for _, task in tasks.values())}")
    windows = lifecycle.finished_job_windows(recorder, tasks, f"promotion tasks {', '.join(siblings)}")
    must_fail_while_siblings_run(version_failed(recorder, version_uid), windows)
