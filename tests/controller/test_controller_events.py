"""Events leave the reconcile path: queued by `emit`, written in order by one sender thread."""
from __future__ import annotations

import threading

from harness.controller import events
from harness.controller.events import NORMAL, WARNING, EventRecorder
from harness.contract.kinds import APP_VERSION
from fakes.controller_api import EventSink

VERSION = {"metadata": {"name": "podtato-1-6b86b273", "namespace": "demo", "uid": "u1", "resourceVersion": "7"}}


def test_emit_returns_before_the_write_and_close_writes_everything_in_order():
    gate = threading.Event()
    kube = EventSink(gate=gate)
    recorder = EventRecorder(kube)
    for reason in ("AppPreDeployTasksStarted", "AppPreDeployTasksFinished", "PromotionTasksFailed"):
        recorder.emit(VERSION, APP_VERSION, NORMAL, reason, reason)
    assert kube.written == []  # the sender waits on the gate: emit did not
    gate.set()
    recorder.close(5)
    assert [e["reason"] for _, e in kube.written] == ["AppPreDeployTasksStarted", "AppPreDeployTasksFinished",
                                                      "PromotionTasksFailed"]
    namespace, event = kube.written[0]
    assert namespace == "demo" and event["involvedObject"]["uid"] == "u1" and event["type"] == NORMAL


def test_a_failed_write_is_logged_and_the_sender_goes_on(caplog):
    kube = EventSink(fail=True)
    recorder = EventRecorder(kube)
    recorder.emit(VERSION, APP_VERSION, WARNING, "PromotionTasksFailed", "boom")
    recorder.close(5)
    assert "could not record event PromotionTasksFailed on KeptnAppVersion demo/podtato-1-6b86b273" in caplog.text


def test_a_full_queue_drops_the_event_and_says_so(monkeypatch, caplog):
    monkeypatch.setattr(events, "QUEUE_SIZE", 1)
    gate = threading.Event()
    kube = EventSink(gate=gate)
    recorder = EventRecorder(kube)
    recorder.emit(VERSION, APP_VERSION, NORMAL, "R0", "m")
    assert kube.entered.wait(5)  # R0 is being written, held at the gate
    recorder.emit(VERSION, APP_VERSION, NORMAL, "R1", "m")  # waits in the queue
    recorder.emit(VERSION, APP_VERSION, NORMAL, "R2", "m")  # no room: dropped
    gate.set()
    recorder.close(5)
    assert "dropped event R2 on KeptnAppVersion demo/podtato-1-6b86b273" in caplog.text
    assert [e["reason"] for _, e in kube.written] == ["R0", "R1"]
