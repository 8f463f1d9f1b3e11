"""harness.workers: the number of side-by-side scenarios from the machine's free CPU and memory."""
from __future__ import annotations

import pytest

from harness.workers import GIB, MAX_WORKERS, Machine, choose, measure


def test_an_idle_machine_with_plenty_of_memory_gets_a_worker_per_measured_share_of_a_core_up_to_the_cap():
    assert choose(Machine(cpus=2, load=0.0, available_bytes=20 * GIB))[0] == 3  # 2 cores / 0.54
    workers, reason = choose(Machine(cpus=64, load=0.0, available_bytes=256 * GIB))
    assert workers == MAX_WORKERS and f"at most {MAX_WORKERS}" in reason


def test_a_loaded_machine_gets_fewer_workers_than_the_same_machine_idle():
    idle = choose(Machine(cpus=2, load=0.4, available_bytes=18 * GIB))
    loaded = choose(Machine(cpus=2, load=1.4, available_bytes=18 * GIB))
    assert (idle[0], loaded[0]) == (2, 1)
    assert loaded[1] == "workers: 1 (2 cores, load 1.4, 18 GiB free; 0.6 free cores at 0.54 a worker; -n overrides)"


def test_an_overloaded_machine_still_gets_one_worker():
    assert choose(Machine(cpus=2, load=17.0, available_bytes=18 * GIB))[0] == 1


def test_a_machine_short_of_memory_gets_fewer_workers_and_says_memory_is_why():
    workers, reason = choose(Machine(cpus=16, load=0.0, available_bytes=3 * GIB))
    assert workers == 2
    assert "3 GiB free; 1 GiB a worker" in reason
    assert choose(Machine(cpus=16, load=0.0, available_bytes=1 * GIB))[0] == 1


@pytest.mark.parametrize("cpus, load, free_gib", [(1, 0.0, 64), (2, 0.5, 64), (8, 0.0, 64), (8, 0.0, 2), (4, 3.9, 8)])
def test_more_free_cores_or_memory_never_means_fewer_workers(cpus, load, free_gib):
    base = choose(Machine(cpus, load, free_gib * GIB))[0]
    assert choose(Machine(cpus + 1, load, free_gib * GIB))[0] >= base
    assert choose(Machine(cpus, max(0.0, load - 0.5), free_gib * GIB))[0] >= base
    assert choose(Machine(cpus, load, (free_gib + 4) * GIB))[0] >= base
    assert 1 <= base <= MAX_WORKERS


def test_this_machine_is_measured():
    machine = measure()
    assert machine.cpus >= 1 and machine.load >= 0 and machine.available_bytes > 0


def test_a_run_that_just_ended_does_not_count_as_load_when_the_cores_are_idle_now():
    # the load average still holds the unit tests that ended a moment ago; the cores are idle now
    after_a_run = Machine(cpus=2, load=1.9, available_bytes=18 * GIB, busy=0.1)
    assert choose(after_a_run)[0] == choose(Machine(cpus=2, load=0.1, available_bytes=18 * GIB))[0] == 3
    assert "load 1.9, 0.1 busy now" in choose(after_a_run)[1]


def test_cores_busy_now_never_raise_the_load_that_counts():
    # a burst within the last second on a machine that was quiet for a minute: the load average counts
    burst = Machine(cpus=2, load=0.3, available_bytes=18 * GIB, busy=2.0)
    assert choose(burst)[0] == choose(Machine(cpus=2, load=0.3, available_bytes=18 * GIB))[0]


def test_the_busy_cores_are_measured_between_zero_and_the_machines_cores():
    import os

    machine = measure(sample_seconds=0.1, samples=2)
    assert machine.busy is not None and 0.0 <= machine.busy <= (os.cpu_count() or 1)


def test_the_busiest_second_counts_as_others_work_comes_in_bursts(monkeypatch):
    from harness import workers

    seconds = iter([0.4, 1.2, 0.3])
    monkeypatch.setattr(workers, "_busy_cores", lambda _seconds: next(seconds))
    assert measure(samples=3).busy == 1.2
