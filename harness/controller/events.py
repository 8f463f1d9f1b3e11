"""Kubernetes Events (core/v1) on the objects the controller drives: `<currentPhase>Started`, ...

Best effort, like client-go's recorder: a failed write is logged, never retried, and never fails
the reconcile that emitted it.
"""
from __future__ import annotations

import logging
import secrets
import socket

from harness.controller.kinds import Kind
from harness.controller.kube import Kube
from harness.controller.timestamps import now_text

log = logging.getLogger(__name__)

COMPONENT = "promotion-controller"
NORMAL, WARNING = "Normal", "Warning"


class EventRecorder:
    def __init__(self, kube: Kube):
        self._kube = kube
        self._instance = socket.gethostname()

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
            self._kube.create_event(meta["namespace"], event)
        except Exception as error:  # noqa: BLE001 - an event must never fail a reconcile
            log.warning("could not record event %s on %s %s/%s: %s", reason, kind.kind, meta["namespace"],
                        meta["name"], error)
