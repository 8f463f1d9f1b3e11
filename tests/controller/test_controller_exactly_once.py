"""contract §6, exactly once and never silent: what a task/evaluation phase and the task reconciler do
against an API that knows more than the cache (a restart, a stale cache) — an in-memory fake API."""
from __future__ import annotations

import threading

import pytest

from kubernetes.client.rest import ApiException

from harness.controller.checks import OWNER_UID_LABEL
from harness.controller.context import Key
from harness.controller.jobs import JOB_RESULT_FINALIZER
from harness.contract.kinds import APP_VERSION, EVALUATION, EVALUATION_DEFINITION, JOB, TASK, TASK_DEFINITION
from harness.controller.naming import job_name, task_name
from harness.controller.phase_checks import observe_checks
from harness.contract.phases import APP_PHASES, PROMOTION
from harness.controller.reconcile_task import reconcile_task, release_job
from harness.contract.states import KeptnState
from fakes.controller_api import FakeApi, context_over


def _cache(ctx, kind, obj):
    ctx.store.upsert(kind, obj)
    return obj


DEFINITION = {"metadata": {"name": "promote", "namespace": "demo"},
              "spec": {"container": {"name": "c", "image": "busybox"}, "retries": 0}}
KAV = {"metadata": {"name": "shop-1-6b86b273", "namespace": "demo", "uid": "kav-uid"},
       "spec": {"appName": "shop", "version": "1", "promotionTasks": ["promote"]}}


# the names the controller gives them (digits drawn from the owner's UID; FakeApi.put's UIDs)
TASK_NAME = task_name("promotion", "promote", "kav-uid")
JOB_NAME = job_name(TASK_NAME, f"{TASK_NAME}-uid")


def _task(kube, status=None):
    return kube.put(TASK, {"metadata": {"name": TASK_NAME, "namespace": "demo",
                                        "labels": {OWNER_UID_LABEL: "kav-uid"}},
                           "spec": {"taskDefinition": "promote", "checkType": "promotion", "retries": 0,
                                    "timeout": "5m", "context": {"appName": "shop", "appVersion": "1"}},
                           "status": status or {}})


def _job(kube, task, conditions=(), finalizers=(JOB_RESULT_FINALIZER,), name=JOB_NAME):
    return kube.put(JOB, {"metadata": {"name": name, "namespace": "demo", "finalizers": list(finalizers),
                                       "ownerReferences": [{"kind": "KeptnTask", "name": task["metadata"]["name"],
                                                            "uid": task["metadata"]["uid"], "controller": True}]},
                          "status": {"conditions": [{"type": t, "status": "True", "reason": r, "message": m}
                                                    for t, r, m in conditions]}})


def _observe(ctx):
    return observe_checks(ctx, KAV, APP_VERSION, PROMOTION, {}, lambda check_type, tp: {"appName": "shop"})


def test_a_phase_creates_its_task_and_the_tasks_job_once_and_then_finds_them_in_the_cache():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    first = _observe(ctx)
    second = _observe(ctx)
    task = ctx.store.get(TASK, "demo", first.items[0]["name"])
    job = job_name(task["metadata"]["name"], task["metadata"]["uid"])
    assert [w for w in kube.writes if w[0] == "create"] == [("create", "KeptnTask", first.items[0]["name"]),
                                                             ("create", "Job", job)]
    assert ctx.store.get(JOB, "demo", job) is not None
    assert second.items[0]["name"] == first.items[0]["name"] and second.states == [KeptnState.PENDING]


def test_the_task_of_a_phase_records_the_job_the_phase_made_without_making_another():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    name = _observe(ctx).items[0]["name"]
    kube.writes.clear()
    reconcile_task(ctx, Key("KeptnTask", "demo", name))
    task = kube.objects[("KeptnTask", "demo", name)]
    assert [w[0] for w in kube.writes] == ["status"]  # no second create, not even one answered 409
    assert task["status"]["status"] == "Progressing"
    assert task["status"]["jobName"] == job_name(name, task["metadata"]["uid"])


def test_a_job_the_phase_could_not_make_is_made_by_the_tasks_reconcile():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    plain_create = kube.create

    def jobs_unavailable(kind, obj):
        if kind == JOB:
            raise ApiException(status=503)
        return plain_create(kind, obj)

    kube.create = jobs_unavailable
    name = _observe(ctx).items[0]["name"]  # the task is kept although its Job could not be made
    assert ctx.store.list(JOB) == []
    kube.create = plain_create
    reconcile_task(ctx, Key("KeptnTask", "demo", name))
    assert [w[1] for w in kube.writes if w[0] == "create"] == ["KeptnTask", "Job"]
    assert kube.objects[("KeptnTask", "demo", name)]["status"]["status"] == "Progressing"


def test_a_task_the_api_has_but_the_cache_has_not_is_not_created_again():
    # a restart: the cache is empty, the task of the previous run exists (finished, its Job long gone)
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    previous = _task(kube, {"status": "Succeeded", "endTime": "2030-01-01T00:00:05.000000Z"})
    previous["metadata"]["labels"]["keptn.sh/check-type"] = "promotion"
    seen = _observe(ctx)
    assert not [w for w in kube.writes if w[0] == "create"]
    assert seen.items[0]["name"] == TASK_NAME and seen.states == [KeptnState.SUCCEEDED]


def test_a_missing_definition_creates_nothing_and_says_which_and_where():
    ctx = context_over(FakeApi())
    seen = _observe(ctx)
    assert seen.items == [] and seen.listed == 1
    assert [(n.reason, n.message) for n in seen.notices] == [
        ("NotFound", 'KeptnTaskDefinition "promote" not found in namespace "demo" (spec.promotionTasks[0])')]


def test_a_finished_task_never_gets_a_job_again_even_when_its_job_is_gone():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    _cache(ctx, TASK, _task(kube, {"status": "Succeeded", "jobName": "gone"}))
    reconcile_task(ctx, Key("KeptnTask", "demo", TASK_NAME))
    assert kube.writes == []


def test_a_job_the_api_has_but_the_cache_has_not_is_adopted_not_duplicated():
    # the controller died between creating the Job and recording its name in the task
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    task = _cache(ctx, TASK, _task(kube))
    job = _job(kube, task)
    job["metadata"]["labels"] = {OWNER_UID_LABEL: "kav-uid"}
    reconcile_task(ctx, Key("KeptnTask", "demo", task["metadata"]["name"]))
    assert kube.writes == [("status", "KeptnTask", task["metadata"]["name"])]
    assert kube.objects[("KeptnTask", "demo", task["metadata"]["name"])]["status"]["jobName"] == job["metadata"]["name"]


def test_the_job_result_is_recorded_before_the_finalizer_goes():
    kube = FakeApi()
    ctx = context_over(kube)
    task = _cache(ctx, TASK, _task(kube, {"status": "Progressing", "jobName": JOB_NAME}))
    _cache(ctx, JOB, _job(kube, task, [("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")]))
    reconcile_task(ctx, Key("KeptnTask", "demo", task["metadata"]["name"]))
    assert kube.writes == [("status", "KeptnTask", task["metadata"]["name"]), ("patch", "Job", JOB_NAME)]
    status = kube.objects[("KeptnTask", "demo", task["metadata"]["name"])]["status"]
    assert (status["status"], status["reason"], status["message"]) == (
        "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert kube.objects[("Job", "demo", JOB_NAME)]["metadata"]["finalizers"] == []


def test_a_job_that_vanished_before_its_result_was_recorded_fails_the_task_instead_of_rerunning_it():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    task = _cache(ctx, TASK, _task(kube, {"status": "Progressing", "jobName": JOB_NAME}))
    reconcile_task(ctx, Key("KeptnTask", "demo", task["metadata"]["name"]))
    assert not [w for w in kube.writes if w[0] == "create"]
    assert kube.objects[("KeptnTask", "demo", task["metadata"]["name"])]["status"]["reason"] == "JobLost"


def test_the_jobs_of_a_deleted_task_are_released():
    kube = FakeApi()
    ctx = context_over(kube)
    task = _task(kube)
    _cache(ctx, JOB, _job(kube, task, [("Complete", "", "")]))
    del kube.objects[("KeptnTask", "demo", task["metadata"]["name"])]  # deleted: neither in the API nor in the cache
    reconcile_task(ctx, Key("KeptnTask", "demo", task["metadata"]["name"]))
    assert kube.writes == [("patch", "Job", JOB_NAME)]


def test_a_task_the_cache_does_not_show_yet_keeps_its_jobs_finalizer():
    # the phase made the task and its Job in one pass; the Job's watch event came first
    kube = FakeApi()
    ctx = context_over(kube)
    task = _task(kube, {"status": "Progressing", "jobName": JOB_NAME})
    _cache(ctx, JOB, _job(kube, task))
    reconcile_task(ctx, Key("KeptnTask", "demo", task["metadata"]["name"]))
    assert ("patch", "Job", JOB_NAME) not in kube.writes
    assert kube.objects[("Job", "demo", JOB_NAME)]["metadata"]["finalizers"] == [JOB_RESULT_FINALIZER]
    assert ctx.store.get(TASK, "demo", task["metadata"]["name"]) is not None


def test_a_task_without_definition_waits_and_says_so_once():
    kube = FakeApi()
    ctx = context_over(kube)
    task = _cache(ctx, TASK, _task(kube))
    key = Key("KeptnTask", "demo", task["metadata"]["name"])
    reconcile_task(ctx, key)
    ctx.store.upsert(TASK, kube.objects[("KeptnTask", "demo", task["metadata"]["name"])])
    reconcile_task(ctx, key)
    assert kube.writes == [("status", "KeptnTask", task["metadata"]["name"])]
    assert kube.objects[("KeptnTask", "demo", task["metadata"]["name"])]["status"]["message"] == (
        'KeptnTaskDefinition "promote" not found in namespace "demo" (spec.taskDefinition)')
    assert ctx.events.sent == [("KeptnTask", task["metadata"]["name"], "Warning", "DefinitionNotUsable")]


def test_an_evaluation_that_retries_shows_why_in_the_version_message():
    # contract §6, never silent: a missing metric is named while the evaluation still retries
    kube = FakeApi()
    ctx = context_over(kube)
    kav = {**KAV, "spec": {**KAV["spec"], "postDeploymentEvaluations": ["quality"]}}
    _cache(ctx, EVALUATION_DEFINITION, kube.put(EVALUATION_DEFINITION, {
        "metadata": {"name": "quality", "namespace": "demo"}, "spec": {"objectives": []}}))
    _cache(ctx, EVALUATION, kube.put(EVALUATION, {
        "metadata": {"name": "post-eval-quality-12345", "namespace": "demo",
                     "labels": {OWNER_UID_LABEL: "kav-uid", "keptn.sh/check-type": "post-eval"}},
        "spec": {"evaluationDefinition": "quality"},
        "status": {"overallStatus": "Progressing", "retryCount": 2, "evaluationStatus": {
            "latency": {"value": "", "status": "Failed", "message": 'KeptnMetric "latency" in namespace "demo" not found'}}}}))
    seen = observe_checks(ctx, kav, APP_VERSION, APP_PHASES[4], {}, lambda check_type, tp: {})
    assert seen.states == [KeptnState.PROGRESSING] and not kube.writes
    assert [n.message for n in seen.notices] == [
        'KeptnEvaluation "post-eval-quality-12345": latency: KeptnMetric "latency" in namespace "demo" not found']


def _three_definitions(ctx, kube):
    names = ["promote-a", "promote-b", "promote-c"]
    for name in names:
        _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, {**DEFINITION, "metadata": {"name": name, "namespace": "demo"}}))
    return {**KAV, "spec": {**KAV["spec"], "promotionTasks": names}}


def test_a_phase_creates_its_tasks_at_the_same_time():
    kube = FakeApi()
    ctx = context_over(kube)
    version = _three_definitions(ctx, kube)
    together = threading.Barrier(3, timeout=5)  # broken unless all three creates are in flight at once
    plain_create = kube.create
    kube.create = lambda kind, obj: (together.wait(), plain_create(kind, obj))[1]
    seen = observe_checks(ctx, version, APP_VERSION, PROMOTION, {}, lambda check_type, tp: {"appName": "shop"})
    assert [i["definitionName"] for i in seen.items] == ["promote-a", "promote-b", "promote-c"]


def test_a_create_that_fails_keeps_the_others_and_only_it_is_tried_again():
    kube = FakeApi()
    ctx = context_over(kube)
    version = _three_definitions(ctx, kube)
    plain_create = kube.create

    def unavailable_for_b(kind, obj):
        if kind == TASK and obj["spec"]["taskDefinition"] == "promote-b":
            raise ApiException(status=503)
        return plain_create(kind, obj)

    kube.create = unavailable_for_b
    with pytest.raises(ApiException):
        observe_checks(ctx, version, APP_VERSION, PROMOTION, {}, lambda check_type, tp: {"appName": "shop"})
    assert sorted(t["spec"]["taskDefinition"] for t in ctx.store.list(TASK)) == ["promote-a", "promote-c"]
    kube.create = plain_create
    seen = observe_checks(ctx, version, APP_VERSION, PROMOTION, {}, lambda check_type, tp: {"appName": "shop"})
    created = [w[1] for w in kube.writes if w[0] == "create"]
    assert created.count("KeptnTask") == 3 and created.count("Job") == 3  # each once, its Job with it
    assert [i["definitionName"] for i in seen.items] == ["promote-a", "promote-b", "promote-c"]


def test_a_name_another_version_holds_is_not_adopted_and_ours_is_found_by_label_or_created_elsewhere():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    # digits that collided: another version's task holds our name
    kube.put(TASK, {"metadata": {"name": TASK_NAME, "namespace": "demo",
                                 "labels": {OWNER_UID_LABEL: "other-kav-uid", "keptn.sh/check-type": "promotion"}},
                    "spec": {"taskDefinition": "promote"}})
    seen = _observe(ctx)
    created = [w[2] for w in kube.writes if w[0] == "create"]
    assert len(created) == 1 and created[0] != TASK_NAME and seen.items[0]["name"] == created[0]
    # a restart with an empty cache: ours is found by its labels, not created a third time
    restarted = context_over(kube)
    _cache(restarted, TASK_DEFINITION, kube.get(TASK_DEFINITION, "demo", "promote"))
    again = _observe(restarted)
    assert [w[2] for w in kube.writes if w[0] == "create"] == created and again.items[0]["name"] == created[0]


def test_a_job_name_another_task_holds_is_not_adopted():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    task = _cache(ctx, TASK, _task(kube))
    _job(kube, {"metadata": {"name": "older-task", "uid": "older-task-uid"}})  # holds JOB_NAME
    reconcile_task(ctx, Key("KeptnTask", "demo", TASK_NAME))
    created = [w[2] for w in kube.writes if w[0] == "create"]
    assert len(created) == 1 and created[0] != JOB_NAME
    assert kube.objects[("KeptnTask", "demo", TASK_NAME)]["status"]["jobName"] == created[0]
    assert kube.objects[("Job", "demo", created[0])]["metadata"]["ownerReferences"][0]["uid"] == task["metadata"]["uid"]


def _queued(ctx) -> list:
    keys = []
    while len(ctx.queue):
        keys.append(ctx.queue.get(timeout=0))
    return keys


def test_a_created_task_and_a_finished_tasks_version_are_queued_without_waiting_for_the_watch():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, DEFINITION))
    seen = _observe(ctx)
    assert _queued(ctx) == [Key("KeptnTask", "demo", seen.items[0]["name"])]
    task = _cache(ctx, TASK, _task(kube, {"status": "Progressing", "jobName": JOB_NAME}))
    task["metadata"]["ownerReferences"] = [{"kind": "KeptnAppVersion", "name": KAV["metadata"]["name"], "controller": True}]
    _cache(ctx, JOB, _job(kube, task, [("Complete", "", "")]))
    reconcile_task(ctx, Key("KeptnTask", "demo", TASK_NAME))
    assert _queued(ctx) == [Key("KeptnAppVersion", "demo", KAV["metadata"]["name"])]


def test_only_the_result_finalizer_goes_and_only_from_where_the_cache_saw_it():
    kube = FakeApi()
    ctx = context_over(kube)
    task = _task(kube)
    job = _cache(ctx, JOB, _job(kube, task, [("Complete", "", "")], finalizers=("example.com/audit", JOB_RESULT_FINALIZER)))
    reconcile_task(ctx, Key("KeptnTask", "demo", TASK_NAME))  # the task is gone: its Jobs are released
    assert kube.objects[("Job", "demo", JOB_NAME)]["metadata"]["finalizers"] == ["example.com/audit"]
    # the cache saw the finalizer at index 1; someone removed the first one since: nothing is removed
    kube.objects[("Job", "demo", JOB_NAME)]["metadata"]["finalizers"] = [JOB_RESULT_FINALIZER]
    with pytest.raises(ApiException):
        release_job(ctx, {**job, "metadata": {**job["metadata"], "finalizers": ["example.com/audit", JOB_RESULT_FINALIZER]}})
    assert kube.objects[("Job", "demo", JOB_NAME)]["metadata"]["finalizers"] == [JOB_RESULT_FINALIZER]
