"""List+watch of one kind (in one namespace or all) into the cache, announcing every change.

Like client-go's reflector: list, then watch from the list's resourceVersion (with bookmarks);
when the server ends the watch, watch again from the last resourceVersion seen; on 410 Gone list
again; on any other error wait a little and list again (tenacity backs the list off while the
API server is unreachable).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kubernetes import watch
from kubernetes.client.rest import ApiException
from tenacity import Retrying, retry_if_exception_type, wait_exponential_jitter

from harness.contract.kinds import Kind
from harness.controller.api_calls import Kube
from harness.controller.store import Store

log = logging.getLogger(__name__)

WATCH_SECONDS = 300  # the server ends each watch after this; it is then resumed
_REQUEST_TIMEOUT = (10, WATCH_SECONDS + 30)  # (connect, read): a silent dead connection is noticed
_AFTER_WATCH_ERROR = 1.0

Changed = Callable[[Kind, dict], None]


class Informer:
    def __init__(self, kube: Kube, store: Store, kind: Kind, namespace: str | None, changed: Changed,
                 keep: Callable[[dict], bool] = lambda _: True):
        self.kind, self.namespace = kind, namespace
        self.synced = threading.Event()
        self._kube, self._store, self._changed, self._keep = kube, store, changed, keep
        self._stop = threading.Event()
        where = f" in {namespace}" if namespace else ""
        self._thread = threading.Thread(target=self._run, name=f"watch {kind.kind}{where}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            resource_version = self._list()
            try:
                self._watch(resource_version)
            except ApiException as error:
                if error.status != 410:
                    log.warning("watch of %s broke: %s %s; listing again", self.kind.kind, error.status, error.reason)
                    self._stop.wait(_AFTER_WATCH_ERROR)
            except Exception as error:  # noqa: BLE001 - a broken connection must not end the watch
                log.warning("watch of %s broke: %s; listing again", self.kind.kind, error)
                self._stop.wait(_AFTER_WATCH_ERROR)

    def _list(self) -> str:
        for attempt in Retrying(retry=retry_if_exception_type(Exception), wait=wait_exponential_jitter(multiplier=0.5, max=30),
                                before_sleep=lambda state: log.warning(
                                    "listing %s failed (%s); retrying", self.kind.kind, state.outcome.exception())):
            with attempt:
                items, resource_version = self._kube.list(self.kind, self.namespace)
        kept = [obj for obj in items if self._keep(obj)]
        for obj in self._store.replace(self.kind, self.namespace, kept):
            self._changed(self.kind, obj)  # deleted while nobody watched
        for obj in kept:
            self._changed(self.kind, obj)
        self.synced.set()
        return resource_version

    def _watch(self, resource_version: str) -> None:
        """Until the stop flag, or an error (410 Gone included) to the caller."""
        func, args, kwargs = self._kube.watch_call(self.kind, self.namespace)
        stream = watch.Watch()
        while not self._stop.is_set():
            for event in stream.stream(func, *args, resource_version=resource_version, allow_watch_bookmarks=True,
                                       timeout_seconds=WATCH_SECONDS, _request_timeout=_REQUEST_TIMEOUT, **kwargs):
                obj = event["raw_object"]
                resource_version = obj["metadata"]["resourceVersion"]
                if event["type"] == "BOOKMARK":
                    continue
                if not self._keep(obj):
                    continue
                if event["type"] == "DELETED":
                    self._store.remove(self.kind, obj)
                else:
                    self._store.upsert(self.kind, obj)
                self._changed(self.kind, obj)
                if self._stop.is_set():
                    return
