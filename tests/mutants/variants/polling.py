"""A conformant variant of the reference: it polls, words its messages its own way, and holds its own Lease.

- Polls: every kind is listed every POLL_SECONDS and every object reconciled, changed or not; no
  watch, and nothing is queued the moment a write makes it ready. So it notices seconds late that a
  phase may start, and records a task's end when it next looks (contract §5 makes responsiveness a
  measured figure, not a verdict; §6's event-driven promise is the reference's own, and Keptn
  itself polls).
- Words its status messages and event messages differently (wording.py), still naming what
  contract §4 and §6 ask to be named: the missing definition, the failing field. Events about the
  same object with the same reason and message are sent once (like client-go's event correlator).
- Leads through a Lease of its own (its adapter: `promotion-poller`, 15 s), not the reference's.

Expected to pass every scenario it runs; `make mutants` checks that it does. Also the "other
implementation" of `promotion-conformance bench --impl`.
"""
from __future__ import annotations

import threading

from harness.controller import (app, manager, phase_checks, reconcile_appversion, reconcile_evaluation,
                                reconcile_task, reconcile_workloadversion)
from harness.controller.events import EventRecorder
from harness.controller.watches import Informer
from mutants.compose import replace, wrap
from mutants.variants.wording import reword

POLL_SECONDS = 5.0


class PollingInformer(Informer):
    """Lists its kind every POLL_SECONDS instead of watching it; every list queues every object."""

    def _run(self) -> None:
        while not self._stop.is_set():
            self._list()
            self._stop.wait(POLL_SECONDS)


class OwnWordsRecorder(EventRecorder):
    """Events in this variant's words, each (object, reason, message) sent once."""

    def __init__(self, kube):
        super().__init__(kube)
        self._last: dict[tuple[str, str], str] = {}  # (object uid or name, reason) → last message sent
        self._last_lock = threading.Lock()

    def emit(self, obj: dict, kind, event_type: str, reason: str, message: str) -> None:
        meta, message = obj["metadata"], reword(message)
        key = (meta.get("uid") or f'{meta.get("namespace")}/{meta["name"]}', reason)
        with self._last_lock:
            if self._last.get(key) == message:
                return
            self._last[key] = message
        super().emit(obj, kind, event_type, reason, message)


def look_later(_ctx, _keys) -> None:
    """A poller does not queue what a write made ready: it looks at everything at its next poll."""


def reworded_status(advance):
    def advanced(*args, **kwargs):
        result = advance(*args, **kwargs)
        if result.status.get("message"):
            result.status["message"] = reword(result.status["message"])
        return result
    return advanced


def reworded_wait(wait):
    return lambda ctx, task, reason, message: wait(ctx, task, reason, reword(message))


def install() -> None:
    replace(manager, "Informer", PollingInformer)
    for module in (phase_checks, reconcile_task, reconcile_evaluation):
        replace(module, "wake_now", look_later)
    replace(app, "EventRecorder", OwnWordsRecorder)
    for module in (reconcile_appversion, reconcile_workloadversion):
        wrap(module, "advance", reworded_status)
    wrap(reconcile_task, "_wait", reworded_wait)
