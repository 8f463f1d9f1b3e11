"""The work queue (contract §6): de-duplication, per-key serialization, delayed requeue, back-off.

A fake clock drives the timers; `get(timeout=0)` never blocks, so nothing here sleeps.
"""
from __future__ import annotations

import threading

import pytest

from harness.controller.queue import WorkQueue


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def queue(clock):
    return WorkQueue(clock=clock, base_delay=1.0, max_delay=8.0)


def drain(queue):
    keys = []
    while (key := queue.get(timeout=0)) is not None:
        keys.append(key)
        queue.done(key)
    return keys


def test_a_key_queued_twice_is_processed_once(queue):
    for key in ("a", "b", "a", "a"):
        queue.add(key)
    assert drain(queue) == ["a", "b"]


def test_a_key_is_never_handed_out_while_it_is_processed(queue):
    queue.add("a")
    assert queue.get(timeout=0) == "a"
    queue.add("a")  # an event arrives while the worker reconciles "a"
    assert queue.get(timeout=0) is None  # not to a second worker
    queue.done("a")
    assert queue.get(timeout=0) == "a"  # but once more after


def test_a_delayed_key_comes_when_due_and_not_before(queue, clock):
    queue.add_after("a", 5)
    assert queue.get(timeout=0) is None
    clock.now += 4.9
    assert queue.get(timeout=0) is None
    clock.now += 0.1
    assert queue.get(timeout=0) == "a"


def test_the_earliest_of_several_delayed_adds_wins(queue, clock):
    queue.add_after("a", 10)
    queue.add_after("a", 2)
    queue.add_after("a", 7)
    clock.now += 2
    assert drain(queue) == ["a"]
    clock.now += 10
    assert drain(queue) == []


def test_a_due_key_already_queued_is_not_queued_twice(queue, clock):
    queue.add_after("a", 1)
    queue.add("a")
    clock.now += 1
    assert drain(queue) == ["a"]


def test_back_off_doubles_per_failure_up_to_the_cap_and_forget_resets_it(queue):
    assert [queue.add_rate_limited("a") for _ in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert queue.add_rate_limited("b") == 1.0  # per key
    queue.forget("a")
    assert queue.add_rate_limited("a") == 1.0


def test_a_failing_key_does_not_hold_up_the_others(queue, clock):
    queue.add("bad")
    queue.add("good")
    bad = queue.get(timeout=0)
    queue.add_rate_limited(bad)
    queue.done(bad)
    assert queue.get(timeout=0) == "good"


def test_a_non_positive_delay_queues_at_once(queue):
    queue.add_after("a", 0)
    assert queue.get(timeout=0) == "a"


def test_shutdown_wakes_a_waiting_worker():
    queue = WorkQueue()
    got = []
    worker = threading.Thread(target=lambda: got.append(queue.get()))
    worker.start()
    queue.shutdown()
    worker.join(timeout=10)
    assert not worker.is_alive() and got == [None]


def test_a_blocked_worker_wakes_when_a_key_arrives():
    queue = WorkQueue()
    got = []
    worker = threading.Thread(target=lambda: got.append(queue.get()))
    worker.start()
    queue.add("a")
    worker.join(timeout=10)
    assert got == ["a"]
