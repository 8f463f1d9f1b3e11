"""The informer: list, then watch from the list's resourceVersion; resume after the server ends a
watch; list again on 410 Gone and announce what disappeared meanwhile (contract §6)."""
from __future__ import annotations

import threading

import pytest
from kubernetes.client.rest import ApiException

from harness.controller import watches
from harness.contract.kinds import JOB, TASK
from harness.controller.store import Store
from harness.controller.watches import Informer
from fakes.controller_api import ScriptedLists


def _obj(name, rv, **extra):
    return {"metadata": {"name": name, "namespace": "demo", "resourceVersion": str(rv)}, **extra}


class FakeWatch:
    """Each stream() call plays the next script: a list of events, or an exception to raise."""

    scripts: list = []
    calls: list = []
    done = threading.Event()  # the script is played out
    release = threading.Event()  # the test is over: the last stream ends

    def stream(self, func, *args, resource_version, **kwargs):
        FakeWatch.calls.append(resource_version)
        if not FakeWatch.scripts:
            FakeWatch.done.set()
            FakeWatch.release.wait()
            return
        script = FakeWatch.scripts.pop(0)
        if isinstance(script, Exception):
            raise script
        yield from script


@pytest.fixture
def fake_watch(monkeypatch):
    FakeWatch.scripts, FakeWatch.calls = [], []
    FakeWatch.done, FakeWatch.release = threading.Event(), threading.Event()
    monkeypatch.setattr(watches.watch, "Watch", FakeWatch)
    yield FakeWatch
    FakeWatch.release.set()


def _run(kube, fake_watch, kind=TASK, keep=lambda _: True):
    store, changes = Store(), []
    informer = Informer(kube, store, kind, "demo", lambda _kind, obj: changes.append(
        obj["metadata"]["name"]), keep=keep)
    informer.start()
    assert fake_watch.done.wait(10), "the informer did not reach the end of its script"
    informer.stop()
    return store, changes, informer


def test_list_then_watch_from_the_lists_version_and_resume_where_the_watch_ended(fake_watch):
    kube = ScriptedLists([([_obj("a", 5)], "7")])
    fake_watch.scripts = [
        [{"type": "ADDED", "raw_object": _obj("b", 8)}, {"type": "BOOKMARK", "raw_object": _obj("", 9)}],
        [{"type": "DELETED", "raw_object": _obj("a", 10)}],
    ]
    store, changes, informer = _run(kube, fake_watch)
    assert informer.synced.is_set()
    assert fake_watch.calls == ["7", "9", "10"]  # resumed from the bookmark, then from the deletion
    assert changes == ["a", "b", "a"]
    assert [t["metadata"]["name"] for t in store.list(TASK)] == ["b"]


def test_410_gone_lists_again_and_announces_what_went_away_meanwhile(fake_watch):
    kube = ScriptedLists([([_obj("a", 5), _obj("b", 5)], "7"), ([_obj("b", 12)], "12")])
    fake_watch.scripts = [ApiException(status=410, reason="Expired")]
    store, changes, _ = _run(kube, fake_watch)
    assert fake_watch.calls == ["7", "12"]
    assert changes == ["a", "b", "a", "b"]  # first list; then "a" gone and "b" again
    assert [t["metadata"]["name"] for t in store.list(TASK)] == ["b"]


def test_objects_the_informer_does_not_keep_are_neither_cached_nor_announced(fake_watch, monkeypatch):
    monkeypatch.setattr(watches, "_AFTER_WATCH_ERROR", 0)
    kube = ScriptedLists([([], "1"), ([], "3")])
    fake_watch.scripts = [[{"type": "ADDED", "raw_object": _obj("cron-job", 2, owner="CronJob")}],
                          ConnectionResetError("connection reset")]
    store, changes, _ = _run(kube, fake_watch, kind=JOB, keep=lambda obj: obj.get("owner") == "KeptnTask")
    assert changes == [] and store.list(JOB) == []
    assert fake_watch.calls == ["1", "2", "3"]  # a broken connection: list again, then watch
