"""contract §1, the API surface, as data: each kind's group and versions, and the fields the contract
names with their JSON type, the defaults it states and the values a state or check-type field holds.

Nothing else is the contract: a CRD may add fields, constraints (minLength, maxItems, minimum, an
enum on a free-form field) and printer columns; judges of an implementation's CRDs hold it to this
table only. Paths are written as the CRD compatibility checker renders them (`harness/compat/fields.py`):
`.spec.workloads[].name`, `[]` for the items of a list.
"""
from __future__ import annotations

from dataclasses import dataclass

from harness.contract import kinds
from harness.contract.phases import APP_PHASES, WORKLOAD_PHASES
from harness.contract.states import CheckType, KeptnState

LIFECYCLE_GROUP = "lifecycle.keptn.sh"
STORAGE_VERSION = "v1"  # "versions `v1` (storage) and `v1beta1` (served, same schema, conversion strategy `None`)"
SERVED_VERSIONS = ("v1", "v1beta1")
CONVERSION = "None"

STATES = tuple(state.value for state in KeptnState)


@dataclass(frozen=True)
class Field:
    path: str
    type: str  # JSON type: string, integer, boolean, object (maps too), array
    default: object = None  # the default the contract states, if any
    values: tuple[str, ...] = ()  # values the field holds: an enum on it must admit each


@dataclass(frozen=True)
class KindSurface:
    kind: str
    group: str
    versions: tuple[str, ...]  # every version the contract serves it in
    fields: tuple[Field, ...]

    @property
    def lifecycle(self) -> bool:
        return self.group == LIFECYCLE_GROUP


def _strings(*paths: str) -> list[Field]:
    return [Field(path, "string") for path in paths]


def _name_list(path: str) -> list[Field]:
    return [Field(path, "array"), Field(f"{path}[]", "string")]


def _state(path: str) -> Field:
    return Field(path, "string", values=STATES)


def _pending(path: str) -> Field:
    """contract §3: "Every phase status defaults to `Pending`"."""
    return Field(path, "string", default=KeptnState.PENDING.value, values=STATES)


# "preDeploymentTasks, postDeploymentTasks, preDeploymentEvaluations, postDeploymentEvaluations,
# promotionTasks (all []string, optional)"
CONTEXT_LISTS = tuple(phase.list_field for phase in APP_PHASES if phase.list_field != "workloads")
WORKLOAD_LISTS = CONTEXT_LISTS[:-1]  # "the four pre/post task and evaluation lists"
OPTIONAL = {(kind, f".spec.{name}") for kind in ("KeptnAppContext", "KeptnAppVersion") for name in CONTEXT_LISTS}

_CONTEXT_SPEC = [field for name in CONTEXT_LISTS for field in _name_list(f".spec.{name}")] + [
    Field(".spec.metadata", "object"), *_name_list(".spec.spanLinks")]
_APP_SPEC = [Field(".spec.version", "string"), Field(".spec.revision", "integer", default=1),
             Field(".spec.workloads", "array"), Field(".spec.workloads[]", "object"),
             *_strings(".spec.workloads[].name", ".spec.workloads[].version")]
_WORKLOAD_SPEC = [*_strings(".spec.app", ".spec.version"),
                  *[field for name in WORKLOAD_LISTS for field in _name_list(f".spec.{name}")],
                  Field(".spec.resourceReference", "object"),
                  *_strings(".spec.resourceReference.uid", ".spec.resourceReference.kind", ".spec.resourceReference.name"),
                  Field(".spec.metadata", "object")]


def _phase_status(phases) -> list[Field]:
    """§3: currentPhase, the overall status, each phase's status field and item list
    `{definitionName, name, status, startTime, endTime}`; the app's workloadStatus items."""
    found = [Field(".status.currentPhase", "string"), _state(".status.status"), Field(".status.endTime", "string")]
    for phase in phases:
        found.append(_pending(f".status.{phase.status_field}"))
        if phase.items_field == "workloadStatus":
            found += [Field(".status.workloadStatus", "array"), Field(".status.workloadStatus[]", "object"),
                      Field(".status.workloadStatus[].workload", "object"),
                      *_strings(".status.workloadStatus[].workload.name", ".status.workloadStatus[].workload.version"),
                      _state(".status.workloadStatus[].status")]
        elif phase.items_field:
            items = f".status.{phase.items_field}"
            found += [Field(items, "array"), Field(f"{items}[]", "object"), _state(f"{items}[].status"),
                      *_strings(*(f"{items}[].{name}" for name in ("definitionName", "name", "startTime", "endTime")))]
    return found


_RUNTIME = [Field("", "object"), Field(".functionRef", "object"), Field(".functionRef.name", "string"),
            Field(".inline", "object"), Field(".inline.code", "string"), Field(".httpRef", "object"),
            Field(".httpRef.url", "string"), Field(".configMapRef", "object"), Field(".configMapRef.name", "string"),
            Field(".parameters", "object"), Field(".parameters.map", "object"), Field(".secureParameters", "object"),
            Field(".secureParameters.secret", "string")]
_TASK_CHECK_TYPES = (CheckType.PRE.value, CheckType.POST.value, CheckType.PROMOTION.value)
_EVALUATION_CHECK_TYPES = (CheckType.PRE_EVAL.value, CheckType.POST_EVAL.value)


def _lifecycle(kind: kinds.Kind, fields: list[Field]) -> KindSurface:
    return KindSurface(kind.kind, LIFECYCLE_GROUP, SERVED_VERSIONS, tuple(fields))


SURFACE: tuple[KindSurface, ...] = (
    _lifecycle(kinds.APP_CONTEXT, _CONTEXT_SPEC),
    _lifecycle(kinds.APP, [*_APP_SPEC, Field(".status.currentVersion", "string")]),
    _lifecycle(kinds.APP_VERSION, [*_CONTEXT_SPEC, *_APP_SPEC, *_strings(".spec.appName", ".spec.previousVersion"),
                                   Field(".spec.traceId", "object"), *_phase_status(APP_PHASES)]),
    _lifecycle(kinds.WORKLOAD, [*_WORKLOAD_SPEC, Field(".status.currentVersion", "string")]),
    _lifecycle(kinds.WORKLOAD_VERSION, [*_WORKLOAD_SPEC, *_strings(".spec.workloadName", ".spec.previousVersion"),
                                        *_phase_status(WORKLOAD_PHASES)]),
    _lifecycle(kinds.TASK_DEFINITION, [
        Field(".spec.container", "object"),
        *[Field(f".spec.{runtime}{field.path}", field.type) for runtime in ("python", "deno") for field in _RUNTIME],
        Field(".spec.retries", "integer", default=10), Field(".spec.timeout", "string", default="5m"),
        Field(".spec.ttlSecondsAfterFinished", "integer", default=300),
        Field(".spec.serviceAccount", "object"), Field(".spec.serviceAccount.name", "string"),
        Field(".spec.automountServiceAccountToken", "object"), Field(".spec.automountServiceAccountToken.type", "boolean"),
        Field(".spec.imagePullSecrets", "array"), Field(".status.function", "object"),
        Field(".status.function.configMap", "string")]),
    _lifecycle(kinds.TASK, [
        Field(".spec.taskDefinition", "string"), Field(".spec.context", "object"),
        *_strings(*(f".spec.context.{name}" for name in ("workloadName", "appName", "appVersion", "workloadVersion", "objectType"))),
        Field(".spec.context.taskType", "string", values=_TASK_CHECK_TYPES), Field(".spec.context.metadata", "object"),
        Field(".spec.parameters", "object"), Field(".spec.parameters.map", "object"),
        Field(".spec.secureParameters", "object"), Field(".spec.secureParameters.secret", "string"),
        Field(".spec.checkType", "string", values=_TASK_CHECK_TYPES), Field(".spec.retries", "integer"),
        Field(".spec.timeout", "string"),
        *_strings(".status.jobName", ".status.message", ".status.reason", ".status.startTime", ".status.endTime"),
        _state(".status.status")]),
    _lifecycle(kinds.EVALUATION_DEFINITION, [
        Field(".spec.objectives", "array"), Field(".spec.objectives[]", "object"),
        Field(".spec.objectives[].keptnMetricRef", "object"),
        *_strings(".spec.objectives[].keptnMetricRef.name", ".spec.objectives[].keptnMetricRef.namespace",
                  ".spec.objectives[].evaluationTarget"),
        Field(".spec.retries", "integer", default=10), Field(".spec.retryInterval", "string", default="5s")]),
    _lifecycle(kinds.EVALUATION, [
        *_strings(*(f".spec.{name}" for name in ("appName", "appVersion", "workload", "workloadVersion", "evaluationDefinition"))),
        Field(".spec.checkType", "string", values=_EVALUATION_CHECK_TYPES), Field(".spec.retries", "integer"),
        Field(".spec.retryInterval", "string"), Field(".status.retryCount", "integer"),
        Field(".status.evaluationStatus", "object"), _state(".status.overallStatus"),
        *_strings(".status.startTime", ".status.endTime")]),
    KindSurface(kinds.CONFIG.kind, kinds.CONFIG.group, (kinds.CONFIG.version,), (
        Field(".spec.blockDeployment", "boolean", default=True),
        Field(".spec.observabilityTimeout", "string", default="5m"))),
    KindSurface(kinds.METRIC.kind, kinds.METRIC.group, (kinds.METRIC.version,), (
        Field(".spec.provider", "object"), *_strings(".spec.provider.name", ".spec.query"),
        Field(".spec.fetchIntervalSeconds", "integer"), *_strings(".status.value", ".status.rawValue", ".status.lastUpdated"))),
)

BY_KIND = {surface.kind: surface for surface in SURFACE}
LIFECYCLE_KINDS = tuple(surface.kind for surface in SURFACE if surface.lifecycle)
GROUPS = tuple(dict.fromkeys(surface.group for surface in SURFACE))


def fields_of(kind: str) -> dict[str, Field]:
    """The contract's fields of `kind` by path; empty for a kind the contract does not name."""
    surface = BY_KIND.get(kind)
    return {field.path: field for field in surface.fields} if surface else {}
