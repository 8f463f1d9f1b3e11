"""Runs the controller: informers fill the cache and the queue, workers reconcile keys.

A reconcile that raises is logged and retried with per-key exponential back-off, so one bad object
never stops the others and never stops the controller (contract §6).
"""
from __future__ import annotations

import logging
import threading
import time

from harness.controller.context import Context, Key
from harness.contract.kinds import (APP, APP_VERSION, CONFIG, DEPLOYMENT, EVALUATION, JOB, TASK,
                                      TASK_DEFINITION, WATCHED, WORKLOAD, WORKLOAD_VERSION, Kind)
from harness.controller.events import WARNING
from harness.controller.inputs import missing_fields
from harness.controller.api_calls import is_status
from harness.controller.reconcile_app import reconcile_app
from harness.controller.reconcile_appversion import reconcile_app_version
from harness.controller.reconcile_config import reconcile_config
from harness.controller.reconcile_evaluation import reconcile_evaluation
from harness.controller.reconcile_task import reconcile_task
from harness.controller.reconcile_taskdefinition import reconcile_task_definition
from harness.controller.reconcile_workload import reconcile_deployment, reconcile_workload
from harness.controller.reconcile_workloadversion import reconcile_workload_version
from harness.controller.triggers import keys_for
from harness.controller.watches import Informer

log = logging.getLogger(__name__)

_FINISH_RECONCILE_SECONDS = 10
_SYNC_POLL_SECONDS = 0.2  # how soon a stop is noticed while caches sync
_SYNC_REPORT_SECONDS = 10

RECONCILERS = {
    APP.kind: reconcile_app,
    APP_VERSION.kind: reconcile_app_version,
    DEPLOYMENT.kind: reconcile_deployment,
    WORKLOAD.kind: reconcile_workload,
    WORKLOAD_VERSION.kind: reconcile_workload_version,
    TASK.kind: reconcile_task,
    TASK_DEFINITION.kind: reconcile_task_definition,
    EVALUATION.kind: reconcile_evaluation,
    CONFIG.kind: reconcile_config,
}


_KINDS = {kind.kind: kind for kind in WATCHED}


def _owned_by_task(job: dict) -> bool:
    return any(ref.get("kind") == TASK.kind for ref in job["metadata"].get("ownerReferences") or [])


class Manager:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        namespaces = ctx.settings.namespaces or (None,)
        self._informers = [
            Informer(ctx.kube, ctx.store, kind, namespace, self._changed,
                     keep=_owned_by_task if kind == JOB else lambda _: True)
            for kind in WATCHED for namespace in namespaces
        ]
        self._workers: list[threading.Thread] = []
        self._reported: dict[Key, str] = {}  # unusable objects already reported, at which resourceVersion
        self._reported_lock = threading.Lock()
        self._ready = threading.Event()
        self.started = threading.Event()  # run() was called: this replica leads
        self.stopped = threading.Event()  # set once the workers finished their last reconcile

    def run(self, stop: threading.Event) -> None:
        """Start everything, block until `stop` is set."""
        self.started.set()
        for informer in self._informers:
            informer.start()
        self._wait_for_sync(stop)
        if stop.is_set():
            self.stopped.set()
            return
        self._apply_keptn_configs()
        for number in range(self.ctx.settings.workers):
            worker = threading.Thread(target=self._work, name=f"worker-{number}", daemon=True)
            worker.start()
            self._workers.append(worker)
        self._ready.set()
        log.info("caches synced, %d workers reconciling", len(self._workers))
        stop.wait()
        self.ctx.queue.shutdown()
        for informer in self._informers:
            informer.stop()
        for worker in self._workers:
            worker.join(_FINISH_RECONCILE_SECONDS)
        self.stopped.set()

    def healthy(self) -> str | None:
        dead = [t.name for t in self._workers if not t.is_alive()]
        dead += [f"watch {i.kind.kind}" for i in self._informers if self._ready.is_set() and not i.alive]
        return f"not running: {', '.join(dead)}" if dead else None

    def ready(self) -> str | None:
        if self._ready.is_set():
            return None
        if not self.started.is_set():
            return "standing by: another replica holds the leader Lease"
        waiting = [i.kind.kind for i in self._informers if not i.synced.is_set()]
        return f"caches not synced: {', '.join(waiting)}" if waiting else "starting workers"

    def _changed(self, kind: Kind, obj: dict) -> None:
        try:
            keys = keys_for(kind, obj, self.ctx.store)
        except Exception:  # noqa: BLE001 - raised into the watch, it would stop it and relist forever
            meta = obj.get("metadata") or {}
            log.exception("cannot tell what a change of %s %s/%s wakes; it wakes only itself", kind.kind,
                          meta.get("namespace"), meta.get("name"))
            keys = [Key.of(kind, obj)]
        for key in keys:
            self.ctx.queue.add(key)

    def _wait_for_sync(self, stop: threading.Event) -> None:
        """Until every informer listed once, or `stop` (a stop must not wait for a list that keeps
        failing, e.g. of a CRD that is not installed)."""
        started = reported = time.monotonic()
        for informer in self._informers:
            while not informer.synced.wait(_SYNC_POLL_SECONDS):
                if stop.is_set():
                    return
                if time.monotonic() - reported >= _SYNC_REPORT_SECONDS:
                    reported = time.monotonic()
                    log.warning("still waiting for the first list of %s (%.0fs)", informer.kind.kind,
                                reported - started)

    def _apply_keptn_configs(self) -> None:
        """Before any version is reconciled: the most recently written KeptnConfig is in force."""
        def written(config: dict) -> int:
            version = config["metadata"].get("resourceVersion", "")
            return int(version) if version.isdigit() else 0

        for config in sorted(self.ctx.store.list(CONFIG), key=written):
            reconcile_config(self.ctx, Key.of(CONFIG, config))

    def _unusable(self, key: Key) -> bool:
        """An object its reconciler cannot read (inputs.py): say so once per change, do not reconcile."""
        kind = _KINDS[key.kind]
        obj = self.ctx.store.get(kind, key.namespace, key.name)
        problem = missing_fields(key.kind, obj) if obj is not None else None
        if problem is None:
            return False
        version = obj["metadata"].get("resourceVersion", "")
        with self._reported_lock:
            first = self._reported.get(key) != version
            self._reported[key] = version
        if first:
            self.ctx.events.emit(obj, kind, WARNING, "InvalidSpec", problem)
        return True

    def _work(self) -> None:
        queue = self.ctx.queue
        while (key := queue.get()) is not None:
            try:
                self._reconcile(key)
            finally:
                queue.done(key)

    def _reconcile(self, key: Key) -> None:
        reconciler = RECONCILERS.get(key.kind)
        if reconciler is None:
            return  # e.g. the namespace of a Deployment: watched for the cache only
        queue = self.ctx.queue
        if self._unusable(key):
            queue.forget(key)
            return
        started = time.monotonic()
        try:
            requeue_after = reconciler(self.ctx, key)
        except Exception as error:  # noqa: BLE001 - one object's problem must not stop the others
            delay = queue.add_rate_limited(key)
            if is_status(error, 409):
                log.debug("%s %s/%s: conflict, retrying in %.2fs", *key, delay)
            else:
                log.exception("reconciling %s %s/%s failed; retrying in %.2fs", *key, delay)
            return
        queue.forget(key)
        if requeue_after is not None:
            queue.add_after(key, requeue_after)
        log.debug("reconciled %s %s/%s in %.1f ms", *key, (time.monotonic() - started) * 1000)
