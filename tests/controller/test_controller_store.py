"""The informer cache: never older than what was written, replaced by a re-list."""
from __future__ import annotations

from harness.controller.checks import OWNER_UID_LABEL
from harness.contract.kinds import APP_VERSION, JOB, TASK
from harness.controller.store import APP_NAME, OWNER, Store


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


def test_objects_are_kept_without_their_managed_fields_and_the_writers_copy_is_left_alone():
    store = Store()
    written = _task("a", 1, spec={"x": 1})
    written["metadata"]["managedFields"] = [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}]
    store.upsert(TASK, written)
    store.replace(JOB, "demo", [{**_task("j", 2), "metadata": {**_task("j", 2)["metadata"], "managedFields": [{}]}}])
    assert "managedFields" not in store.get(TASK, "demo", "a")["metadata"]
    assert "managedFields" not in store.get(JOB, "demo", "j")["metadata"]
    assert store.get(TASK, "demo", "a")["metadata"]["resourceVersion"] == "1"
    assert written["metadata"]["managedFields"][0]["manager"] == "kubectl"


def test_a_job_is_kept_without_its_spec_and_with_what_the_controller_reads():
    store = Store()
    job = {**_task("j", 3, spec={"template": {"spec": {"containers": [{"name": "task"}]}}},
                   status={"conditions": [{"type": "Complete", "status": "True"}]})}
    job["metadata"].update(finalizers=["keptn.sh/job-result"], ownerReferences=[{"kind": "KeptnTask", "uid": "t1"}])
    store.upsert(JOB, job)
    kept = store.get(JOB, "demo", "j")
    assert "spec" not in kept and kept["status"] == job["status"] and kept["metadata"] == job["metadata"]
    assert [j["metadata"]["name"] for j in store.indexed(JOB, OWNER, "demo", "t1")] == ["j"]
    assert "spec" in job  # the writer's object is left alone
    store.upsert(TASK, _task("t", 1, spec={"x": 1}))
    assert store.get(TASK, "demo", "t")["spec"] == {"x": 1}  # other kinds keep theirs


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


def _owned(name, rv, owner, namespace="demo", label=None):
    meta = {"ownerReferences": [{"kind": "KeptnTask", "name": "t", "uid": owner}]} if owner else {}
    if label:
        meta["labels"] = {OWNER_UID_LABEL: label}
    obj = _task(name, rv, namespace)
    obj["metadata"].update(meta)
    return obj


def test_the_owner_index_follows_every_write():
    store = Store()
    store.upsert(JOB, _owned("a", 1, "u1"))
    store.upsert(JOB, _owned("b", 1, None, label="u1"))  # found by the reference's label too
    store.upsert(JOB, _owned("c", 1, "u1", namespace="other"))
    assert sorted(j["metadata"]["name"] for j in store.indexed(JOB, OWNER, "demo", "u1")) == ["a", "b"]
    store.upsert(JOB, _owned("a", 2, "u2"))  # a new owner moves it
    assert [j["metadata"]["name"] for j in store.indexed(JOB, OWNER, "demo", "u1")] == ["b"]
    assert [j["metadata"]["name"] for j in store.indexed(JOB, OWNER, "demo", "u2")] == ["a"]
    store.upsert(JOB, _owned("a", 1, "u1"))  # older: ignored, index unchanged
    assert [j["metadata"]["name"] for j in store.indexed(JOB, OWNER, "demo", "u1")] == ["b"]
    store.remove(JOB, _owned("b", 3, None))
    assert store.indexed(JOB, OWNER, "demo", "u1") == []
    store.replace(JOB, "demo", [_owned("d", 4, "u2")])  # a relist drops "a"
    assert [j["metadata"]["name"] for j in store.indexed(JOB, OWNER, "demo", "u2")] == ["d"]
    assert [j["metadata"]["name"] for j in store.indexed(JOB, OWNER, "other", "u1")] == ["c"]


def test_the_index_narrows_and_the_predicate_decides():
    store = Store()
    store.upsert(APP_VERSION, _task("v1", 1, spec={"appName": "podtato", "version": "1"}))
    store.upsert(APP_VERSION, _task("v2", 1, spec={"appName": "podtato", "version": "2"}))
    store.upsert(APP_VERSION, _task("w1", 1, spec={"appName": "other"}))
    store.upsert(APP_VERSION, _task("bad", 1, spec=None))  # no spec: indexed under nothing
    found = store.indexed(APP_VERSION, APP_NAME, "demo", "podtato", lambda v: v["spec"]["version"] == "2")
    assert [v["metadata"]["name"] for v in found] == ["v2"]
    found[0]["spec"]["version"] = "changed"  # copies, as from list
    assert store.get(APP_VERSION, "demo", "v2")["spec"]["version"] == "2"
