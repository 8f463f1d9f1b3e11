"""Timeline bars from the Keptn objects of a scenario, as the cluster returns them.

Per KeptnAppVersion: its overall span, then one bar per phase from the earliest start to the latest
end of the phase's items (none for a phase without timed items). Then every KeptnEvaluation and
KeptnTask in start order, each task followed by its Jobs; Jobs without a known task come last.
The bar format is described in harness.report.timeline.
"""
from __future__ import annotations

from datetime import datetime

from harness.contract.jobs import job_result
from harness.contract.phases import APP_PHASES
from harness.report.timeline import parse_time


def _name(obj: dict) -> str:
    return obj.get("metadata", {}).get("name", "?")


def _bar(row: str, group: str, start: str, end: str | None, status: str, detail: str) -> dict:
    return {"row": row, "group": group, "start": start, "end": end, "status": status, "detail": detail}


def _app_version_bars(version: dict) -> list[dict]:
    name, status = _name(version), version.get("status", {})
    bars = []
    if status.get("startTime"):
        bars.append(_bar(f"KeptnAppVersion {name}", "phase", status["startTime"], status.get("endTime"),
                         status.get("status", "Pending"), f"KeptnAppVersion {name}: {status.get('status', 'Pending')}, "
                         f"currentPhase {status.get('currentPhase', '-')}"))
    for phase in APP_PHASES:  # AppDeploy's items (workloadStatus) carry no times, so it gets no bar
        items = [item for item in status.get(phase.items_field) or [] if item.get("startTime")]
        if not items:
            continue
        where = f"KeptnAppVersion {name}: status.{phase.items_field}"
        start = min(items, key=lambda item: parse_time(item["startTime"], where))["startTime"]
        ends = [item.get("endTime") for item in items]
        end = None if None in ends else max(ends, key=lambda end: parse_time(end, where))
        phase_status = status.get(phase.status_field, "Pending")
        listed = ", ".join(f"{item.get('name', item.get('definitionName', '?'))} ({item.get('status', 'Pending')})" for item in items)
        bars.append(_bar(f"KeptnAppVersion {name} / {phase.name}", "phase", start, end, phase_status,
                         f"{phase.name}: {phase_status}; {listed}"))
    return bars


def _start(obj: dict) -> str | None:
    """When an object's bar starts: its status.startTime, or its creation while it has not started."""
    return obj.get("status", {}).get("startTime") or obj.get("metadata", {}).get("creationTimestamp")


def _task_bar(task: dict) -> dict:
    name, status, spec = _name(task), task.get("status", {}), task.get("spec", {})
    state = status.get("status", "Pending")
    why = ": ".join(part for part in (status.get("reason"), status.get("message")) if part)
    detail = f"KeptnTask {name} ({spec.get('checkType', '?')} {spec.get('taskDefinition', '?')}): {state}" + (f" ({why})" if why else "")
    return _bar(f"KeptnTask {name}", "task", _start(task), status.get("endTime"), state, detail)


def _evaluation_bar(evaluation: dict) -> dict:
    name, status, spec = _name(evaluation), evaluation.get("status", {}), evaluation.get("spec", {})
    state = status.get("overallStatus", "Pending")
    detail = f"KeptnEvaluation {name} ({spec.get('checkType', '?')} {spec.get('evaluationDefinition', '?')}): {state}"
    return _bar(f"KeptnEvaluation {name}", "evaluation", _start(evaluation), status.get("endTime"), state, detail)


def _job_bar(job: dict) -> dict:
    """State from the Job's conditions as the controller reads them (SPEC §5). A failed Job ends at
    its Failed condition's lastTransitionTime, a complete one at its completionTime."""
    name, status = _name(job), job.get("status", {})
    result = job_result(job)
    if result is None:
        state = "Progressing" if status.get("startTime") else "Pending"
        return _bar(f"Job {name}", "job", _start(job), None, state,
                    f"Job {name}: {state}, {status.get('active', 0)} active, {status.get('failed', 0)} failed pods")
    true = {c.get("type"): c for c in status.get("conditions") or [] if c.get("status") == "True"}
    if result.state == "Failed":
        end = (true.get("Failed") or true.get("FailureTarget") or {}).get("lastTransitionTime")
        return _bar(f"Job {name}", "job", _start(job), end, "Failed", f"Job {name}: Failed ({result.reason}: {result.message})")
    end = status.get("completionTime") or (true.get("Complete") or true.get("SuccessCriteriaMet") or {}).get("lastTransitionTime")
    return _bar(f"Job {name}", "job", _start(job), end, "Succeeded", f"Job {name}: Succeeded")


def _task_of(job: dict, tasks: list[dict]) -> str | None:
    """The KeptnTask that runs a Job: its owner, its keptn.sh/task-name annotation, or the task's status.jobName."""
    metadata = job.get("metadata", {})
    owners = [ref["name"] for ref in metadata.get("ownerReferences") or [] if ref.get("kind") == "KeptnTask"]
    if owners:
        return owners[0]
    if metadata.get("annotations", {}).get("keptn.sh/task-name"):
        return metadata["annotations"]["keptn.sh/task-name"]
    return next((_name(task) for task in tasks if task.get("status", {}).get("jobName") == _name(job)), None)


def bars_from_objects(app_versions: list[dict], tasks: list[dict], jobs: list[dict], evaluations: list[dict]) -> list[dict]:
    """Timeline bars from KeptnAppVersions, KeptnTasks, Jobs and KeptnEvaluations (dicts as the API returns them).

    Objects that have neither started nor a creationTimestamp have no place on a time axis and are left out.
    """
    def by_start(bar: dict) -> datetime:
        return parse_time(bar["start"], f"{bar['row']}: start")

    bars = [bar for version in app_versions for bar in _app_version_bars(version)]
    jobs_by_task: dict[str | None, list[dict]] = {}
    for job in jobs:
        if _start(job):
            jobs_by_task.setdefault(_task_of(job, tasks), []).append(_job_bar(job))
    runs = [_task_bar(task) for task in tasks if _start(task)] + [_evaluation_bar(e) for e in evaluations if _start(e)]
    for run in sorted(runs, key=by_start):
        bars.append(run)
        if run["group"] == "task":
            bars.extend(sorted(jobs_by_task.pop(run["row"].removeprefix("KeptnTask "), []), key=by_start))
    bars.extend(sorted((bar for orphans in jobs_by_task.values() for bar in orphans), key=by_start))
    return bars
