"""What a promotion KeptnTask and its Job must carry (contract §2, §5), judged on the objects as the
API server holds them: the context, KEPTN_CONTEXT, the definition's limits, labels and annotations,
the Job's result copied into the task, and the version's name.

Each function fails with expected vs. observed, naming the object.
"""
from __future__ import annotations

import json

from harness.contract.jobs import job_result


def context_must_be(task: dict, expected: dict[str, str]) -> None:
    """spec.context has these values (an absent field counts as "")."""
    context = task["spec"].get("context") or {}
    observed = {key: context.get(key) or "" for key in expected}
    assert observed == expected, (f"promotion KeptnTask {task['metadata']['name']} spec.context: expected {expected}, "
                                  f"observed {context}")


def context_metadata_must_include(task: dict, expected: dict[str, str]) -> None:
    metadata = (task["spec"].get("context") or {}).get("metadata") or {}
    missing = {k: v for k, v in expected.items() if metadata.get(k) != v}
    assert not missing, (f"promotion KeptnTask {task['metadata']['name']} spec.context.metadata {metadata} lacks "
                         f"{missing}")


def keptn_context(job: dict) -> dict:
    """The KEPTN_CONTEXT env of a task Job's container, parsed."""
    for container in job["spec"]["template"]["spec"]["containers"]:
        for env in container.get("env") or []:
            if env["name"] == "KEPTN_CONTEXT":
                try:
                    return json.loads(env["value"])
                except (TypeError, ValueError):
                    raise AssertionError(f"Job {job['metadata']['name']}: KEPTN_CONTEXT is not JSON: {env.get('value')!r}") from None
    raise AssertionError(f"Job {job['metadata']['name']} has no KEPTN_CONTEXT env in any container")


def keptn_context_must_be_the_tasks(job: dict, task: dict) -> None:
    observed, context = keptn_context(job), task["spec"].get("context")
    assert observed == context, (f"Job {job['metadata']['name']}: KEPTN_CONTEXT {observed} differs from KeptnTask "
                                 f"{task['metadata']['name']}'s spec.context {context}")


def job_spec_must_have(job: dict, expected: dict[str, int]) -> None:
    """backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, ... as the definition says."""
    observed = {key: job["spec"].get(key) for key in expected}
    assert observed == expected, f"Job {job['metadata']['name']}: expected {expected}, observed {observed}"


def metadata_must_include(obj: dict, field: str, expected: dict[str, str]) -> None:
    """metadata.labels or metadata.annotations hold these pairs (others may be there too)."""
    observed = obj["metadata"].get(field) or {}
    wrong = {k: observed.get(k) for k, v in expected.items() if observed.get(k) != v}
    assert not wrong, (f"{obj['kind']} {obj['metadata']['name']} metadata.{field}: expected {expected} included, "
                       f"wrong or missing {wrong}; has {observed}")


def job_must_have_succeeded(job: dict) -> None:
    result = job_result(job)
    assert result is not None and result.state == "Succeeded", (
        f"Job {job['metadata']['name']} did not succeed: {(job.get('status') or {}).get('conditions')}")


def task_must_keep_the_jobs_message(task: dict, job: dict, condition: str) -> None:
    """The KeptnTask's status.message carries the message of the Job's condition (contract §5)."""
    messages = [c.get("message") for c in (job.get("status") or {}).get("conditions") or [] if c["type"] == condition]
    assert messages and messages[0], f"Job {job['metadata']['name']} has no {condition} condition with a message"
    message = (task.get("status") or {}).get("message") or ""
    assert messages[0] in message, (f"KeptnTask {task['metadata']['name']} message {message!r} does not keep its Job's "
                                    f"{messages[0]!r}")


def task_reason_must_be(task: dict, reason: str) -> None:
    status = task.get("status") or {}
    assert status.get("reason") == reason, f"KeptnTask {task['metadata']['name']}: expected reason {reason!r}, status {status}"


def version_name_must_end_with(version: dict, suffix: str, why: str) -> None:
    assert version["metadata"]["name"].endswith(suffix), (
        f"KeptnAppVersion {version['metadata']['name']}: expected the name to end with {suffix} ({why})")


def end_time_must_be_set(version: dict) -> None:
    assert (version.get("status") or {}).get("endTime"), f"KeptnAppVersion {version['metadata']['name']} has no status.endTime"
