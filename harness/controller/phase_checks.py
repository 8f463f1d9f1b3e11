"""A task or evaluation phase of one version: find its KeptnTasks/KeptnEvaluations, create the
missing ones (all in the same pass, SPEC §5), and report their states as the phase's items.

Exactly once (SPEC §6): an existing object is found by the version's UID and the check type
(labels) and its definition (spec), in the cache and, before anything is created, in the API,
so neither a stale cache nor a restart ever creates a second one, finished or not.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from kubernetes.client.rest import ApiException

from harness.controller.checks import (CHECK_TYPE_LABEL, OWNER_UID_LABEL, evaluation_manifest,
                                       task_manifest)
from harness.controller.context import Context
from harness.controller.definitions import (DefinitionError, check_evaluation_definition,
                                            check_task_definition)
from harness.controller.kinds import EVALUATION, EVALUATION_DEFINITION, TASK, TASK_DEFINITION, Kind
from harness.controller.kube import refusal
from harness.controller.lifecycle import Notice, Observation
from harness.controller.naming import evaluation_name, task_name
from harness.controller.phases import Phase, Runs
from harness.controller.states import KeptnState
from harness.controller.timestamps import now_text
from harness.controller.tracing import child_traceparent

log = logging.getLogger(__name__)

ContextOf = Callable[[str, str], dict]  # (check type, traceparent) → spec.context


def observe_checks(ctx: Context, version: dict, version_kind: Kind, phase: Phase, status: dict,
                   context_of: ContextOf) -> Observation:
    tasks = phase.runs == Runs.TASKS
    check_kind, definition_kind = (TASK, TASK_DEFINITION) if tasks else (EVALUATION, EVALUATION_DEFINITION)
    namespace, uid = version["metadata"]["namespace"], version["metadata"]["uid"]
    check_type = phase.check_type.value
    # A definition listed twice runs once: one item per definition name.
    names = list(dict.fromkeys(version["spec"].get(phase.list_field) or []))

    def owned(obj: dict) -> bool:
        labels = obj["metadata"].get("labels") or {}
        return labels.get(OWNER_UID_LABEL) == uid and labels.get(CHECK_TYPE_LABEL) == check_type

    existing = _by_definition(ctx.store.list(check_kind, namespace, owned), tasks)
    notices, to_create = [], []
    for index, name in enumerate(names):
        if name in existing:
            continue
        where = f"spec.{phase.list_field}[{index}]"
        definition = ctx.store.get(definition_kind, namespace, name)
        if definition is None:
            notices.append(Notice(f'{definition_kind.kind} "{name}" not found in namespace "{namespace}" ({where})',
                                  "NotFound"))
            continue
        try:
            if tasks:
                check_task_definition(definition, lambda n: ctx.store.get(TASK_DEFINITION, namespace, n))
            else:
                check_evaluation_definition(definition)
        except DefinitionError as error:
            notices.append(Notice(f"{error} ({where})", "InvalidDefinition"))
            continue
        to_create.append(definition)

    if to_create:
        selector = f"{OWNER_UID_LABEL}={uid},{CHECK_TYPE_LABEL}={check_type}"
        live, _ = ctx.kube.list(check_kind, namespace, label_selector=selector)
        for obj in live:
            ctx.store.upsert(check_kind, obj)
        existing = {**_by_definition(live, tasks), **existing}
        for definition in to_create:
            name = definition["metadata"]["name"]
            if name in existing:
                continue
            where = f"spec.{phase.list_field}[{names.index(name)}]"
            # The same object for the same definition would be refused again (refusals.py).
            refused = (uid, check_type, name)
            inputs = definition["metadata"].get("resourceVersion", "")
            known = ctx.refusals.known(refused, inputs)
            if known is not None:
                notices.append(Notice(f"{known} ({where})", "Refused"))
                continue
            context = context_of(check_type, child_traceparent(version["spec"].get("traceId"), ctx.rng))
            if tasks:
                manifest = task_manifest(task_name(check_type, name, ctx.rng), version, version_kind, check_type,
                                         definition, context)
            else:
                manifest = evaluation_manifest(evaluation_name(check_type, name, ctx.rng), version, version_kind,
                                               check_type, definition, context)
            try:
                created = ctx.kube.create(check_kind, manifest)
            except ApiException as error:
                why = refusal(error)
                if why is None:
                    raise
                message = f'the API server refused the {check_kind.kind} for {definition_kind.kind} "{name}": {why}'
                ctx.refusals.remember(refused, inputs, message)
                notices.append(Notice(f"{message} ({where})", "Refused"))
                continue
            ctx.refusals.forget(refused)
            ctx.store.upsert(check_kind, created)
            existing[name] = created
            log.info("created %s %s/%s for %s %s (%s)", check_kind.kind, namespace, created["metadata"]["name"],
                     version_kind.kind, version["metadata"]["name"], phase.name)

    previous = {item.get("name"): item for item in status.get(phase.items_field) or []}
    items, failures = [], []
    for name in names:
        obj = existing.get(name)
        if obj is None:
            continue
        item = _item(obj, name, tasks, previous.get(obj["metadata"]["name"]))
        items.append(item)
        what = f'{check_kind.kind} "{item["name"]}"'
        if item["status"] == KeptnState.FAILED:
            failures.append(f'{what} ({definition_kind.kind} "{name}") failed' + _why(obj, tasks))
        elif not KeptnState.of(item["status"]).completed and _why(obj, tasks):
            # still running, but not well: a task waiting for its definition, an evaluation retrying
            notices.append(Notice(f"{what}{_why(obj, tasks)}"))
    return Observation(states=[KeptnState.of(i["status"]) for i in items], listed=len(names), items=items,
                       notices=notices, failures=failures)


def _by_definition(objects: list[dict], tasks: bool) -> dict[str, dict]:
    """The oldest object per definition (there is only ever one, unless created by hand)."""
    field = "taskDefinition" if tasks else "evaluationDefinition"
    found: dict[str, dict] = {}
    for obj in sorted(objects, key=lambda o: (o["metadata"].get("creationTimestamp", ""), o["metadata"]["name"])):
        found.setdefault((obj.get("spec") or {}).get(field, ""), obj)
    return found


def _item(obj: dict, definition: str, tasks: bool, previous: dict | None) -> dict:
    """A phase item (SPEC §3): {definitionName, name, status, startTime, endTime}."""
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
