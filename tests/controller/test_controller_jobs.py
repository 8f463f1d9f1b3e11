"""KeptnTask and Job building (contract §5)."""
from __future__ import annotations

import json

import pytest

from harness.controller.checks import app_context, evaluation_manifest, task_manifest, workload_context
from harness.controller.definitions import resolve_function
from harness.contract.job_result import JobResult, job_result
from harness.controller.jobs import JOB_RESULT_FINALIZER, RunnerImages, function_configmap, job_manifest
from harness.contract.kinds import APP_VERSION, WORKLOAD_VERSION
from harness.contract.states import KeptnState

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
APP_VERSION_OBJ = {
    "metadata": {"name": "shop-1.0.0-6b86b273", "namespace": "shop", "uid": "kav-uid"},
    "spec": {"appName": "shop", "version": "1.0.0", "metadata": {"env": "prod"}},
}
CONTAINER = {"name": "promote", "image": "busybox:1.36", "command": ["sh", "-c", "exit 0"],
             "env": [{"name": "SIM_RUN_FOR", "value": "2s"}, {"name": "KEPTN_CONTEXT", "value": "stale"}]}


def _definition(**spec):
    return {"metadata": {"name": "promote", "namespace": "shop", "uid": "def-uid",
                         "labels": {"team": "blue"},
                         "annotations": {"owner": "ops", "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": spec}


def _task(definition, context=None):
    task = task_manifest("promotion-promote-12345", APP_VERSION_OBJ, APP_VERSION, "promotion", definition,
                         context or app_context(APP_VERSION_OBJ, "promotion", TRACEPARENT))
    task["metadata"]["uid"] = "task-uid"
    return task


def test_a_promotion_task_context_is_app_level():
    # contract §5: appName, appVersion (spec.version), taskType promotion, objectType App, empty workload
    # fields, metadata = the AppContext metadata plus traceparent
    assert app_context(APP_VERSION_OBJ, "promotion", TRACEPARENT) == {
        "appName": "shop", "appVersion": "1.0.0", "workloadName": "", "workloadVersion": "",
        "taskType": "promotion", "objectType": "App", "metadata": {"env": "prod", "traceparent": TRACEPARENT}}


def test_a_workload_task_context_names_the_workload():
    kwv = {"spec": {"app": "shop", "workloadName": "shop-cart", "version": "0.2", "metadata": {}}}
    assert workload_context(kwv, "pre", TRACEPARENT) == {
        "appName": "shop", "appVersion": "", "workloadName": "shop-cart", "workloadVersion": "0.2",
        "taskType": "pre", "objectType": "Workload", "metadata": {"traceparent": TRACEPARENT}}


def test_the_task_copies_labels_and_annotations_of_the_definition_and_is_owned_by_the_version():
    # contract §5: labels and annotations copied from the KeptnTaskDefinition; controller ownerReference → version
    task = _task(_definition(container=CONTAINER, retries=2, timeout="90s"))
    assert task["metadata"]["labels"] == {"team": "blue", "keptn.sh/owner-uid": "kav-uid",
                                          "keptn.sh/check-type": "promotion"}
    assert task["metadata"]["annotations"] == {"owner": "ops"}
    assert task["metadata"]["ownerReferences"] == [{
        "apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnAppVersion", "name": "shop-1.0.0-6b86b273",
        "uid": "kav-uid", "controller": True, "blockOwnerDeletion": True}]
    assert {k: task["spec"][k] for k in ("taskDefinition", "checkType", "retries", "timeout")} == {
        "taskDefinition": "promote", "checkType": "promotion", "retries": 2, "timeout": "90s"}


def test_task_retries_and_timeout_default_to_keptns():
    # contract §1: retries default 10, timeout default 5m
    assert (_task(_definition(container=CONTAINER))["spec"]["retries"],
            _task(_definition(container=CONTAINER))["spec"]["timeout"]) == (10, "5m")


def test_a_container_job_runs_the_container_as_written_with_keptn_context():
    definition = _definition(container=CONTAINER, retries=3, timeout="90s", ttlSecondsAfterFinished=60,
                             serviceAccount={"name": "promoter"}, automountServiceAccountToken={"type": False},
                             imagePullSecrets=[{"name": "regcred"}])
    task = _task(definition)
    job = job_manifest("promotion-promote-12345-54321", task, definition, None, RunnerImages())
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert {k: v for k, v in container.items() if k != "env"} == {k: v for k, v in CONTAINER.items() if k != "env"}
    assert container["env"][0] == {"name": "SIM_RUN_FOR", "value": "2s"}
    # KEPTN_CONTEXT added or overwritten, once: the JSON of spec.context
    assert [e["name"] for e in container["env"]] == ["SIM_RUN_FOR", "KEPTN_CONTEXT"]
    assert json.loads(container["env"][1]["value"]) == task["spec"]["context"]
    # contract §5: restartPolicy OnFailure; backoffLimit = retries; activeDeadlineSeconds = timeout;
    # ttlSecondsAfterFinished, service account, token automount and pull secrets from the definition
    assert job["spec"]["backoffLimit"] == 3 and job["spec"]["activeDeadlineSeconds"] == 90
    assert job["spec"]["ttlSecondsAfterFinished"] == 60
    pod = job["spec"]["template"]["spec"]
    assert (pod["restartPolicy"], pod["serviceAccountName"], pod["automountServiceAccountToken"],
            pod["imagePullSecrets"]) == ("OnFailure", "promoter", False, [{"name": "regcred"}])
    assert CONTAINER["env"][1] == {"name": "KEPTN_CONTEXT", "value": "stale"}  # the definition is left alone


def test_the_job_carries_the_task_labels_annotations_owner_and_the_result_finalizer():
    definition = _definition(container=CONTAINER)
    task = _task(definition)
    job = job_manifest("promotion-promote-12345-54321", task, definition, None, RunnerImages())
    meta = job["metadata"]
    assert meta["labels"] == task["metadata"]["labels"]
    assert meta["annotations"] == {"owner": "ops", "keptn.sh/app": "shop", "keptn.sh/version": "1.0.0",
                                   "keptn.sh/task-name": "promotion-promote-12345"}
    assert meta["ownerReferences"] == [{"apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnTask",
                                        "name": "promotion-promote-12345", "uid": "task-uid", "controller": True,
                                        "blockOwnerDeletion": True}]
    assert meta["finalizers"] == [JOB_RESULT_FINALIZER]
    template = job["spec"]["template"]["metadata"]
    assert template == {"labels": task["metadata"]["labels"], "annotations": task["metadata"]["annotations"]}


def test_a_workload_task_job_is_annotated_with_the_workload_and_its_version():
    kwv = {"metadata": {"name": "shop-cart-0.2", "namespace": "shop", "uid": "kwv-uid"},
           "spec": {"app": "shop", "workloadName": "shop-cart", "version": "0.2"}}
    definition = _definition(container=CONTAINER)
    task = task_manifest("pre-promote-1", kwv, WORKLOAD_VERSION, "pre", definition,
                         workload_context(kwv, "pre", TRACEPARENT))
    task["metadata"]["uid"] = "task-uid"
    annotations = job_manifest("pre-promote-1-2", task, definition, None, RunnerImages())["metadata"]["annotations"]
    assert (annotations["keptn.sh/workload"], annotations["keptn.sh/version"]) == ("shop-cart", "0.2")


def test_a_timeout_of_zero_sets_no_deadline_and_fractions_round_up():
    for timeout, deadline in (("0", None), ("1500ms", 2)):
        definition = _definition(container=CONTAINER, timeout=timeout)
        job = job_manifest("j", _task(definition), definition, None, RunnerImages())
        assert job["spec"].get("activeDeadlineSeconds") == deadline


@pytest.mark.parametrize(("runtime", "image", "path"), [
    ("deno", "ghcr.io/keptn/deno-runtime:v3.0.1", "/var/data/function.ts"),
    ("python", "ghcr.io/keptn/python-runtime:v1.0.8", "/var/data/function.py"),
])
def test_a_function_job_runs_keptns_runner_with_the_code_mounted(runtime, image, path):
    # contract §5: container keptn-function-runner, env DATA, KEPTN_CONTEXT, CMD_ARGS, SECURE_DATA, SCRIPT;
    # inline code in ConfigMap keptnfn-<definition> key code, mounted at /var/data/function.ts (or .py)
    definition = _definition(**{runtime: {"inline": {"code": "print(1)"}, "parameters": {"map": {"a": "1"}},
                                          "secureParameters": {"secret": "creds"}, "cmdParameters": "-v"}})
    task = _task(definition)
    job = job_manifest("j", task, definition, resolve_function(definition, lambda _: None), RunnerImages())
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert (container["name"], container["image"]) == ("keptn-function-runner", image)
    env = {e["name"]: e for e in container["env"]}
    assert list(env) == ["DATA", "KEPTN_CONTEXT", "CMD_ARGS", "SECURE_DATA", "SCRIPT"]
    assert json.loads(env["DATA"]["value"]) == {"a": "1"}
    assert json.loads(env["KEPTN_CONTEXT"]["value"]) == task["spec"]["context"]
    assert env["CMD_ARGS"]["value"] == "-v"
    assert env["SECURE_DATA"]["valueFrom"] == {"secretKeyRef": {"name": "creds", "key": "SECURE_DATA"}}
    assert env["SCRIPT"]["value"] == path
    assert container["volumeMounts"] == [{"name": "function-mount", "readOnly": True, "mountPath": path,
                                          "subPath": "code"}]
    assert pod["volumes"] == [{"name": "function-mount", "configMap": {"name": "keptnfn-promote"}}]


def test_runner_images_come_from_the_settings():
    definition = _definition(python={"httpRef": {"url": "https://example.com/f.py"}})
    job = job_manifest("j", _task(definition), definition, resolve_function(definition, lambda _: None),
                       RunnerImages(deno="d:1", python="p:2"))
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "p:2" and "volumeMounts" not in container
    assert {e["name"]: e.get("value") for e in container["env"]}["SCRIPT"] == "https://example.com/f.py"


def test_task_parameters_override_the_definitions():
    definition = _definition(deno={"inline": {"code": "x"}, "parameters": {"map": {"a": "1", "b": "1"}}})
    task = _task(definition)
    task["spec"]["parameters"] = {"map": {"b": "2"}}
    job = job_manifest("j", task, definition, resolve_function(definition, lambda _: None), RunnerImages())
    data = next(e for e in job["spec"]["template"]["spec"]["containers"][0]["env"] if e["name"] == "DATA")
    assert json.loads(data["value"]) == {"a": "1", "b": "2"}


def test_the_inline_code_configmap():
    definition = _definition(deno={"inline": {"code": "console.log('hi')"}})
    assert function_configmap(definition) == {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "keptnfn-promote", "namespace": "shop", "ownerReferences": [{
            "apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnTaskDefinition", "name": "promote", "uid": "def-uid",
            "controller": True, "blockOwnerDeletion": True}]},
        "data": {"code": "console.log('hi')"}}
    assert function_configmap(_definition(container=CONTAINER)) is None
    assert function_configmap(_definition(deno={"httpRef": {"url": "u"}})) is None


def _job(*conditions):
    return {"status": {"conditions": [{"type": t, "status": s, "reason": r, "message": m} for t, s, r, m in conditions]}}


@pytest.mark.parametrize(("job", "result"), [
    # contract §5: Complete or SuccessCriteriaMet → Succeeded
    (_job(("SuccessCriteriaMet", "True", "CompletionsReached", ""), ("Complete", "True", "CompletionsReached", "")),
     JobResult(KeptnState.SUCCEEDED)),
    (_job(("Complete", "True", "", "")), JobResult(KeptnState.SUCCEEDED)),
    # Failed or FailureTarget → Failed, reason and message copied
    (_job(("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")),
     JobResult(KeptnState.FAILED, "BackoffLimitExceeded", "Job has reached the specified backoff limit")),
    (_job(("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline")),
     JobResult(KeptnState.FAILED, "DeadlineExceeded", "Job was active longer than specified deadline")),
    # still running
    (_job(("Suspended", "False", "", "")), None),
    (_job(("Failed", "False", "", "")), None),
    ({"status": {}}, None),
])
def test_job_result_from_the_job_conditions(job, result):
    assert job_result(job) == result


def test_an_evaluation_carries_the_version_names_and_the_definitions_retries():
    definition = {"metadata": {"name": "quality"}, "spec": {"retries": 3, "retryInterval": "2s"}}
    evaluation = evaluation_manifest("post-eval-quality-12345", APP_VERSION_OBJ, APP_VERSION, "post-eval", definition,
                                     app_context(APP_VERSION_OBJ, "post-eval", TRACEPARENT))
    assert evaluation["spec"] == {"appName": "shop", "appVersion": "1.0.0", "workload": "", "workloadVersion": "",
                                  "evaluationDefinition": "quality", "checkType": "post-eval", "retries": 3,
                                  "retryInterval": "2s"}
    assert evaluation["metadata"]["labels"] == {"keptn.sh/owner-uid": "kav-uid", "keptn.sh/check-type": "post-eval"}
