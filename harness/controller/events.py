"""Kubernetes Events (core/v1) on the objects the controller drives: `<currentPhase>Started`, ...

Best effort and off the reconcile path, like client-go's broadcaster: `emit` queues the Event and
returns; SENDERS threads write them, each object's Events always by the same thread, so in the
order they were emitted. A failed write is logged, never retried, and never fails the reconcile that
emitted it; when a queue is full the Event is dropped and logged. (Events are a quarter of the
controller's writes; written inline they held a worker for twelve round trips per version. One
sender fell behind by hundreds of Events when 200 versions ran at once.)
"""
from __future__ import annotations

import logging
import queue
import secrets
import socket
import threading
import time

from harness.contract.kinds import Kind
from harness.controller.api_calls import Kube
from harness.contract.timestamps import now_text

log = logging.getLogger(__name__)

COMPONENT = "promotion-controller"
NORMAL, WARNING = "Normal", "Warning"
QUEUE_SIZE = 1000  # per sender; client-go's broadcaster queue length
SENDERS = 4


class EventRecorder:
    def __init__(self, kube: Kube):
        self._kube = kube
        self._instance = socket.gethostname()
        self._queues: list[queue.Queue[dict | None]] = [queue.Queue(QUEUE_SIZE) for _ in range(SENDERS)]
        self._senders = [threading.Thread(target=self._send, args=(q,), name=f"event-sender-{n}", daemon=True)
                         for n, q in enumerate(self._queues)]
        for sender in self._senders:
            sender.start()

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
            self._queues[hash(meta.get("uid") or meta["name"]) % SENDERS].put_nowait(event)
        except queue.Full:
            log.warning("dropped event %s on %s %s/%s: %d events waiting to be written", reason, kind.kind,
                        meta["namespace"], meta["name"], QUEUE_SIZE)

    def close(self, timeout: float) -> None:
        """Write what is queued, for at most about `timeout` seconds."""
        deadline = time.monotonic() + timeout
        for pending in self._queues:
            try:
                pending.put(None, timeout=max(0.0, deadline - time.monotonic()))
            except queue.Full:
                pass
        for sender in self._senders:
            sender.join(max(0.0, deadline - time.monotonic()))

    def _send(self, pending: queue.Queue[dict | None]) -> None:
        while (event := pending.get()) is not None:
            involved = event["involvedObject"]
            try:
                self._kube.create_event(involved["namespace"], event)
            except Exception as error:  # noqa: BLE001 - an event must never fail a reconcile
                log.warning("could not record event %s on %s %s/%s: %s", event["reason"], involved["kind"],
                            involved["namespace"], involved["name"], error)
