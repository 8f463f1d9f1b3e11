"""The parallelism stage waits for a version of N promotion tasks, and for the floor's N bare Jobs,
long enough that N tasks run one after another still end within it: a slow implementation gets a
figure that says how slow, not a timeout (issue 22: the lifecycle's 120 s cut off Keptn's N = 100)."""
from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from harness.bench.plan import FULL, QUICK
from harness.bench.stages import parallelism
from harness.bench.workload import Outcome


def _bench(plan, space):
    @contextmanager
    def space_of(_name):
        yield space

    return SimpleNamespace(plan=plan, space=space_of, say=lambda _text: None)


def _serial(plan, count: int) -> float:
    return plan.version_timeout + count * plan.parallel_task_seconds


@pytest.mark.parametrize("plan", [FULL, QUICK], ids=["full", "quick"])
def test_a_version_whose_tasks_run_one_after_another_is_still_waited_for(plan, monkeypatch):
    waited = {}

    def one_by_one(_space, apps, timeout, _deadline):
        waited[apps[0]] = timeout
        return Outcome()

    monkeypatch.setattr(parallelism, "run_one_by_one", one_by_one)
    monkeypatch.setattr(parallelism, "_floor", lambda _bench, _count: (None, 0.0))
    space = SimpleNamespace(task_definitions=lambda *_a, **_k: None, contexts_for=lambda *_a, **_k: None)
    parallelism.run(_bench(plan, space))
    assert waited == {parallelism._app(count): _serial(plan, count) for count in plan.parallel_tasks}
    assert waited[parallelism._app(max(plan.parallel_tasks))] > plan.version_timeout


def test_the_floors_jobs_are_waited_for_as_long_as_the_version():
    waited = []
    space = SimpleNamespace(create=lambda _job: None, record=SimpleNamespace(first_arrivals=lambda *_a: {}),
                            wait=lambda _check, _what, timeout: waited.append(timeout) or False)
    floor, _created = parallelism._floor(_bench(FULL, space), 100)
    assert floor is None  # the bare Jobs did not finish in this fake
    assert waited == [_serial(FULL, 100)]


def test_a_run_that_breaks_costs_its_own_row_not_the_rows_measured_before_or_after_it(monkeypatch):
    plan = FULL
    assert len(plan.parallel_tasks) >= 3

    def one_by_one(_space, apps, _timeout, _deadline):
        if apps[0] == parallelism._app(plan.parallel_tasks[1]):
            raise ConnectionResetError("the API server went away")
        return Outcome()

    monkeypatch.setattr(parallelism, "run_one_by_one", one_by_one)
    monkeypatch.setattr(parallelism, "_floor", lambda _bench, _count: (None, 0.0))
    space = SimpleNamespace(task_definitions=lambda *_a, **_k: None, contexts_for=lambda *_a, **_k: None)
    rows = parallelism.run(_bench(plan, space))["runs"]
    assert [row["tasks"] for row in rows] == list(plan.parallel_tasks)
    assert rows[1] == {"tasks": plan.parallel_tasks[1], "error": "ConnectionResetError: the API server went away"}
    assert "error" not in rows[0] and "error" not in rows[-1]
