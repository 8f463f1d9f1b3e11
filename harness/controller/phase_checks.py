"""A task or evaluation phase of one version: find its KeptnTasks/KeptnEvaluations, create the
missing ones (all in the same pass, contract §5), and report their states as the phase's items.

Exactly once (contract §6): an existing object is found in the cache by the version's UID and the
check type (labels) and its definition (spec); one the cache does not show yet (a restart, a watch
that lags) has the name the controller would give it again, drawn from the version's UID, so
creating it answers 409 and it is adopted. Neither a stale cache nor a restart ever creates a
second one, finished or not.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from kubernetes.client.rest import ApiException

from harness.controller.checks import (CHECK_TYPE_LABEL, OWNER_UID_LABEL, evaluation_manifest,
                                       task_manifest)
from harness.controller.context import Context, Key
from harness.controller.definitions import (DefinitionError, check_evaluation_definition,
                                            check_task_definition)
from harness.contract.kinds import EVALUATION, EVALUATION_DEFINITION, TASK, TASK_DEFINITION, Kind
from harness.controller.api_calls import Kube, is_status, refusal
from harness.controller.lifecycle import Notice, Observation
from harness.controller.naming import another_seed, evaluation_name, task_name
from harness.controller.reconcile_task import create_job
from harness.contract.phases import Phase, Runs
from harness.contract.states import KeptnState
from harness.controller.store import OWNER
from harness.contract.timestamps import now_text
from harness.controller.tracing import task_traceparent
from harness.controller.triggers import wake_now

log = logging.getLogger(__name__)

ContextOf = Callable[[str, str | None], dict]  # (check type, traceparent or None) → spec.context
CREATE_CONCURRENCY = 8  # requests of one phase at once (the API client's pool is sized for it, app.py)


@dataclass(frozen=True)
class _Phase:
    """One version's task or evaluation phase: what every step below needs."""

    ctx: Context
    version: dict
    version_kind: Kind
    phase: Phase
    names: list[str]  # the listed definitions; a definition listed twice runs once

    @property
    def tasks(self) -> bool:
        return self.phase.runs == Runs.TASKS

    @property
    def kinds(self) -> tuple[Kind, Kind]:
        """(check kind, definition kind)."""
        return (TASK, TASK_DEFINITION) if self.tasks else (EVALUATION, EVALUATION_DEFINITION)

    @property
    def namespace(self) -> str:
        return self.version["metadata"]["namespace"]

    @property
    def uid(self) -> str:
        return self.version["metadata"]["uid"]

    def where(self, name: str) -> str:
        return f"spec.{self.phase.list_field}[{self.names.index(name)}]"

    def owns(self, obj: dict) -> bool:
        labels = obj["metadata"].get("labels") or {}
        return labels.get(OWNER_UID_LABEL) == self.uid and labels.get(CHECK_TYPE_LABEL) == self.phase.check_type.value


def observe_checks(ctx: Context, version: dict, version_kind: Kind, phase: Phase, status: dict,
                   context_of: ContextOf) -> Observation:
    view = _Phase(ctx, version, version_kind, phase, list(dict.fromkeys(version["spec"].get(phase.list_field) or [])))
    check_kind = view.kinds[0]
    existing = _by_definition(ctx.store.indexed(check_kind, OWNER, view.namespace, view.uid, view.owns), view.tasks)
    to_create, notices = _usable_definitions(view, [n for n in view.names if n not in existing])
    if to_create:
        notices += _create_missing(view, to_create, existing, context_of)
    return _observation(view, existing, status, notices)


def follow_checks(ctx: Context, version: dict, version_kind: Kind, phase: Phase, status: dict) -> list[dict]:
    """The items of a phase that already ended, from its KeptnTasks/KeptnEvaluations as they are
    now (contract §6, never stale); nothing is created."""
    view = _Phase(ctx, version, version_kind, phase, list(dict.fromkeys(version["spec"].get(phase.list_field) or [])))
    existing = _by_definition(ctx.store.indexed(view.kinds[0], OWNER, view.namespace, view.uid, view.owns), view.tasks)
    return _observation(view, existing, status, []).items


def _usable_definitions(view: _Phase, missing: list[str]) -> tuple[list[dict], list[Notice]]:
    """The definitions of the items still to create, and why the others cannot be."""
    ctx, namespace = view.ctx, view.namespace
    definition_kind = view.kinds[1]
    usable, notices = [], []
    for name in missing:
        definition = ctx.store.get(definition_kind, namespace, name)
        if definition is None:
            notices.append(Notice(f'{definition_kind.kind} "{name}" not found in namespace "{namespace}" '
                                  f"({view.where(name)})", "NotFound"))
            continue
        try:
            if view.tasks:
                check_task_definition(definition, lambda n: ctx.store.get(TASK_DEFINITION, namespace, n))
            else:
                check_evaluation_definition(definition)
        except DefinitionError as error:
            notices.append(Notice(f"{error} ({view.where(name)})", "InvalidDefinition"))
            continue
        usable.append(definition)
    return usable, notices


def _create_missing(view: _Phase, definitions: list[dict], existing: dict[str, dict],
                    context_of: ContextOf) -> list[Notice]:
    """Create the missing items at once; `existing` gets them. Their names are drawn from the
    version's UID (naming.py), so an item that exists although the cache does not show it yet
    (made before a restart, or just now) answers 409 and is adopted, never created twice."""
    ctx, check_type = view.ctx, view.phase.check_type.value
    notices, planned = [], []
    for definition in definitions:
        name = definition["metadata"]["name"]
        # The same object for the same definition would be refused again (refusals.py).
        refused, inputs = (view.uid, check_type, name), definition["metadata"].get("resourceVersion", "")
        known = ctx.refusals.known(refused, inputs)
        if known is not None:
            notices.append(Notice(f"{known} ({view.where(name)})", "Refused"))
            continue
        traceparent = task_traceparent(view.version["spec"].get("traceId"), view.phase.name) if ctx.tracing.enabled else None
        context = context_of(check_type, traceparent)
        planned.append(_Planned(name, refused, inputs, lambda seed, d=definition, c=context: _manifest(view, d, c, seed)))

    answers = create_all(ctx.kube, view.kinds[0], [item.manifest(view.uid) for item in planned],
                         then=_job_of(ctx) if view.tasks else None)
    unexpected = None
    for item, answer in zip(planned, answers):
        if is_status(answer, 409):
            answer = _adopt_or_create_elsewhere(view, item)
        try:
            _record(view, item, answer, existing, notices)
        except ApiException as error:
            unexpected = unexpected or error  # raised once every answer is recorded
    if unexpected is not None:
        raise unexpected  # the API server may answer next time: retried with back-off
    return notices


@dataclass(frozen=True)
class _Planned:
    definition: str
    refused: tuple  # the key of refusals.py
    inputs: str  # the definition's resourceVersion
    manifest: Callable[[str], dict]  # the object, named from a seed


def _manifest(view: _Phase, definition: dict, context: dict, seed: str) -> dict:
    check_type, name = view.phase.check_type.value, definition["metadata"]["name"]
    if view.tasks:
        return task_manifest(task_name(check_type, name, seed), view.version, view.version_kind, check_type,
                             definition, context)
    return evaluation_manifest(evaluation_name(check_type, name, seed), view.version, view.version_kind,
                               check_type, definition, context)


def _adopt_or_create_elsewhere(view: _Phase, item: _Planned) -> dict | Exception:
    """The name answered 409: ours (adopt it), or another owner's whose digits collided; then look
    in the API for ours by label before creating it under another name."""
    ctx, check_kind = view.ctx, view.kinds[0]
    field = "taskDefinition" if view.tasks else "evaluationDefinition"

    def ours(obj: dict | None) -> bool:
        return obj is not None and view.owns(obj) and (obj.get("spec") or {}).get(field) == item.definition

    try:
        name = item.manifest(view.uid)["metadata"]["name"]
        taken = ctx.kube.get(check_kind, view.namespace, name)
        if ours(taken):
            log.info("adopted %s %s/%s, created before", check_kind.kind, view.namespace, name)
            return taken
        log.info("%s %s/%s belongs to another owner; looking for ours by label", check_kind.kind, view.namespace, name)
        selector = f"{OWNER_UID_LABEL}={view.uid},{CHECK_TYPE_LABEL}={view.phase.check_type.value}"
        live, _ = ctx.kube.list(check_kind, view.namespace, label_selector=selector)
        found = _by_definition([obj for obj in live if ours(obj)], view.tasks).get(item.definition)
        return found if found is not None else ctx.kube.create(check_kind, item.manifest(another_seed(view.uid, ctx.rng)))
    except ApiException as error:
        return error


def _record(view: _Phase, item: _Planned, answer: dict | Exception, existing: dict[str, dict],
            notices: list[Notice]) -> None:
    """Keep a created or adopted object; remember a refusal; raise any other error."""
    ctx, (check_kind, definition_kind) = view.ctx, view.kinds
    if isinstance(answer, Exception):
        why = refusal(answer)
        if why is None:
            raise answer
        message = f'the API server refused the {check_kind.kind} for {definition_kind.kind} "{item.definition}": {why}'
        ctx.refusals.remember(item.refused, item.inputs, message)
        notices.append(Notice(f"{message} ({view.where(item.definition)})", "Refused"))
        return
    ctx.refusals.forget(item.refused)
    ctx.store.upsert(check_kind, answer)
    wake_now(ctx, [Key.of(check_kind, answer)])
    existing[item.definition] = answer
    log.info("%s %s/%s (%s) has %s %s", view.version_kind.kind, view.namespace, view.version["metadata"]["name"],
             view.phase.name, check_kind.kind, answer["metadata"]["name"])


def _observation(view: _Phase, existing: dict[str, dict], status: dict, notices: list[Notice]) -> Observation:
    """One item per existing object, in the order of the list, and why items failed or wait."""
    check_kind, definition_kind = view.kinds
    previous = {item.get("name"): item for item in status.get(view.phase.items_field) or []}
    items, failures = [], []
    for name in view.names:
        obj = existing.get(name)
        if obj is None:
            continue
        item = _item(obj, name, view.tasks, previous.get(obj["metadata"]["name"]))
        items.append(item)
        what = f'{check_kind.kind} "{item["name"]}"'
        if item["status"] == KeptnState.FAILED:
            failures.append(f'{what} ({definition_kind.kind} "{name}") failed' + _why(obj, view.tasks))
        elif not KeptnState.of(item["status"]).completed and _why(obj, view.tasks):
            # still running, but not well: a task waiting for its definition, an evaluation retrying
            notices.append(Notice(f"{what}{_why(obj, view.tasks)}"))
    return Observation(states=[KeptnState.of(i["status"]) for i in items], listed=len(view.names), items=items,
                       notices=notices, failures=failures)


def create_all(kube: Kube, kind: Kind, manifests: list[dict],
               then: Callable[[dict], None] | None = None) -> list[dict | Exception]:
    """Create the objects at once, CREATE_CONCURRENCY at a time (contract §5: a phase's items run in
    parallel; created one after another, 50 tasks took 50 round trips before the last could
    start); each answer is the created object or the error. `then` runs on each created object in
    the same thread, right after its create."""
    def create(manifest: dict) -> dict | Exception:
        try:
            created = kube.create(kind, manifest)
        except Exception as error:  # noqa: BLE001 - every answer is handed back, in order
            return error
        if then is not None:
            then(created)
        return created

    if len(manifests) <= 1:
        return [create(m) for m in manifests]
    with ThreadPoolExecutor(min(CREATE_CONCURRENCY, len(manifests)), thread_name_prefix="create") as pool:
        return list(pool.map(create, manifests))


def _job_of(ctx: Context) -> Callable[[dict], None]:
    """A created KeptnTask's Job, made right away in the phase's pass: with the task's own reconcile
    making it, the last of 50 Jobs came 2.4 s after the last task (4 workers, two round trips per
    task), which the cluster's floor never pays. A Job that cannot be made now is left to that
    reconcile, which also records the Job's name in the task (it finds the Job in the cache)."""
    def start(task: dict) -> None:
        try:
            create_job(ctx, task)
        except Exception:  # noqa: BLE001 - the task's own reconcile creates or adopts it, with back-off
            log.exception("creating the Job of KeptnTask %s/%s failed; its reconcile will retry",
                          task["metadata"]["namespace"], task["metadata"]["name"])
    return start


def _by_definition(objects: list[dict], tasks: bool) -> dict[str, dict]:
    """The oldest object per definition (there is only ever one, unless created by hand)."""
    field = "taskDefinition" if tasks else "evaluationDefinition"
    found: dict[str, dict] = {}
    for obj in sorted(objects, key=lambda o: (o["metadata"].get("creationTimestamp", ""), o["metadata"]["name"])):
        found.setdefault((obj.get("spec") or {}).get(field, ""), obj)
    return found


def _item(obj: dict, definition: str, tasks: bool, previous: dict | None) -> dict:
    """A phase item (contract §3): {definitionName, name, status, startTime, endTime}."""
    status = obj.get("status") or {}
    state = KeptnState.of(status.get("status") if tasks else status.get("overallStatus"))
    item = {"definitionName": definition, "name": obj["metadata"]["name"], "status": state.value,
            "startTime": (previous or {}).get("startTime") or now_text()}
    if state.completed and status.get("endTime"):
        item["endTime"] = status["endTime"]
    return item


def _why(obj: dict, tasks: bool) -> str:
    status = obj.get("status") or {}
    if tasks:
        detail = ": ".join(part for part in (status.get("reason"), status.get("message")) if part)
    else:
        detail = "; ".join(f'{metric}: {result.get("message", "")}'
                           for metric, result in (status.get("evaluationStatus") or {}).items()
                           if result.get("status") == KeptnState.FAILED)
    return f": {detail}" if detail else ""
