"""One pass of a version's lifecycle: walk the phase table, settle each phase, stop where it waits.

Shared by KeptnAppVersion and KeptnWorkloadVersion. `advance` decides; the `observe` callback it
is given does the looking (and creates the phase's KeptnTasks/KeptnEvaluations), and the caller
writes the status and then announces the events, so an event is never sent for a status that
was not stored.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.controller.aggregation import aggregate
from harness.controller.events import NORMAL, WARNING
from harness.controller.phase_outcome import settle
from harness.contract.phases import COMPLETED, Phase
from harness.contract.states import KeptnState

TERMINAL = (KeptnState.SUCCEEDED, KeptnState.FAILED, KeptnState.DEPRECATED)
# A status message or event names at most this many reasons and counts the rest: a list of 1,000
# missing definitions must not make a message of 1,000 sentences.
MAX_REASONS = 10


@dataclass(frozen=True)
class Notice:
    """Why a phase cannot make progress. With a reason suffix (`NotFound`), a Warning event
    `<currentPhase><suffix>` is sent the first time the message appears."""

    message: str
    reason: str | None = None


@dataclass
class Observation:
    """What a phase looks like now."""

    states: list[KeptnState]  # one per item that exists
    listed: int  # how many items the phase lists
    items: list[dict] | None = None  # the phase's item list for the status, if it has one
    notices: list[Notice] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # why items failed, in words
    status_updates: dict = field(default_factory=dict)  # extra status fields the phase keeps
    requeue_after: float | None = None  # a timer the phase waits on (the deploy timeout)


Observe = Callable[[Phase, dict], Observation]
Follow = Callable[[Phase, dict], list[dict]]  # a phase's items as its checks stand now; creates nothing


@dataclass
class Pass:
    status: dict
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (type, reason, message)
    started: list[str] = field(default_factory=list)  # phases entered
    finished: list[tuple[str, KeptnState]] = field(default_factory=list)  # phases ended, with state
    requeue_after: float | None = None


def advance(current: dict, phases: tuple[Phase, ...], observe: Observe, block_deployment: bool, now: str,
            follow: Follow | None = None) -> Pass:
    """The version's next status, from its current status and what `observe` finds.

    Items of a phase that already ended (it failed, or passed with a Warning, while siblings still
    ran) keep following their checks through `follow` to their own end (contract §6, never stale),
    also once the version completed; the phase's and the version's states stay as they were set.
    """
    status = copy.deepcopy(current)
    result = Pass(status)
    if follow is not None:
        _follow_ended_phases(status, phases, follow)
    if KeptnState.of(status.get("status")) in TERMINAL:
        return result
    for phase in phases:
        status.setdefault(phase.status_field, KeptnState.PENDING.value)
    status.setdefault("startTime", now)
    status["status"] = KeptnState.PROGRESSING.value
    message = ""
    for phase in phases:
        if KeptnState.of(status[phase.status_field]).passed:
            continue
        if status.get("currentPhase") != phase.name:
            status["currentPhase"] = phase.name
            result.started.append(phase.name)
            result.events.append((NORMAL, f"{phase.name}Started", f"{phase.name} started"))
        seen = observe(phase, status)
        status.update(seen.status_updates)
        if phase.items_field and seen.items is not None:
            status[phase.items_field] = seen.items
        outcome = settle(phases, phase, aggregate(seen.states, seen.listed), block_deployment)
        status[phase.status_field] = outcome.state.value
        if outcome.state.completed:
            result.finished.append((phase.name, outcome.state))
        if outcome.version_failed:
            for name in outcome.deprecate:
                status[name] = KeptnState.DEPRECATED.value
            status["status"] = KeptnState.FAILED.value
            status["endTime"] = now
            message = f"{phase.name} failed: " + summary(seen.failures or ["an item failed"])
            result.events.append((WARNING, f"{phase.name}Failed", message))
            break
        if outcome.state == KeptnState.WARNING:
            warning = summary(seen.failures or ["an item failed"])
            result.events.append((WARNING, f"{phase.name}Failed",
                                  f"{phase.name} failed, going on because blockDeployment is false: {warning}"))
            continue
        if outcome.proceed:
            result.events.append((NORMAL, f"{phase.name}Finished", f"{phase.name} finished"))
            continue
        message = summary([n.message for n in seen.notices])
        for reason in dict.fromkeys(n.reason for n in seen.notices if n.reason):
            said = summary([n.message for n in seen.notices if n.reason == reason])
            if said not in current.get("message", ""):  # announced once, not on every pass
                result.events.append((WARNING, f"{phase.name}{reason}", said))
        result.requeue_after = seen.requeue_after
        break
    else:
        status["currentPhase"] = COMPLETED
        status["status"] = KeptnState.SUCCEEDED.value
        status["endTime"] = now
    status["message"] = message
    return result


def _follow_ended_phases(status: dict, phases: tuple[Phase, ...], follow: Follow) -> None:
    for phase in phases:
        items = status.get(phase.items_field) if phase.items_field else None
        ended = KeptnState.of(status.get(phase.status_field)).completed
        if ended and items and any(not KeptnState.of(item.get("status")).completed for item in items):
            status[phase.items_field] = follow(phase, status)


def summary(reasons: list[str]) -> str:
    """The first MAX_REASONS reasons, `; `-separated, and how many more there are."""
    more = len(reasons) - MAX_REASONS
    return "; ".join(reasons[:MAX_REASONS]) + (f"; and {more} more" if more > 0 else "")
