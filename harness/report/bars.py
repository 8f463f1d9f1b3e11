"""Timeline bars from what a scenario's watch saw (harness.library.recorder), on one clock.

Every time on the page is the harness's own `time.time()` at the arrival of an object version
(`Observation.received`, sub-second). Timestamps written into the objects are not used: a Job's
come in whole seconds from the Job controller, a KeptnTask's in microseconds from the
implementation, and mixing them drew Jobs starting before their own task, and promotion before
post-deployment had ended.

An object's bar starts with the first version seen (its creation, as the scenario's watch starts
before the scenario acts) and ends with the first version seen completed, or its deletion; one
never seen completed is still running (its end is null). Per KeptnAppVersion: its whole span, then
one bar per phase that had items, from the version where it began to the one where it completed.
Then every KeptnEvaluation and KeptnTask in start order, each task followed by its Jobs; Jobs
without a known task come last. The bar format is described in harness.report.timeline.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from harness.contract.job_result import job_result
from harness.contract.phases import APP_PHASES
from harness.contract.states import COMPLETED, KeptnState

TIMED_KINDS = ("KeptnAppVersion", "KeptnTask", "KeptnEvaluation", "Job")


class Seen(Protocol):
    """One object version as the watch delivered it (harness.library.recorder.Observation)."""

    kind: str
    type: str  # ADDED, MODIFIED, DELETED
    object: dict
    received: float  # time.time() at arrival


@dataclass
class History:
    """Every version of one object, in arrival order."""

    kind: str
    name: str
    versions: list[tuple[float, dict]] = field(default_factory=list)
    deleted: float | None = None

    @property
    def first(self) -> float:
        return self.versions[0][0]

    @property
    def last(self) -> dict:
        return self.versions[-1][1]

    def first_when(self, predicate) -> float | None:
        return next((at for at, obj in self.versions if predicate(obj)), None)


def rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _histories(observations: Iterable[Seen]) -> dict[str, list[History]]:
    by_uid: dict[str, History] = {}
    for seen in sorted(observations, key=lambda seen: seen.received):
        if seen.kind not in TIMED_KINDS:
            continue
        metadata = seen.object.get("metadata") or {}
        history = by_uid.setdefault(metadata.get("uid") or f"{seen.kind}/{metadata.get('name')}",
                                    History(seen.kind, metadata.get("name", "?")))
        if seen.type == "DELETED":
            history.deleted = history.deleted or seen.received
        history.versions.append((seen.received, seen.object))
    kinds: dict[str, list[History]] = {kind: [] for kind in TIMED_KINDS}
    for history in by_uid.values():
        kinds[history.kind].append(history)
    return kinds


def _bar(row: str, group: str, start: float, end: float | None, status: str, detail: str) -> dict:
    return {"row": row, "group": group, "start": rfc3339(start), "end": None if end is None else rfc3339(end),
            "status": status, "detail": detail}


def _completed(value: str | None) -> bool:
    return value in COMPLETED


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def _end(history: History, completed) -> tuple[float | None, str]:
    """When the object was first seen completed, else when it was deleted (said in the detail)."""
    end = history.first_when(completed)
    if end is None and history.deleted is not None:
        return history.deleted, " (deleted before it completed)"
    return end, ""


def _app_version_bars(history: History) -> list[dict]:
    name, last = history.name, _status(history.last)
    end, deleted = _end(history, lambda obj: _completed(_status(obj).get("status")))
    state = last.get("status", "Pending")
    bars = [_bar(f"KeptnAppVersion {name}", "phase", history.first, end, state,
                 f"KeptnAppVersion {name}: {state}, currentPhase {last.get('currentPhase', '-')}{deleted}")]
    for phase in APP_PHASES:
        if not any(_status(obj).get(phase.items_field) for _, obj in history.versions):
            continue  # nothing ran in it (an empty list completes at once)

        def began(obj: dict, phase=phase) -> bool:
            status = _status(obj)
            return (status.get("currentPhase") == phase.name or bool(status.get(phase.items_field))
                    or status.get(phase.status_field, "Pending") != "Pending")

        start = history.first_when(began)
        phase_end = history.first_when(lambda obj, phase=phase: _completed(_status(obj).get(phase.status_field)))
        phase_state = last.get(phase.status_field, "Pending")
        items = ", ".join(f"{item.get('name') or item.get('definitionName') or item.get('workload', {}).get('name', '?')} "
                          f"({item.get('status', 'Pending')})" for item in last.get(phase.items_field) or [])
        bars.append(_bar(f"KeptnAppVersion {name} / {phase.name}", "phase", start, phase_end, phase_state,
                         f"{phase.name}: {phase_state}; {items}"))
    return bars


def _task_bar(history: History) -> dict:
    name, spec, status = history.name, history.last.get("spec") or {}, _status(history.last)
    end, deleted = _end(history, lambda obj: _completed(_status(obj).get("status")))
    state = status.get("status", "Pending")
    why = ": ".join(part for part in (status.get("reason"), status.get("message")) if part)
    detail = (f"KeptnTask {name} ({spec.get('checkType', '?')} {spec.get('taskDefinition', '?')}): {state}"
              + (f" ({why})" if why else "") + deleted)
    return _bar(f"KeptnTask {name}", "task", history.first, end, state, detail)


def _evaluation_bar(history: History) -> dict:
    name, spec = history.name, history.last.get("spec") or {}
    end, deleted = _end(history, lambda obj: _completed(_status(obj).get("overallStatus")))
    state = _status(history.last).get("overallStatus", "Pending")
    detail = f"KeptnEvaluation {name} ({spec.get('checkType', '?')} {spec.get('evaluationDefinition', '?')}): {state}{deleted}"
    return _bar(f"KeptnEvaluation {name}", "evaluation", history.first, end, state, detail)


def _job_bar(history: History) -> dict:
    """The Job's result from its conditions, as the contract reads it (contract §5)."""
    name = history.name
    end, deleted = _end(history, lambda obj: job_result(obj) is not None)
    result = job_result(history.last)
    if result is None:
        status = _status(history.last)
        state = "Progressing" if status.get("startTime") else "Pending"
        detail = f"Job {name}: {state}, {status.get('active', 0)} active, {status.get('failed', 0)} failed pods"
    elif result.state == KeptnState.FAILED:
        state, detail = "Failed", f"Job {name}: Failed ({result.reason}: {result.message})"
    else:
        state, detail = "Succeeded", f"Job {name}: Succeeded"
    return _bar(f"Job {name}", "job", history.first, end, state, detail + deleted)


def _task_of(job: dict, tasks: list[History]) -> str | None:
    """The KeptnTask that runs a Job: its owner, its keptn.sh/task-name annotation, or the task's status.jobName."""
    metadata = job.get("metadata") or {}
    owners = [ref["name"] for ref in metadata.get("ownerReferences") or [] if ref.get("kind") == "KeptnTask"]
    if owners:
        return owners[0]
    if (metadata.get("annotations") or {}).get("keptn.sh/task-name"):
        return metadata["annotations"]["keptn.sh/task-name"]
    return next((task.name for task in tasks if _status(task.last).get("jobName") == metadata.get("name")), None)


def bars_from_watch(observations: Iterable[Seen]) -> list[dict]:
    """Timeline bars from every object version a scenario's watch saw (any order; other kinds are ignored)."""
    kinds = _histories(observations)
    bars = [bar for version in kinds["KeptnAppVersion"] for bar in _app_version_bars(version)]
    jobs_by_task: dict[str | None, list[tuple[float, dict]]] = {}
    for job in kinds["Job"]:
        jobs_by_task.setdefault(_task_of(job.last, kinds["KeptnTask"]), []).append((job.first, _job_bar(job)))
    runs = sorted([(task.first, _task_bar(task)) for task in kinds["KeptnTask"]]
                  + [(evaluation.first, _evaluation_bar(evaluation)) for evaluation in kinds["KeptnEvaluation"]],
                  key=lambda run: run[0])
    for _, run in runs:
        bars.append(run)
        if run["group"] == "task":
            bars.extend(bar for _, bar in sorted(jobs_by_task.pop(run["row"].removeprefix("KeptnTask "), []),
                                                 key=lambda job: job[0]))
    bars.extend(bar for _, bar in sorted((job for orphans in jobs_by_task.values() for job in orphans), key=lambda job: job[0]))
    return bars
