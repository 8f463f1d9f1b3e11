"""Why a task's Job makes no progress, read from its pods (contract §6, never silent).

A Job whose pod cannot start (its command cannot be run, its image cannot be pulled, no node
takes it) shows no condition until its deadline, which defaults to 5 minutes: the task would sit
`Progressing` with nothing said meanwhile. A task that has run longer than STUCK_AFTER_SECONDS
looks at its Job's pods every STUCK_AFTER_SECONDS and says what keeps them, in its status message
(and so in its version's). Tasks that finish sooner never look: nothing is listed on the fast path.
"""
from __future__ import annotations

STUCK_AFTER_SECONDS = 30.0
# Waiting reasons of a container that is on its way and says nothing about a problem.
_ON_ITS_WAY = {"ContainerCreating", "PodInitializing"}


def why_pods_wait(pods: list[dict]) -> str | None:
    """What keeps the Job's pods from running, in words; None when nothing does."""
    reasons = []
    for pod in pods:
        status = pod.get("status") or {}
        name = pod["metadata"]["name"]
        for condition in status.get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                reasons.append(f'pod "{name}" is not scheduled: {condition.get("reason", "")}: {condition.get("message", "")}')
        for container in status.get("containerStatuses") or []:
            waiting = (container.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") and waiting["reason"] not in _ON_ITS_WAY:
                detail = f': {waiting["message"]}' if waiting.get("message") else ""
                reasons.append(f'pod "{name}" container "{container.get("name")}" is waiting: {waiting["reason"]}{detail}')
    return "; ".join(reasons) or None
