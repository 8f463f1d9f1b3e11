"""Which keys a change of an object wakes up (contract §6: event-driven, nothing polls).

One function per watched kind, given the changed (or deleted) object and the cache.
"""
from __future__ import annotations

from collections.abc import Callable

from harness.controller.context import Context, Key
from harness.contract.kinds import (APP, APP_CONTEXT, APP_VERSION, CONFIG, DEPLOYMENT, EVALUATION,
                                      EVALUATION_DEFINITION, JOB, METRIC, NAMESPACE, TASK, TASK_DEFINITION,
                                      WORKLOAD, WORKLOAD_VERSION, Kind)
from harness.controller.lifecycle import TERMINAL
from harness.contract.states import KeptnState
from harness.controller.store import APP_NAME, Store

_DEFINITION_LISTS = ("preDeploymentTasks", "postDeploymentTasks", "preDeploymentEvaluations",
                     "postDeploymentEvaluations", "promotionTasks")


def keys_for(kind: Kind, obj: dict, store: Store) -> list[Key]:
    return _TRIGGERS[kind.kind](obj, store)


def wake_now(ctx: Context, keys: list[Key]) -> None:
    """After a write the cache already holds: queue what its watch event will wake, now, so that
    the next step (the new task's Job, the version's next phase) does not wait for the watch round
    trip. The event, when it comes, wakes them again: a pass with nothing to do."""
    for key in keys:
        ctx.queue.add(key)


def _itself(kind: Kind) -> Callable[[dict, Store], list[Key]]:
    return lambda obj, _store: [Key.of(kind, obj)]


def controller_of(obj: dict) -> list[Key]:
    """The object's controller (its owner with `controller: true`)."""
    namespace = obj["metadata"].get("namespace", "")
    return [Key(ref["kind"], namespace, ref["name"]) for ref in obj["metadata"].get("ownerReferences") or []
            if ref.get("controller")]


def _running(version: dict) -> bool:
    return KeptnState.of((version.get("status") or {}).get("status")) not in TERMINAL


def _namespace(obj: dict) -> str:
    return obj["metadata"].get("namespace", "")


def _spec(obj: dict) -> dict:
    """`spec`, or nothing: a hand-written object may lack it (inputs.py), and a trigger must not fail."""
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _task(obj: dict, _store: Store) -> list[Key]:
    """A KeptnTask itself and the version whose phase it belongs to."""
    return [Key.of(TASK, obj), *controller_of(obj)]


def _evaluation(obj: dict, _store: Store) -> list[Key]:
    return [Key.of(EVALUATION, obj), *controller_of(obj)]


def _job(obj: dict, _store: Store) -> list[Key]:
    """A Job → its KeptnTask."""
    return controller_of(obj)


def _workload_version(obj: dict, store: Store) -> list[Key]:
    """A KeptnWorkloadVersion itself and the running app versions of its app (phase AppDeploy)."""
    app = _spec(obj).get("app")
    versions = store.indexed(APP_VERSION, APP_NAME, _namespace(obj), app, _running) if isinstance(app, str) else []
    return [Key.of(WORKLOAD_VERSION, obj), *(Key.of(APP_VERSION, v) for v in versions)]


def _waiting_on_definition(obj: dict, store: Store, check_kind: Kind, field: str, kind: Kind) -> list[Key]:
    """A definition → itself, the running versions listing it, and the unfinished checks naming it."""
    name, namespace = obj["metadata"]["name"], _namespace(obj)

    def lists_it(version: dict) -> bool:
        return _running(version) and any(name in (_spec(version).get(f) or []) for f in _DEFINITION_LISTS)

    def names_it(check: dict) -> bool:
        state = (check.get("status") or {}).get("status" if check_kind == TASK else "overallStatus")
        return _spec(check).get(field) == name and not KeptnState.of(state).completed

    return [Key.of(kind, obj),
            *(Key.of(APP_VERSION, v) for v in store.list(APP_VERSION, namespace, lists_it)),
            *(Key.of(WORKLOAD_VERSION, v) for v in store.list(WORKLOAD_VERSION, namespace, lists_it)),
            *(Key.of(check_kind, c) for c in store.list(check_kind, namespace, names_it))]


def _task_definition(obj: dict, store: Store) -> list[Key]:
    return _waiting_on_definition(obj, store, TASK, "taskDefinition", TASK_DEFINITION)


def _evaluation_definition(obj: dict, store: Store) -> list[Key]:
    return _waiting_on_definition(obj, store, EVALUATION, "evaluationDefinition", EVALUATION_DEFINITION)


def _metric(obj: dict, store: Store) -> list[Key]:
    """A KeptnMetric → every unfinished KeptnEvaluation whose definition has an objective on it."""
    target = (_namespace(obj), obj["metadata"]["name"])

    def uses_metric(evaluation: dict) -> bool:
        if KeptnState.of((evaluation.get("status") or {}).get("overallStatus")).completed:
            return False
        namespace = _namespace(evaluation)
        definition = store.get(EVALUATION_DEFINITION, namespace, _spec(evaluation).get("evaluationDefinition", ""))
        refs = [o.get("keptnMetricRef") or {} for o in ((definition or {}).get("spec") or {}).get("objectives") or []]
        return any((ref.get("namespace") or namespace, ref.get("name")) == target for ref in refs)

    return [Key.of(EVALUATION, e) for e in store.list(EVALUATION, where=uses_metric)]


def _deployment(obj: dict, store: Store) -> list[Key]:
    """A Deployment → itself (its KeptnWorkload) and the running workload versions deployed by it."""
    uid = obj["metadata"].get("uid")
    versions = store.list(WORKLOAD_VERSION, _namespace(obj), lambda v: _running(v) and (
        _spec(v).get("resourceReference") or {}).get("uid") == uid)
    return [Key.of(DEPLOYMENT, obj), *(Key.of(WORKLOAD_VERSION, v) for v in versions)]


def _namespace_object(obj: dict, store: Store) -> list[Key]:
    """A Namespace (its `keptn.sh/lifecycle-toolkit` annotation) → its Deployments."""
    return [Key.of(DEPLOYMENT, d) for d in store.list(DEPLOYMENT, obj["metadata"]["name"])]


_TRIGGERS: dict[str, Callable[[dict, Store], list[Key]]] = {
    APP.kind: _itself(APP),
    APP_CONTEXT.kind: lambda _obj, _store: [],  # read when a version is created, never waited on
    APP_VERSION.kind: _itself(APP_VERSION),
    WORKLOAD.kind: _itself(WORKLOAD),
    WORKLOAD_VERSION.kind: _workload_version,
    TASK.kind: _task,
    TASK_DEFINITION.kind: _task_definition,
    EVALUATION.kind: _evaluation,
    EVALUATION_DEFINITION.kind: _evaluation_definition,
    CONFIG.kind: _itself(CONFIG),
    METRIC.kind: _metric,
    JOB.kind: _job,
    DEPLOYMENT.kind: _deployment,
    NAMESPACE.kind: _namespace_object,
}
