"""What a promotion KeptnTask and its Job must carry (contract §5), judged on the objects as the API
server holds them: the names, the owners, the context, the definition's labels, annotations, limits,
service account and container, the Job's result copied into the task, and the version's name.

Each judge reads the whole rule it cites, and takes what it expects from objects the scenario wrote
(the KeptnTaskDefinition, the KeptnAppContext, the app's name and version) and from the contract's
data (harness/contract), never from a table that repeats them. Each fails with expected vs. observed,
naming the object.
"""
from __future__ import annotations

import json
import math
import re

from harness.contract.job_result import SUCCEEDED_CONDITIONS, job_result
from harness.contract.kinds import APP_VERSION, JOB, TASK, Kind
from harness.contract.phases import PROMOTION
from harness.contract.states import KeptnState
from harness.contract.timestamps import parse_time
from harness.library.recorder import Recorder

# contract §5, written once.
DIGITS = r"[0-9]{5}"  # C5.2, C5.7: "<5 digits>"
MAX_JOB_NAME = 63  # C5.2: the Job's name stays a valid label value
OBJECT_TYPE = "App"  # C5.5: objectType of an app's (promotion) task
WORKLOAD_FIELDS = ("workloadName", "workloadVersion")  # C5.5: empty for an app's task
KEPTN_CONTEXT = "KEPTN_CONTEXT"  # C5.14
APP_ANNOTATION, VERSION_ANNOTATION, TASK_NAME_ANNOTATION = "keptn.sh/app", "keptn.sh/version", "keptn.sh/task-name"  # C5.8
RESTART_POLICY = "OnFailure"  # C5.9
# contract §1: a KeptnTaskDefinition's defaults (the CRD applies them; an API server without the
# defaults in its CRD still means them).
DEFAULT_RETRIES, DEFAULT_TIMEOUT, DEFAULT_TTL = 10, "5m", 300

# Labels and annotations Kubernetes itself writes on a Job (its selector labels `job-name`,
# `controller-uid` and those under a kubernetes.io / k8s.io prefix, reserved to Kubernetes): not the
# implementation's, so not held against "the Job's labels are the task's labels".
_KUBERNETES_KEYS = ("job-name", "controller-uid")
_KUBERNETES_PREFIX = re.compile(r"^([a-z0-9.-]+\.)?(kubernetes\.io|k8s\.io)/")


def _name(obj: dict) -> str:
    return f"{obj.get('kind', 'object')} {obj['metadata']['name']}"


def _kubernetes_key(key: str) -> bool:
    return key in _KUBERNETES_KEYS or bool(_KUBERNETES_PREFIX.match(key))


def normalised_name(text: str) -> str:
    """C5.2: lower case, `_` replaced by `-`."""
    return text.lower().replace("_", "-")


# -- C5.2, C5.7: names -------------------------------------------------------------------------


def task_name_must_follow_the_pattern(task: dict, definition: str, check_type: str = PROMOTION.check_type.value) -> None:
    """C5.2: `<checkType>-<definition>-<5 digits>`, lower case, `_` → `-`; shortened only where the
    Job's name `<task>-<5 digits>` would not fit in 63 characters, and then still
    `<checkType>-<the start of the definition>-<5 digits>`, short enough."""
    name, full = task["metadata"]["name"], normalised_name(f"{check_type}-{definition}")
    match = re.fullmatch(rf"(.+)-({DIGITS})", name)
    expected = f"{full}-<5 digits>"
    assert match, f"KeptnTask {name}: expected the name {expected} (contract C5.2), it does not end in -<5 digits>"
    prefix, suffix = match.group(1), len("-12345")
    if len(full) + 2 * suffix <= MAX_JOB_NAME:
        assert prefix == full, f"KeptnTask {name}: expected the name {expected} (contract C5.2)"
        return
    start = normalised_name(f"{check_type}-")
    assert len(name) + suffix <= MAX_JOB_NAME, (
        f"KeptnTask {name}: {len(name)} characters, so its Job's name <task>-<5 digits> has {len(name) + suffix}, "
        f"more than the {MAX_JOB_NAME} of a label value (contract C5.2: shortened where needed)")
    assert prefix.startswith(start) and len(prefix) > len(start) and full.startswith(prefix), (
        f"KeptnTask {name}: expected {expected} shortened, i.e. {start}<the start of "
        f"{normalised_name(definition)!r}>-<5 digits> (contract C5.2)")


def job_name_must_follow_the_pattern(job: dict, task: dict) -> None:
    """C5.7: `<task>-<5 digits>`."""
    name, task_name = job["metadata"]["name"], task["metadata"]["name"]
    assert re.fullmatch(rf"{re.escape(task_name)}-{DIGITS}", name), (
        f"Job {name}: expected the name {task_name}-<5 digits>, from its KeptnTask's name (contract C5.7)")


def names_must_fit_a_label(task: dict, job: dict, definition: str) -> None:
    """C6.10: a long definition name gives a task name shortened as C5.2 allows, and a Job named
    `<task>-<5 digits>` (C5.7) of at most 63 characters, a valid label value of its pods."""
    task_name_must_follow_the_pattern(task, definition)
    job_name_must_follow_the_pattern(job, task)
    name = job["metadata"]["name"]
    assert len(name) <= MAX_JOB_NAME, (f"Job {name}: {len(name)} characters, more than the {MAX_JOB_NAME} of a label "
                                       "value (contract C6.10)")


# -- C5.4, C5.7: owners ------------------------------------------------------------------------


def _controller_must_be(obj: dict, owner: dict, kind: Kind, rule: str) -> None:
    """Exactly one controller ownerReference, and it names `owner` of `kind` (its group, kind, name, uid)."""
    references = obj["metadata"].get("ownerReferences") or []
    controllers = [r for r in references if r.get("controller") is True]
    expected = {"apiVersion": f"{kind.group}/*", "kind": kind.kind, "name": owner["metadata"]["name"],
                "uid": owner["metadata"]["uid"], "controller": True}
    assert len(controllers) == 1, (f"{_name(obj)}: expected one controller ownerReference {expected} (contract {rule}), "
                                   f"found {len(controllers)} among {references}")
    found = controllers[0]
    wrong = {key: found.get(key) for key in ("kind", "name", "uid") if found.get(key) != expected[key]}
    if (found.get("apiVersion") or "").split("/")[0] != kind.group:
        wrong["apiVersion"] = found.get("apiVersion")
    assert not wrong, f"{_name(obj)}: its controller ownerReference {found} is not {expected} (contract {rule}): {wrong}"


def task_must_be_controlled_by_its_version(task: dict, version: dict) -> None:
    """C5.4: a controller ownerReference to its KeptnAppVersion."""
    _controller_must_be({"kind": TASK.kind, **task}, version, APP_VERSION, "C5.4")


def job_must_be_controlled_by_its_task(job: dict, task: dict) -> None:
    """C5.7: a controller ownerReference to its KeptnTask."""
    _controller_must_be({"kind": JOB.kind, **job}, task, TASK, "C5.7")


# -- C5.3, C5.8, C5.9: labels and annotations ----------------------------------------------------


def _pairs(obj: dict, field: str) -> dict[str, str]:
    return dict(obj["metadata"].get(field) or {})


def _must_include(where: str, observed: dict, expected: dict, rule: str) -> None:
    wrong = {k: observed.get(k) for k, v in expected.items() if observed.get(k) != v}
    assert not wrong, (f"{where}: expected {expected} included (contract {rule}); wrong or missing {wrong}; "
                       f"has {observed}")


def _must_equal(where: str, observed: dict, expected: dict, rule: str) -> None:
    _must_include(where, observed, expected, rule)
    extra = {k: v for k, v in observed.items() if k not in expected and not _kubernetes_key(k)}
    assert not extra, f"{where}: expected exactly {expected} (contract {rule}), it also has {extra}"


def task_must_carry_the_definitions_metadata(task: dict, definition: dict) -> None:
    """C5.3: every label and every annotation of the KeptnTaskDefinition, with its value (but those
    Kubernetes' own tools write under a kubernetes.io / k8s.io prefix, such as kubectl's
    last-applied-configuration: bookkeeping of the definition object, not what it defines)."""
    for field in ("labels", "annotations"):
        expected = {k: v for k, v in _pairs(definition, field).items() if not _kubernetes_key(k)}
        _must_include(f"KeptnTask {task['metadata']['name']} metadata.{field}", _pairs(task, field), expected, "C5.3")


def job_metadata_must_follow_its_task(job: dict, task: dict, app: str, version: str) -> None:
    """C5.8: the Job's labels are the task's labels; its annotations are the task's annotations plus
    keptn.sh/app (the app), keptn.sh/version (the app's version) and keptn.sh/task-name (the task)."""
    name = job["metadata"]["name"]
    _must_equal(f"Job {name} metadata.labels", _pairs(job, "labels"), _pairs(task, "labels"), "C5.8")
    keptn = {APP_ANNOTATION: app, VERSION_ANNOTATION: version, TASK_NAME_ANNOTATION: task["metadata"]["name"]}
    _must_equal(f"Job {name} metadata.annotations", _pairs(job, "annotations"),
                {**_pairs(task, "annotations"), **keptn}, "C5.8")


def pod_template_must_follow_its_task(job: dict, task: dict) -> None:
    """C5.9: the Job's pod template carries the task's labels and annotations, and restartPolicy OnFailure
    (Kubernetes adds its own selector labels to the template: allowed)."""
    name, template = job["metadata"]["name"], job["spec"]["template"]
    metadata = template.get("metadata") or {}
    for field in ("labels", "annotations"):
        _must_include(f"Job {name} spec.template.metadata.{field}", dict(metadata.get(field) or {}),
                      _pairs(task, field), "C5.9")
    policy = (template.get("spec") or {}).get("restartPolicy")
    assert policy == RESTART_POLICY, (f"Job {name} spec.template.spec.restartPolicy: expected {RESTART_POLICY} "
                                      f"(contract C5.9), observed {policy}")


# -- C5.5, C5.6: the context ---------------------------------------------------------------------


def promotion_context_must_be(task: dict, app: str, version: str) -> None:
    """C5.5: appName, appVersion, taskType promotion, objectType App, the workload fields empty
    (an absent field counts as empty)."""
    context = task["spec"].get("context") or {}
    expected = {"appName": app, "appVersion": version, "taskType": PROMOTION.check_type.value,
                "objectType": OBJECT_TYPE, **{key: "" for key in WORKLOAD_FIELDS}}
    observed = {key: context.get(key) or "" for key in expected}
    assert observed == expected, (f"promotion KeptnTask {task['metadata']['name']} spec.context: expected {expected} "
                                  f"(contract C5.5), observed {context}")


def context_metadata_must_hold(task: dict, app_context: dict) -> None:
    """C5.6: spec.context.metadata holds every entry of the KeptnAppContext's metadata (others may
    be there too, such as a trace carrier)."""
    expected = (app_context.get("spec") or {}).get("metadata") or {}
    assert expected, f"KeptnAppContext {app_context['metadata']['name']} has no metadata: the scenario checks nothing"
    metadata = (task["spec"].get("context") or {}).get("metadata") or {}
    missing = {k: v for k, v in expected.items() if metadata.get(k) != v}
    assert not missing, (f"promotion KeptnTask {task['metadata']['name']} spec.context.metadata {metadata} lacks "
                         f"{missing} of KeptnAppContext {app_context['metadata']['name']} (contract C5.6)")


# -- C5.10, C5.11, C5.12: the definition's limits ---------------------------------------------


def duration_seconds(text: str) -> float:
    """A Go duration (`5m`, `1h30m`, `1.5s`, `0`) in seconds, as a definition's timeout is written."""
    units = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    term = r"([0-9]+(?:\.[0-9]+)?)(ns|us|\u00b5s|ms|s|m|h)"
    if text == "0":
        return 0.0
    if not re.fullmatch(rf"(?:{term})+", text or ""):
        raise ValueError(f"{text!r} is not a Go duration")
    return sum(float(number) * units[unit] for number, unit in re.findall(term, text))


def job_limits_must_be_the_definitions(job: dict, definition: dict) -> None:
    """C5.10 backoffLimit = retries; C5.11 activeDeadlineSeconds = timeout in seconds (whole seconds:
    rounded down or up); C5.12 ttlSecondsAfterFinished = the definition's; §1's defaults where the
    definition leaves one out."""
    spec, job_spec, name = definition.get("spec") or {}, job["spec"], job["metadata"]["name"]
    wrong = []
    retries = spec.get("retries", DEFAULT_RETRIES)
    if job_spec.get("backoffLimit") != retries:
        wrong.append(f"backoffLimit {job_spec.get('backoffLimit')}, expected the definition's retries {retries} (C5.10)")
    timeout = spec.get("timeout") or DEFAULT_TIMEOUT
    seconds = duration_seconds(timeout)
    allowed = {math.floor(seconds), math.ceil(seconds)} - {0} or {None, 0}
    if job_spec.get("activeDeadlineSeconds") not in allowed:
        wrong.append(f"activeDeadlineSeconds {job_spec.get('activeDeadlineSeconds')}, expected the definition's timeout "
                     f"{timeout} in seconds, {' or '.join(map(str, sorted(allowed, key=str)))} (C5.11)")
    ttl = spec.get("ttlSecondsAfterFinished", DEFAULT_TTL)
    if job_spec.get("ttlSecondsAfterFinished") != ttl:
        wrong.append(f"ttlSecondsAfterFinished {job_spec.get('ttlSecondsAfterFinished')}, expected the definition's {ttl} (C5.12)")
    assert not wrong, f"Job {name} of KeptnTaskDefinition {definition['metadata']['name']}: " + "; ".join(wrong)


# -- C5.13: the pod's identity -------------------------------------------------------------------


def job_pod_must_run_as_the_definition_says(job: dict, definition: dict) -> None:
    """C5.13: the pod template's serviceAccountName, automountServiceAccountToken and imagePullSecrets
    are the definition's serviceAccount.name, automountServiceAccountToken.type and imagePullSecrets
    (left out in the definition: the namespace's default account, Kubernetes' automount, no secrets)."""
    spec, pod = definition.get("spec") or {}, job["spec"]["template"].get("spec") or {}
    wrong = []
    account = (spec.get("serviceAccount") or {}).get("name") or None
    observed_account = pod.get("serviceAccountName") or pod.get("serviceAccount") or None
    if observed_account != account and not (account is None and observed_account == "default"):
        wrong.append(f"serviceAccountName {observed_account!r}, expected {account or 'the default'!r}")
    automount = (spec.get("automountServiceAccountToken") or {}).get("type")
    if pod.get("automountServiceAccountToken") != automount:
        wrong.append(f"automountServiceAccountToken {pod.get('automountServiceAccountToken')!r}, expected {automount!r}")
    secrets = [s.get("name") for s in spec.get("imagePullSecrets") or []]
    observed_secrets = [s.get("name") for s in pod.get("imagePullSecrets") or []]
    if observed_secrets != secrets:
        wrong.append(f"imagePullSecrets {observed_secrets}, expected {secrets}")
    assert not wrong, (f"Job {job['metadata']['name']} spec.template.spec of KeptnTaskDefinition "
                       f"{definition['metadata']['name']} (contract C5.13): " + "; ".join(wrong))


# -- C5.14: the container, as written, with KEPTN_CONTEXT ---------------------------------------


def keptn_context(job: dict) -> dict:
    """The KEPTN_CONTEXT env of a task Job's container, parsed."""
    for container in job["spec"]["template"]["spec"]["containers"]:
        for env in container.get("env") or []:
            if env["name"] == KEPTN_CONTEXT:
                try:
                    return json.loads(env["value"])
                except (TypeError, ValueError, KeyError):
                    raise AssertionError(f"Job {job['metadata']['name']}: KEPTN_CONTEXT is not JSON: {env.get('value')!r}") from None
    raise AssertionError(f"Job {job['metadata']['name']} has no KEPTN_CONTEXT env in any container")


def keptn_context_must_be_the_tasks(job: dict, task: dict) -> None:
    observed, context = keptn_context(job), task["spec"].get("context")
    assert observed == context, (f"Job {job['metadata']['name']}: KEPTN_CONTEXT {observed} differs from KeptnTask "
                                 f"{task['metadata']['name']}'s spec.context {context}")


def _pruned(value):
    """`value` without empty fields ("", [], {}, null): a field written empty and one left out are the
    same field of a container (an API client in Go drops the empty ones when it writes the Job)."""
    if isinstance(value, dict):
        pruned = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ("", [], {}, None)}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def container_must_be_the_definitions(job: dict, definition: dict, task: dict) -> None:
    """C5.14: the definition's container as written — every field it sets (image, command, args,
    env, ...) unchanged in the Job's container of that name (Kubernetes' defaults may be added) —
    with exactly one KEPTN_CONTEXT, the JSON of the task's spec.context, added, or in place of the
    one the definition sets."""
    name = job["metadata"]["name"]
    written = (definition.get("spec") or {}).get("container")
    assert written, f"KeptnTaskDefinition {definition['metadata']['name']} has no container: not a container task"
    containers = job["spec"]["template"]["spec"].get("containers") or []
    found = [c for c in containers if c.get("name") == written.get("name")]
    assert len(found) == 1, (f"Job {name}: expected one container {written.get('name')!r}, the definition's "
                             f"(contract C5.14), found {[c.get('name') for c in containers]}")
    container, written = _pruned(found[0]), _pruned(written)
    changed = {key: container.get(key) for key, value in written.items() if key != "env" and container.get(key) != value}
    assert not changed, (f"Job {name}: container {written.get('name')!r} is not the definition's as written "
                         f"(contract C5.14): {changed}, the definition says "
                         f"{ {key: written[key] for key in changed} }")
    env = container.get("env") or []
    own = [e for e in written.get("env") or [] if e.get("name") != KEPTN_CONTEXT]
    kept = [e for e in env if e.get("name") != KEPTN_CONTEXT]
    assert kept == own, (f"Job {name}: container {written.get('name')!r} env other than KEPTN_CONTEXT is {kept}, "
                         f"the definition's is {own} (contract C5.14: as written)")
    contexts = [e for e in env if e.get("name") == KEPTN_CONTEXT]
    set_by_definition = any(e.get("name") == KEPTN_CONTEXT for e in written.get("env") or [])
    assert len(contexts) == 1, (f"Job {name}: container {written.get('name')!r} has {len(contexts)} KEPTN_CONTEXT "
                                f"variables, expected one, {'in place of the definition’s' if set_by_definition else 'added'} "
                                f"(contract C5.14)")
    try:
        value = json.loads(contexts[0].get("value"))
    except (TypeError, ValueError):
        raise AssertionError(f"Job {name}: KEPTN_CONTEXT is not JSON: {contexts[0]!r} (contract C5.14)") from None
    context = task["spec"].get("context")
    assert value == context, (f"Job {name}: KEPTN_CONTEXT {value} is not KeptnTask {task['metadata']['name']}'s "
                              f"spec.context {context} (contract C5.14)")


# -- C5.16: the Job's result --------------------------------------------------------------------


def _completed_at(job: dict) -> float | None:
    """When the Job controller says the Job completed: its condition's lastTransitionTime (whole seconds)."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") in SUCCEEDED_CONDITIONS and condition.get("status") == "True" and condition.get("lastTransitionTime"):
            return parse_time(condition["lastTransitionTime"]).timestamp()
    return None


def task_must_succeed_with_its_job(recorder: Recorder, task: dict, job: dict) -> None:
    """C5.16: the task is Succeeded once its Job completed (Complete or SuccessCriteriaMet), and not
    before. Early means the watch saw the task Succeeded both before it saw the Job's condition and
    before the condition's own lastTransitionTime (written by the Job controller, in whole seconds):
    two separate watches may deliver their events a moment apart, and neither clock alone decides."""
    task_uid, job_uid = task["metadata"]["uid"], job["metadata"]["uid"]
    name, job_name = task["metadata"]["name"], job["metadata"]["name"]
    completed = recorder.first_arrivals("Job", lambda j: j["metadata"]["uid"] == job_uid and
                                        getattr(job_result(j), "state", None) == KeptnState.SUCCEEDED)
    succeeded = recorder.first_arrivals("KeptnTask", lambda t: t["metadata"]["uid"] == task_uid and
                                        (t.get("status") or {}).get("status") == KeptnState.SUCCEEDED.value)
    assert completed, f"the watch never saw Job {job_name} complete: {(job.get('status') or {}).get('conditions')}"
    status = (task.get("status") or {}).get("status")
    assert status == KeptnState.SUCCEEDED.value and succeeded, (
        f"KeptnTask {name} is {status!r} although its Job {job_name} completed (contract C5.16: Succeeded)")
    seen_complete, job_seen = completed[job_uid]
    transition = _completed_at(job_seen)
    completed_at = seen_complete if transition is None else min(seen_complete, transition)
    early = completed_at - succeeded[task_uid][0]
    assert early <= 0, (f"KeptnTask {name} was Succeeded {early:.3f}s before its Job {job_name} completed "
                        f"(contract C5.16: Succeeded when its Job has the condition Complete or SuccessCriteriaMet)")


# -- the Job's result as other rules check it ---------------------------------------------------


def job_must_have_succeeded(job: dict) -> None:
    result = job_result(job)
    assert result is not None and result.state == "Succeeded", (
        f"Job {job['metadata']['name']} did not succeed: {(job.get('status') or {}).get('conditions')}")


def task_must_keep_the_jobs_message(task: dict, job: dict, condition: str) -> None:
    """The KeptnTask's status.message carries the message of the Job's condition (contract §5)."""
    messages = [c.get("message") for c in (job.get("status") or {}).get("conditions") or [] if c["type"] == condition]
    assert messages and messages[0], f"Job {job['metadata']['name']} has no {condition} condition with a message"
    message = (task.get("status") or {}).get("message") or ""
    assert messages[0] in message, (f"KeptnTask {task['metadata']['name']} message {message!r} does not keep its Job's "
                                    f"{messages[0]!r}")


def task_reason_must_be(task: dict, reason: str) -> None:
    status = task.get("status") or {}
    assert status.get("reason") == reason, f"KeptnTask {task['metadata']['name']}: expected reason {reason!r}, status {status}"


def version_name_must_end_with(version: dict, suffix: str, why: str) -> None:
    assert version["metadata"]["name"].endswith(suffix), (
        f"KeptnAppVersion {version['metadata']['name']}: expected the name to end with {suffix} ({why})")


def end_time_must_be_set(version: dict) -> None:
    assert (version.get("status") or {}).get("endTime"), f"KeptnAppVersion {version['metadata']['name']} has no status.endTime"
