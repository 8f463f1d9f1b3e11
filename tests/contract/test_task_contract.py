"""What a promotion task and its Job carry (contract §2, §5): each judge passes the right objects and
fails on each way of breaking the rule it reads."""
from __future__ import annotations

import copy
import json

import pytest

from harness.contract.simulation import task_container
from harness.judges import tasks_and_jobs
from harness.library.recorder import Observation, Recorder

CONTEXT = {"appName": "checkout", "appVersion": "2.4.1", "taskType": "promotion", "objectType": "App",
           "workloadName": "", "workloadVersion": "",
           "metadata": {"stage": "staging", "next-stage": "production", "traceparent": "00-abc-def-01"}}
VERSION = {"kind": "KeptnAppVersion", "metadata": {"name": "checkout-2.4.1-6b86b273", "uid": "version-uid"}}
LABELS, ANNOTATIONS = {"team": "payments", "tier": "gitops"}, {"owner": "release-team"}


def _definition(**spec) -> dict:
    container = task_container(run_for="1s")
    container["args"] = ["production", "--dry-run"]
    container["env"] += [{"name": "TARGET_STAGE", "value": "production"},
                         {"name": "KEPTN_CONTEXT", "value": "set-by-the-definition"}]
    return {"kind": "KeptnTaskDefinition",
            "metadata": {"name": "promote-a", "labels": dict(LABELS), "annotations": dict(ANNOTATIONS)},
            "spec": {"container": container, "retries": 3, "timeout": "2m", "ttlSecondsAfterFinished": 600, **spec}}


def _task(context=CONTEXT, status=None, labels=None, annotations=None, name="promotion-promote-a-12345",
          controller=True, kind="KeptnAppVersion") -> dict:
    owner = {"apiVersion": "lifecycle.keptn.sh/v1", "kind": kind, "name": VERSION["metadata"]["name"],
             "uid": "version-uid", "controller": controller}
    return {"kind": "KeptnTask",
            "metadata": {"name": name, "uid": "task-uid",
                         "labels": {**LABELS, "keptn.sh/owner-uid": "version-uid"} if labels is None else labels,
                         "annotations": dict(ANNOTATIONS) if annotations is None else annotations,
                         "ownerReferences": [owner]},
            "spec": {"taskDefinition": "promote-a", "context": context}, "status": status or {}}


def _job(task=None, definition=None, conditions=(), name=None) -> dict:
    """The Job a conformant implementation makes of `task` and `definition`, as the API server holds it."""
    task, definition = task or _task(), definition or _definition()
    container = copy.deepcopy(definition["spec"]["container"])
    container["env"] = [*(e for e in container["env"] if e["name"] != "KEPTN_CONTEXT"),
                        {"name": "KEPTN_CONTEXT", "value": json.dumps(task["spec"]["context"])}]
    container.update({"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log"})
    labels, annotations = task["metadata"]["labels"], task["metadata"]["annotations"]
    keptn = {"keptn.sh/app": "checkout", "keptn.sh/version": "2.4.1", "keptn.sh/task-name": task["metadata"]["name"]}
    return {"kind": "Job",
            "metadata": {"name": name or f"{task['metadata']['name']}-67890", "uid": "job-uid",
                         "labels": dict(labels), "annotations": {**annotations, **keptn},
                         "ownerReferences": [{"apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnTask",
                                              "name": task["metadata"]["name"], "uid": "task-uid", "controller": True}]},
            "spec": {"backoffLimit": 3, "activeDeadlineSeconds": 120, "ttlSecondsAfterFinished": 600,
                     "template": {"metadata": {"labels": {**labels, "batch.kubernetes.io/job-name": "x", "job-name": "x"},
                                               "annotations": dict(annotations)},
                                  "spec": {"restartPolicy": "OnFailure", "containers": [container],
                                           "serviceAccountName": "promoter", "serviceAccount": "promoter",
                                           "automountServiceAccountToken": False,
                                           "imagePullSecrets": [{"name": "registry-credentials"}]}}},
            "status": {"conditions": list(conditions)}}


def _changed(obj: dict, change) -> dict:
    obj = copy.deepcopy(obj)
    change(obj)
    return obj


# -- C5.2, C5.7 ------------------------------------------------------------------------------------


def test_a_task_is_named_check_type_definition_and_five_digits():
    tasks_and_jobs.task_name_must_follow_the_pattern(_task(), "promote-a")
    for wrong in ("promote-a-12345", "promotion-promote-a", "promotion-promote-a-1234", "promotion-promote-a-abcde",
                  "Promotion-promote-a-12345", "promote-a-promotion-12345", "promotion-promote-b-12345"):
        with pytest.raises(AssertionError, match="C5.2"):
            tasks_and_jobs.task_name_must_follow_the_pattern(_task(name=wrong), "promote-a")
    with pytest.raises(AssertionError, match="C5.2"):  # `_` becomes `-`
        tasks_and_jobs.task_name_must_follow_the_pattern(_task(name="promotion-promote_a-12345"), "promote_a")


def test_a_long_task_name_is_shortened_so_that_its_job_name_fits_a_label_value():
    definition = "promote-to-production-through-the-gitops-repository-of-the-platform-team"
    shortened = f"promotion-{definition}"[:51].rstrip("-") + "-12345"
    tasks_and_jobs.task_name_must_follow_the_pattern(_task(name=shortened), definition)
    with pytest.raises(AssertionError, match="more than the 63"):
        tasks_and_jobs.task_name_must_follow_the_pattern(_task(name=f"promotion-{definition}-12345"), definition)
    with pytest.raises(AssertionError, match="shortened"):
        tasks_and_jobs.task_name_must_follow_the_pattern(_task(name="promotion-gitops-12345"), definition)
    with pytest.raises(AssertionError, match="shortened"):
        tasks_and_jobs.task_name_must_follow_the_pattern(_task(name=definition[:40] + "-12345"), definition)
    # a name that fits is not to be shortened
    with pytest.raises(AssertionError, match="C5.2"):
        tasks_and_jobs.task_name_must_follow_the_pattern(_task(name="promotion-prom-12345"), "promote-a")


def test_a_long_definition_name_gives_a_task_and_a_job_whose_names_fit_a_label_value():
    definition = "promote-to-the-production-cluster-of-the-eu-region"
    task = _task(name=f"promotion-{definition}"[:51].rstrip("-") + "-12345")
    tasks_and_jobs.names_must_fit_a_label(task, _job(task), definition)
    unshortened = _task(name=f"promotion-{definition}-12345")  # 66 characters: a Job name cannot be <task>-<digits>
    with pytest.raises(AssertionError, match="more than the 63"):
        tasks_and_jobs.names_must_fit_a_label(unshortened, _job(task), definition)
    with pytest.raises(AssertionError, match="C5.7"):  # a Job cut to fit is no longer <task>-<5 digits>
        tasks_and_jobs.names_must_fit_a_label(task, _job(task, name=f"promotion-{definition}"[:57] + "-67890"), definition)


def test_a_job_is_named_after_its_task_with_five_digits():
    task = _task()
    tasks_and_jobs.job_name_must_follow_the_pattern(_job(task), task)
    for wrong in ("promotion-promote-a-12345", "promotion-promote-a-12345-6789", "promote-a-12345-67890",
                  "job-promotion-promote-a-12345-67890", "promotion-promote-a-12345-67890x"):
        with pytest.raises(AssertionError, match="C5.7"):
            tasks_and_jobs.job_name_must_follow_the_pattern(_job(task, name=wrong), task)


# -- C5.4, C5.7: owners ------------------------------------------------------------------------------


def test_a_task_is_controlled_by_its_app_version():
    tasks_and_jobs.task_must_be_controlled_by_its_version(_task(), VERSION)
    with pytest.raises(AssertionError, match="expected one controller ownerReference .*C5.4.*found 0"):
        tasks_and_jobs.task_must_be_controlled_by_its_version(_task(controller=False), VERSION)
    with pytest.raises(AssertionError, match="C5.4.*'kind': 'KeptnWorkloadVersion'"):
        tasks_and_jobs.task_must_be_controlled_by_its_version(_task(kind="KeptnWorkloadVersion"), VERSION)
    renamed = _changed(_task(), lambda t: t["metadata"]["ownerReferences"][0].update(name="checkout"))
    with pytest.raises(AssertionError, match="C5.4.*'name': 'checkout'"):
        tasks_and_jobs.task_must_be_controlled_by_its_version(renamed, VERSION)
    other_group = _changed(_task(), lambda t: t["metadata"]["ownerReferences"][0].update(apiVersion="example.com/v1"))
    with pytest.raises(AssertionError, match="C5.4.*apiVersion"):
        tasks_and_jobs.task_must_be_controlled_by_its_version(other_group, VERSION)


def test_a_job_is_controlled_by_its_task():
    task = _task()
    tasks_and_jobs.job_must_be_controlled_by_its_task(_job(task), task)
    not_controller = _changed(_job(task), lambda j: j["metadata"]["ownerReferences"][0].update(controller=False))
    with pytest.raises(AssertionError, match="C5.7.*found 0"):
        tasks_and_jobs.job_must_be_controlled_by_its_task(not_controller, task)
    flag_absent = _changed(_job(task), lambda j: j["metadata"]["ownerReferences"][0].pop("controller"))
    with pytest.raises(AssertionError, match="C5.7"):
        tasks_and_jobs.job_must_be_controlled_by_its_task(flag_absent, task)
    other_kind = _changed(_job(task), lambda j: j["metadata"]["ownerReferences"][0].update(kind="KeptnAppVersion"))
    with pytest.raises(AssertionError, match="C5.7.*'kind': 'KeptnAppVersion'"):
        tasks_and_jobs.job_must_be_controlled_by_its_task(other_kind, task)


# -- C5.3, C5.8, C5.9: labels and annotations ------------------------------------------------------


def test_a_task_carries_its_definitions_labels_and_annotations():
    tasks_and_jobs.task_must_carry_the_definitions_metadata(_task(), _definition())
    applied = _changed(_definition(), lambda d: d["metadata"]["annotations"].update(
        {"kubectl.kubernetes.io/last-applied-configuration": "{}"}))
    tasks_and_jobs.task_must_carry_the_definitions_metadata(_task(), applied)
    with pytest.raises(AssertionError, match=r"metadata.labels.*C5.3.*\{'tier': None\}"):
        tasks_and_jobs.task_must_carry_the_definitions_metadata(_task(labels={"team": "payments"}), _definition())
    with pytest.raises(AssertionError, match=r"metadata.annotations.*C5.3.*\{'owner': None\}"):
        tasks_and_jobs.task_must_carry_the_definitions_metadata(_task(annotations={}), _definition())
    with pytest.raises(AssertionError, match=r"C5.3.*\{'owner': 'someone-else'\}"):
        tasks_and_jobs.task_must_carry_the_definitions_metadata(_task(annotations={"owner": "someone-else"}), _definition())


def test_a_jobs_labels_are_its_tasks_and_its_annotations_add_app_version_and_task_name():
    task = _task()
    tasks_and_jobs.job_metadata_must_follow_its_task(_job(task), task, "checkout", "2.4.1")
    with_kubernetes_keys = _changed(_job(task), lambda j: j["metadata"]["labels"].update({"batch.kubernetes.io/job-name": "x"}))
    tasks_and_jobs.job_metadata_must_follow_its_task(with_kubernetes_keys, task, "checkout", "2.4.1")
    for field, key in (("labels", "team"), ("annotations", "owner"), ("annotations", "keptn.sh/app"),
                       ("annotations", "keptn.sh/version"), ("annotations", "keptn.sh/task-name")):
        without = _changed(_job(task), lambda j: j["metadata"][field].pop(key))
        with pytest.raises(AssertionError, match=rf"metadata.{field}.*C5.8.*'{key}': None"):
            tasks_and_jobs.job_metadata_must_follow_its_task(without, task, "checkout", "2.4.1")
    with pytest.raises(AssertionError, match="C5.8.*'keptn.sh/version': '2.4.1'"):
        tasks_and_jobs.job_metadata_must_follow_its_task(_job(task), task, "checkout", "2.5.0")
    extra = _changed(_job(task), lambda j: j["metadata"]["labels"].update({"stage": "production"}))
    with pytest.raises(AssertionError, match="expected exactly .*C5.8.*also has \\{'stage': 'production'\\}"):
        tasks_and_jobs.job_metadata_must_follow_its_task(extra, task, "checkout", "2.4.1")


def test_a_jobs_pod_template_carries_its_tasks_labels_and_annotations_and_restarts_on_failure():
    task = _task()
    tasks_and_jobs.pod_template_must_follow_its_task(_job(task), task)
    for field, key in (("labels", "tier"), ("annotations", "owner")):
        without = _changed(_job(task), lambda j: j["spec"]["template"]["metadata"][field].pop(key))
        with pytest.raises(AssertionError, match=rf"spec.template.metadata.{field}.*C5.9"):
            tasks_and_jobs.pod_template_must_follow_its_task(without, task)
    never = _changed(_job(task), lambda j: j["spec"]["template"]["spec"].update(restartPolicy="Never"))
    with pytest.raises(AssertionError, match="restartPolicy: expected OnFailure .*C5.9.*observed Never"):
        tasks_and_jobs.pod_template_must_follow_its_task(never, task)


# -- C5.5, C5.6: the context -------------------------------------------------------------------------


def test_a_promotion_tasks_context_names_the_app_and_version_and_nothing_of_a_workload():
    tasks_and_jobs.promotion_context_must_be(_task(), "checkout", "2.4.1")
    absent = {k: v for k, v in CONTEXT.items() if k not in ("workloadName", "workloadVersion")}
    tasks_and_jobs.promotion_context_must_be(_task(absent), "checkout", "2.4.1")
    for wrong in ({"taskType": "post"}, {"objectType": "Workload"}, {"appVersion": "checkout-2.4.1-6b86b273"},
                  {"appName": "checkout-2.4.1-6b86b273"}, {"workloadName": "checkout"}, {"workloadVersion": "2.4.1"}):
        with pytest.raises(AssertionError, match="spec.context: expected .*C5.5"):
            tasks_and_jobs.promotion_context_must_be(_task({**CONTEXT, **wrong}), "checkout", "2.4.1")


def test_a_promotion_tasks_context_metadata_holds_every_entry_of_the_app_context():
    app_context = {"metadata": {"name": "checkout"}, "spec": {"metadata": {"stage": "staging", "next-stage": "production"}}}
    tasks_and_jobs.context_metadata_must_hold(_task(), app_context)
    without_trace = {**CONTEXT, "metadata": {"stage": "staging", "next-stage": "production"}}
    tasks_and_jobs.context_metadata_must_hold(_task(without_trace), app_context)  # the trace carrier is C10.1's
    partial = {**CONTEXT, "metadata": {"stage": "staging", "traceparent": "00-abc-def-01"}}
    with pytest.raises(AssertionError, match=r"lacks \{'next-stage': 'production'\} .*C5.6"):
        tasks_and_jobs.context_metadata_must_hold(_task(partial), app_context)
    with pytest.raises(AssertionError, match="C5.6"):
        tasks_and_jobs.context_metadata_must_hold(_task({**CONTEXT, "metadata": {"stage": "prod", "next-stage": "production"}}), app_context)
    with pytest.raises(AssertionError, match="checks nothing"):
        tasks_and_jobs.context_metadata_must_hold(_task(), {"metadata": {"name": "checkout"}, "spec": {}})


# -- C5.10 to C5.12: limits --------------------------------------------------------------------------


def test_a_jobs_limits_are_its_definitions():
    tasks_and_jobs.job_limits_must_be_the_definitions(_job(), _definition())
    for field, rule in (("backoffLimit", "C5.10"), ("activeDeadlineSeconds", "C5.11"), ("ttlSecondsAfterFinished", "C5.12")):
        with pytest.raises(AssertionError, match=rf"{field} None.*{rule}"):
            tasks_and_jobs.job_limits_must_be_the_definitions(_changed(_job(), lambda j: j["spec"].pop(field)), _definition())
    with pytest.raises(AssertionError, match=r"activeDeadlineSeconds 120, expected .*90s in seconds, 90 \(C5.11\)"):
        tasks_and_jobs.job_limits_must_be_the_definitions(_job(), _definition(timeout="90s"))
    # whole seconds, down or up
    job = _changed(_job(), lambda j: j["spec"].update(activeDeadlineSeconds=2))
    tasks_and_jobs.job_limits_must_be_the_definitions(job, _definition(timeout="1.5s"))
    # the defaults of contract §1 where the definition leaves a field out
    defaults = _changed(_job(), lambda j: j["spec"].update(backoffLimit=10, activeDeadlineSeconds=300, ttlSecondsAfterFinished=300))
    bare = _changed(_definition(), lambda d: [d["spec"].pop(k) for k in ("retries", "timeout", "ttlSecondsAfterFinished")])
    tasks_and_jobs.job_limits_must_be_the_definitions(defaults, bare)
    with pytest.raises(AssertionError, match="backoffLimit 3, expected the definition's retries 10"):
        tasks_and_jobs.job_limits_must_be_the_definitions(_job(), bare)


def test_go_durations():
    assert tasks_and_jobs.duration_seconds("1h30m") == 5400
    assert tasks_and_jobs.duration_seconds("1.5s") == 1.5
    assert tasks_and_jobs.duration_seconds("0") == 0
    with pytest.raises(ValueError):
        tasks_and_jobs.duration_seconds("5 minutes")


# -- C5.13: the pod's identity -----------------------------------------------------------------------


def test_a_jobs_pod_runs_with_the_definitions_service_account_automount_and_pull_secrets():
    definition = _definition(serviceAccount={"name": "promoter"}, automountServiceAccountToken={"type": False},
                             imagePullSecrets=[{"name": "registry-credentials"}])
    tasks_and_jobs.job_pod_must_run_as_the_definition_says(_job(), definition)
    for field, pattern in (("serviceAccountName", "serviceAccountName None, expected 'promoter'"),
                           ("automountServiceAccountToken", "automountServiceAccountToken None, expected False"),
                           ("imagePullSecrets", r"imagePullSecrets \[\], expected \['registry-credentials'\]")):
        without = _changed(_job(), lambda j: [j["spec"]["template"]["spec"].pop(k, None)
                                              for k in ({field, "serviceAccount"} if field == "serviceAccountName" else {field})])
        with pytest.raises(AssertionError, match=rf"C5.13.*{pattern}"):
            tasks_and_jobs.job_pod_must_run_as_the_definition_says(without, definition)
    # a definition that says none of them: the default account, no automount setting, no secrets
    plain = _changed(_job(), lambda j: [j["spec"]["template"]["spec"].pop(k) for k in
                                         ("serviceAccountName", "serviceAccount", "automountServiceAccountToken", "imagePullSecrets")])
    tasks_and_jobs.job_pod_must_run_as_the_definition_says(plain, _definition())
    with pytest.raises(AssertionError, match="serviceAccountName 'promoter', expected 'the default'"):
        tasks_and_jobs.job_pod_must_run_as_the_definition_says(_job(), _definition())


# -- C5.14: the container ----------------------------------------------------------------------------


def test_a_container_task_runs_the_definitions_container_as_written_with_keptn_context():
    task, definition = _task(), _definition()
    tasks_and_jobs.container_must_be_the_definitions(_job(task, definition), definition, task)
    tasks_and_jobs.keptn_context_must_be_the_tasks(_job(task, definition), task)

    def container_changed(change):
        return _changed(_job(task, definition), lambda j: change(j["spec"]["template"]["spec"]["containers"][0]))

    for field, value in (("image", "busybox:latest"), ("command", ["sh", "-c", "exit 0"]), ("args", []),
                         ("workingDir", "/"), ("name", "runner")):
        if field == "workingDir":
            definition_with = _changed(definition, lambda d: d["spec"]["container"].update(workingDir="/workspace"))
            job = _changed(_job(task, definition_with), lambda j: j["spec"]["template"]["spec"]["containers"][0].update(workingDir=value))
            with pytest.raises(AssertionError, match="not the definition's as written .*C5.14.*workingDir"):
                tasks_and_jobs.container_must_be_the_definitions(job, definition_with, task)
            continue
        with pytest.raises(AssertionError, match="C5.14"):
            tasks_and_jobs.container_must_be_the_definitions(container_changed(lambda c: c.update({field: value})), definition, task)
    # a field written empty and one left out are the same (a Go client drops empty ones)
    empty = _changed(definition, lambda d: (d["spec"]["container"].update(workingDir="", ports=[]),
                                            d["spec"]["container"]["env"].append({"name": "EMPTY", "value": ""})))
    tasks_and_jobs.container_must_be_the_definitions(
        container_changed(lambda c: c["env"].insert(-1, {"name": "EMPTY"})), empty, task)
    dropped = container_changed(lambda c: c.update(env=[e for e in c["env"] if e["name"] != "TARGET_STAGE"]))
    with pytest.raises(AssertionError, match="env other than KEPTN_CONTEXT .*C5.14"):
        tasks_and_jobs.container_must_be_the_definitions(dropped, definition, task)
    reordered = container_changed(lambda c: c.update(env=list(reversed(c["env"]))))
    with pytest.raises(AssertionError, match="env other than KEPTN_CONTEXT"):
        tasks_and_jobs.container_must_be_the_definitions(reordered, definition, task)
    kept_own = container_changed(lambda c: c["env"].insert(0, {"name": "KEPTN_CONTEXT", "value": "set-by-the-definition"}))
    with pytest.raises(AssertionError, match="has 2 KEPTN_CONTEXT variables, expected one, in place of"):
        tasks_and_jobs.container_must_be_the_definitions(kept_own, definition, task)
    not_replaced = container_changed(lambda c: c["env"][-1].update(value="set-by-the-definition"))
    with pytest.raises(AssertionError, match="KEPTN_CONTEXT is not JSON"):
        tasks_and_jobs.container_must_be_the_definitions(not_replaced, definition, task)
    missing = container_changed(lambda c: c["env"].pop())
    with pytest.raises(AssertionError, match="has 0 KEPTN_CONTEXT variables, expected one"):
        tasks_and_jobs.container_must_be_the_definitions(missing, definition, task)
    with pytest.raises(AssertionError, match="has no KEPTN_CONTEXT env"):
        tasks_and_jobs.keptn_context_must_be_the_tasks(missing, task)
    other_type = container_changed(lambda c: c["env"][-1].update(value=json.dumps({**CONTEXT, "taskType": "post"})))
    with pytest.raises(AssertionError, match="is not KeptnTask .*spec.context .*C5.14"):
        tasks_and_jobs.container_must_be_the_definitions(other_type, definition, task)
    with pytest.raises(AssertionError, match="differs from KeptnTask"):
        tasks_and_jobs.keptn_context_must_be_the_tasks(other_type, task)
    with pytest.raises(AssertionError, match="KEPTN_CONTEXT is not JSON"):
        tasks_and_jobs.keptn_context_must_be_the_tasks(not_replaced, task)


# -- C5.16 -------------------------------------------------------------------------------------------


def _recorded(*observations: tuple[float, str, dict]) -> Recorder:
    recorder = Recorder(kube=None, namespace="t")
    recorder.observations.extend(Observation(kind, "MODIFIED", obj, at) for at, kind, obj in observations)
    return recorder


COMPLETE = [{"type": "Complete", "status": "True"}]


def test_a_task_is_succeeded_once_its_job_completed_and_not_before():
    running_job, done_job = _job(), _job(conditions=COMPLETE)
    progressing, succeeded = _task(status={"status": "Progressing"}), _task(status={"status": "Succeeded"})
    in_order = _recorded((1.0, "Job", running_job), (1.1, "KeptnTask", progressing), (3.0, "Job", done_job),
                         (3.2, "KeptnTask", succeeded))
    tasks_and_jobs.task_must_succeed_with_its_job(in_order, succeeded, done_job)
    early = _recorded((1.0, "Job", running_job), (1.1, "KeptnTask", succeeded), (3.0, "Job", done_job))
    with pytest.raises(AssertionError, match=r"Succeeded 1.900s before its Job .* completed .*C5.16"):
        tasks_and_jobs.task_must_succeed_with_its_job(early, succeeded, done_job)
    failed = _task(status={"status": "Failed"})
    with pytest.raises(AssertionError, match="is 'Failed' although its Job .* completed .*C5.16"):
        tasks_and_jobs.task_must_succeed_with_its_job(_recorded((3.0, "Job", done_job), (3.2, "KeptnTask", failed)),
                                                     failed, done_job)
    with pytest.raises(AssertionError, match="never saw Job .* complete"):
        tasks_and_jobs.task_must_succeed_with_its_job(_recorded((1.0, "Job", running_job)), succeeded, running_job)


def test_a_task_seen_succeeded_a_moment_before_its_jobs_event_is_not_early_when_the_job_controller_says_it_completed():
    """Two watches deliver their events a moment apart: the Job controller's lastTransitionTime decides too."""
    done_job = _job(conditions=[{"type": "Complete", "status": "True", "lastTransitionTime": "1970-01-01T00:00:03Z"}])
    succeeded = _task(status={"status": "Succeeded"})
    jitter = _recorded((3.2, "KeptnTask", succeeded), (3.25, "Job", done_job))
    tasks_and_jobs.task_must_succeed_with_its_job(jitter, succeeded, done_job)
    early = _recorded((1.1, "KeptnTask", succeeded), (3.25, "Job", done_job))
    with pytest.raises(AssertionError, match=r"Succeeded 1.900s before its Job"):
        tasks_and_jobs.task_must_succeed_with_its_job(early, succeeded, done_job)


# -- others of §2 and §5 -----------------------------------------------------------------------------


def test_the_jobs_failure_message_and_reason_must_reach_the_task():
    failed = _job(conditions=[{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                               "message": "Job has reached the specified backoff limit"}])
    kept = _task(status={"status": "Failed", "reason": "BackoffLimitExceeded",
                         "message": "Job has reached the specified backoff limit"})
    tasks_and_jobs.task_must_keep_the_jobs_message(kept, failed, "Failed")
    tasks_and_jobs.task_reason_must_be(kept, "BackoffLimitExceeded")
    with pytest.raises(AssertionError, match="does not keep its Job's"):
        tasks_and_jobs.task_must_keep_the_jobs_message(_task(status={"status": "Failed", "message": "it failed"}), failed, "Failed")
    with pytest.raises(AssertionError, match="expected reason 'BackoffLimitExceeded'"):
        tasks_and_jobs.task_reason_must_be(_task(status={"status": "Failed", "reason": "Failed"}), "BackoffLimitExceeded")
    with pytest.raises(AssertionError, match="did not succeed"):
        tasks_and_jobs.job_must_have_succeeded(failed)


def test_the_version_name_and_end_time():
    version = {"metadata": {"name": "checkout-1.0.0-d4735e3a"}, "status": {}}
    tasks_and_jobs.version_name_must_end_with(version, "-d4735e3a", "sha256 of generation 2")
    with pytest.raises(AssertionError, match="expected the name to end with -4e074085"):
        tasks_and_jobs.version_name_must_end_with(version, "-4e074085", "sha256 of generation 3")
    with pytest.raises(AssertionError, match="has no status.endTime"):
        tasks_and_jobs.end_time_must_be_set(version)
