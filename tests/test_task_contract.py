"""What a promotion task and its Job carry (contract §2, §5): each judge fails on the wrong object."""
from __future__ import annotations

import json

import pytest

from harness.library import task_contract

CONTEXT = {"appName": "checkout", "appVersion": "2.4.1", "taskType": "promotion", "objectType": "App",
           "metadata": {"stage": "staging", "traceparent": "00-abc-def-01"}}


def _task(context=CONTEXT, status=None, labels=None) -> dict:
    return {"kind": "KeptnTask", "metadata": {"name": "promotion-promote-a-12345", "labels": labels or {}},
            "spec": {"context": context}, "status": status or {}}


def _job(env=None, spec=None, conditions=(), annotations=None) -> dict:
    container = {"name": "task", "env": env if env is not None else [{"name": "KEPTN_CONTEXT", "value": json.dumps(CONTEXT)}]}
    return {"kind": "Job", "metadata": {"name": "promotion-promote-a-12345-67890", "annotations": annotations or {}},
            "spec": {"template": {"spec": {"containers": [container]}}, **(spec or {})},
            "status": {"conditions": list(conditions)}}


WANTED = {"appName": "checkout", "appVersion": "2.4.1", "taskType": "promotion", "objectType": "App",
          "workloadName": "", "workloadVersion": ""}


def test_the_right_context_passes_and_a_wrong_task_type_fails():
    task_contract.context_must_be(_task(), WANTED)
    with pytest.raises(AssertionError, match="spec.context: expected .*'taskType': 'promotion'"):
        task_contract.context_must_be(_task({**CONTEXT, "taskType": "post"}), WANTED)


def test_context_metadata_must_carry_the_app_contexts_metadata():
    task_contract.context_metadata_must_include(_task(), {"stage": "staging"})
    with pytest.raises(AssertionError, match=r"lacks \{'next-stage': 'production'\}"):
        task_contract.context_metadata_must_include(_task(), {"stage": "staging", "next-stage": "production"})


def test_keptn_context_must_be_the_tasks_context():
    task_contract.keptn_context_must_be_the_tasks(_job(), _task())
    with pytest.raises(AssertionError, match="has no KEPTN_CONTEXT env"):
        task_contract.keptn_context_must_be_the_tasks(_job(env=[]), _task())
    wrong = [{"name": "KEPTN_CONTEXT", "value": json.dumps({**CONTEXT, "taskType": "pre"})}]
    with pytest.raises(AssertionError, match="differs from KeptnTask"):
        task_contract.keptn_context_must_be_the_tasks(_job(env=wrong), _task())
    with pytest.raises(AssertionError, match="KEPTN_CONTEXT is not JSON"):
        task_contract.keptn_context_must_be_the_tasks(_job(env=[{"name": "KEPTN_CONTEXT", "value": "{"}]), _task())


def test_the_jobs_limits_must_be_the_definitions():
    job = _job(spec={"backoffLimit": 3, "activeDeadlineSeconds": 120, "ttlSecondsAfterFinished": 600})
    task_contract.job_spec_must_have(job, {"backoffLimit": 3, "activeDeadlineSeconds": 120})
    with pytest.raises(AssertionError, match="expected .*'activeDeadlineSeconds': 60.*observed .*120"):
        task_contract.job_spec_must_have(job, {"activeDeadlineSeconds": 60})


def test_labels_and_annotations_must_be_included():
    job = _job(annotations={"keptn.sh/app": "checkout", "owner": "release-team"})
    task_contract.metadata_must_include(job, "annotations", {"keptn.sh/app": "checkout"})
    with pytest.raises(AssertionError, match=r"wrong or missing \{'keptn.sh/version': None\}"):
        task_contract.metadata_must_include(job, "annotations", {"keptn.sh/version": "1.0.0"})


def test_the_jobs_failure_message_and_reason_must_reach_the_task():
    failed = _job(conditions=[{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                               "message": "Job has reached the specified backoff limit"}])
    kept = _task(status={"status": "Failed", "reason": "BackoffLimitExceeded",
                         "message": "Job has reached the specified backoff limit"})
    task_contract.task_must_keep_the_jobs_message(kept, failed, "Failed")
    task_contract.task_reason_must_be(kept, "BackoffLimitExceeded")
    with pytest.raises(AssertionError, match="does not keep its Job's"):
        task_contract.task_must_keep_the_jobs_message(_task(status={"status": "Failed", "message": "it failed"}), failed, "Failed")
    with pytest.raises(AssertionError, match="expected reason 'BackoffLimitExceeded'"):
        task_contract.task_reason_must_be(_task(status={"status": "Failed", "reason": "Failed"}), "BackoffLimitExceeded")
    with pytest.raises(AssertionError, match="did not succeed"):
        task_contract.job_must_have_succeeded(failed)


def test_the_version_name_and_end_time():
    version = {"metadata": {"name": "checkout-1.0.0-d4735e3a"}, "status": {}}
    task_contract.version_name_must_end_with(version, "-d4735e3a", "sha256 of generation 2")
    with pytest.raises(AssertionError, match="expected the name to end with -4e074085"):
        task_contract.version_name_must_end_with(version, "-4e074085", "sha256 of generation 3")
    with pytest.raises(AssertionError, match="has no status.endTime"):
        task_contract.end_time_must_be_set(version)
