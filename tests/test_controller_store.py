"""The informer cache: never older than what was written, replaced by a re-list."""
from __future__ import annotations

from harness.controller.kinds import TASK
from harness.controller.store import Store


def _task(name, rv, namespace="demo", **extra):
    return {"metadata": {"name": name, "namespace": namespace, "resourceVersion": str(rv)}, **extra}


def test_an_older_resource_version_does_not_replace_a_newer_one():
    store = Store()
    store.upsert(TASK, _task("a", 10, status="new"))
    store.upsert(TASK, _task("a", 9, status="old"))  # a watch event late behind a write-through
    assert store.get(TASK, "demo", "a")["status"] == "new"
    store.upsert(TASK, _task("a", 11, status="newer"))
    assert store.get(TASK, "demo", "a")["status"] == "newer"


def test_readers_get_copies():
    store = Store()
    store.upsert(TASK, _task("a", 1, spec={"x": 1}))
    store.get(TASK, "demo", "a")["spec"]["x"] = 2
    store.list(TASK)[0]["spec"]["x"] = 3
    assert store.get(TASK, "demo", "a")["spec"] == {"x": 1}


def test_list_filters_by_namespace_and_predicate():
    store = Store()
    for name, namespace in (("a", "demo"), ("b", "demo"), ("c", "other")):
        store.upsert(TASK, _task(name, 1, namespace))
    assert sorted(t["metadata"]["name"] for t in store.list(TASK, "demo")) == ["a", "b"]
    assert [t["metadata"]["name"] for t in store.list(TASK, where=lambda t: t["metadata"]["name"] == "c")] == ["c"]


def test_a_relist_drops_what_the_api_no_longer_has_and_reports_it():
    store = Store()
    for name, namespace in (("a", "demo"), ("b", "demo"), ("c", "other")):
        store.upsert(TASK, _task(name, 1, namespace))
    gone = store.replace(TASK, "demo", [_task("a", 2), _task("d", 2)])
    assert [t["metadata"]["name"] for t in gone] == ["b"]
    assert sorted(t["metadata"]["name"] for t in store.list(TASK)) == ["a", "c", "d"]  # "other" untouched
    store.remove(TASK, _task("a", 3))
    assert store.get(TASK, "demo", "a") is None


def test_a_list_predicate_may_read_the_cache_itself():
    # triggers look up a definition while filtering evaluations
    store = Store()
    store.upsert(TASK, _task("a", 1, spec={"needs": "b"}))
    store.upsert(TASK, _task("b", 1))
    found = store.list(TASK, where=lambda t: store.get(TASK, "demo", (t.get("spec") or {}).get("needs", "")) is not None)
    assert [t["metadata"]["name"] for t in found] == ["a"]
