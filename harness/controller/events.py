"""Kubernetes Events (core/v1) on the objects the controller drives: `<currentPhase>Started`, ...

Best effort and off the reconcile path, like client-go's broadcaster: `emit` queues the Event and
returns; one sender thread writes them in order. A failed write is logged, never retried, and never
fails the reconcile that emitted it; when the queue is full the Event is dropped and logged. (Events
are a quarter of the controller's writes; written inline they held a worker for twelve round trips
per version.)
"""
from __future__ import annotations

import logging
import queue
import secrets
import socket
import threading

from harness.controller.kinds import Kind
from harness.controller.kube import Kube
from harness.controller.timestamps import now_text

log = logging.getLogger(__name__)

COMPONENT = "promotion-controller"
NORMAL, WARNING = "Normal", "Warning"
QUEUE_SIZE = 1000  # client-go's broadcaster queue length


class EventRecorder:
    def __init__(self, kube: Kube):
        self._kube = kube
        self._instance = socket.gethostname()
        self._queue: queue.Queue[dict | None] = queue.Queue(QUEUE_SIZE)
        self._sender = threading.Thread(target=self._send, name="event-sender", daemon=True)
        self._sender.start()

    def emit(self, obj: dict, kind: Kind, event_type: str, reason: str, message: str) -> None:
        meta = obj["metadata"]
        stamp = now_text()
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            # like client-go: <object>.<unique hex>, within the 253 characters of a name
            "metadata": {"name": f"{meta['name'][:236]}.{secrets.token_hex(8)}", "namespace": meta["namespace"]},
            "involvedObject": {"apiVersion": kind.api_version, "kind": kind.kind, "name": meta["name"],
                               "namespace": meta["namespace"], "uid": meta.get("uid", ""),
                               "resourceVersion": meta.get("resourceVersion", "")},
            "reason": reason,
            "message": message,
            "type": event_type,
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "source": {"component": COMPONENT},
            "reportingComponent": COMPONENT,
            "reportingInstance": self._instance,
        }
        log.log(logging.WARNING if event_type == WARNING else logging.INFO, "%s %s/%s: %s: %s",
                kind.kind, meta["namespace"], meta["name"], reason, message)
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            log.warning("dropped event %s on %s %s/%s: %d events waiting to be written", reason, kind.kind,
                        meta["namespace"], meta["name"], QUEUE_SIZE)

    def close(self, timeout: float) -> None:
        """Write what is queued, for at most `timeout` seconds."""
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._sender.join(timeout)

    def _send(self) -> None:
        while (event := self._queue.get()) is not None:
            involved = event["involvedObject"]
            try:
                self._kube.create_event(involved["namespace"], event)
            except Exception as error:  # noqa: BLE001 - an event must never fail a reconcile
                log.warning("could not record event %s on %s %s/%s: %s", event["reason"], involved["kind"],
                            involved["namespace"], involved["name"], error)
