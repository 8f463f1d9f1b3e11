"""The scenario's record: a broken watch resumes from where it was and loses nothing; a watch that
cannot resume (410 Gone) lists again, and that gap is kept, so judges refuse to count across it."""
from __future__ import annotations

import threading
import time

import pytest

from harness.library import recorder as recording
from harness.library.recorder import Recorder


def _job(name: str, uid: str, rv: str, complete: bool = False) -> dict:
    conditions = [{"type": "Complete", "status": "True"}] if complete else []
    return {"kind": "Job", "metadata": {"name": name, "uid": uid, "resourceVersion": rv}, "status": {"conditions": conditions}}


class _GoneError(Exception):
    status = 410


class _FakeResource:
    """A kind's API: `get` answers the listing; `watch` plays one scripted stream per call."""

    def __init__(self, listing: list[dict], streams: list):
        self.listing, self.streams, self.watched_from = listing, streams, []
        self.done = threading.Event()

    def get(self, namespace):
        return {"items": list(self.listing), "metadata": {"resourceVersion": str(len(self.watched_from) * 100 + 10)}}

    def watch(self, namespace, resource_version, timeout):
        self.watched_from.append(resource_version)
        if not self.streams:
            self.done.set()
            time.sleep(0.05)
            return iter(())
        stream = self.streams.pop(0)
        if isinstance(stream, Exception):
            raise stream
        return iter(stream)


class _ScriptedWatches:
    """harness.kube.Kube's listing and watch, by kind."""

    def __init__(self, jobs: _FakeResource):
        self.resources = {"Job": jobs}

    def _resource(self, kind):
        return self.resources.setdefault(kind, _FakeResource([], []))

    def listing(self, kind, namespace):
        return self._resource(kind).get(namespace)

    def watch(self, kind, namespace, resource_version, timeout):
        return self._resource(kind).watch(namespace, resource_version, timeout)


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    monkeypatch.setattr(recording, "_RETRY_SECONDS", 0.01)


def _recorded(jobs: _FakeResource) -> Recorder:
    recorder = Recorder(_ScriptedWatches(jobs), "t-1").start()
    assert jobs.done.wait(5), "the scripted streams were not all played"
    recorder.stop()
    return recorder


def test_a_broken_watch_resumes_from_the_last_version_it_saw_and_the_record_has_no_gap():
    jobs = _FakeResource([_job("a", "u1", "5")], [
        [{"type": "ADDED", "raw_object": _job("b", "u2", "11")}],
        ConnectionError("the API server went away"),
        [{"type": "MODIFIED", "raw_object": _job("b", "u2", "12", complete=True)},
         {"type": "BOOKMARK", "raw_object": {"metadata": {"resourceVersion": "15"}}}],
    ])
    recorder = _recorded(jobs)
    assert jobs.watched_from[:4] == ["10", "11", "11", "15"]
    assert [(o.type, o.object["metadata"]["name"]) for o in recorder.seen("Job")] == [("ADDED", "a"), ("ADDED", "b"), ("MODIFIED", "b")]
    assert recorder.gaps == [] and "ConnectionError" in recorder.errors[0]
    recorder.must_be_complete()


def test_a_watch_that_cannot_resume_lists_again_records_what_vanished_and_keeps_the_gap():
    jobs = _FakeResource([_job("a", "u1", "5"), _job("b", "u2", "6")], [_GoneError("too old resource version")])
    recorder = _recorded(jobs)
    assert len(recorder.gaps) >= 1 and recorder.gaps[0].kind == "Job"
    with pytest.raises(AssertionError, match="has gaps, so objects created and deleted meanwhile could not be seen: Job"):
        recorder.must_be_complete()
    recorder.must_be_complete(kinds=("KeptnTask",))  # a gap of another kind does not matter to that judge


def test_a_410_in_the_stream_is_a_gap_and_objects_gone_meanwhile_are_recorded_as_deleted():
    listing = [_job("a", "u1", "5")]
    jobs = _FakeResource(listing, [[{"type": "ERROR", "raw_object": {"code": 410, "message": "too old"}}]])
    original_get = jobs.get

    def second_listing_without_a(namespace):
        answer = original_get(namespace)
        jobs.listing = []
        return answer

    jobs.get = second_listing_without_a
    recorder = _recorded(jobs)
    assert [(o.type, o.object["metadata"]["name"]) for o in recorder.seen("Job")] == [("ADDED", "a"), ("DELETED", "a")]
    assert [g.reason for g in recorder.gaps] == ["the watch could not resume: 410 Gone"]


def test_first_arrivals_say_when_each_object_was_first_seen_in_a_state():
    recorder = Recorder(_ScriptedWatches(_FakeResource([], [])), "t-1")
    for received, job in ((1.0, _job("a", "u1", "1")), (2.5, _job("a", "u1", "2", complete=True)),
                          (3.0, _job("a", "u1", "3", complete=True)), (4.0, _job("b", "u2", "4", complete=True))):
        recorder.observations.append(recording.Observation("Job", "MODIFIED", job, received))
    complete = recorder.first_arrivals("Job", lambda j: bool(j["status"]["conditions"]))
    assert {uid: at for uid, (at, _) in complete.items()} == {"u1": 2.5, "u2": 4.0}
