"""Random specs for the property-based bad-input scenario (hypothesis).

An example is one app: a KeptnTaskDefinition, a KeptnAppContext listing it as a promotion task
and a KeptnApp, with one field of one of them replaced by a random JSON value: any type, or an
edge value of the field's own type (empty, at and beyond length and integer limits, durations
beyond Go's range, names no object can have). Properties:

- Admission: the API server refuses the object exactly when its CRD schema says so (the oracle is
  `harness.compat.openapi.admission_errors`, plus the one CEL rule of KeptnTaskDefinition, written
  here), and a refusal names the field the schema complains about.
- Afterwards (checked by the scenario): every accepted app's version completes, or says why not.

Objects are created with field validation `Strict` (kubectl's default), as the oracle assumes.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

from hypothesis import strategies as st

from harness.compat.loading import load_crds
from harness.compat.openapi import MAX_JSON_INTEGER, admission_errors
from harness.library import manifests
from harness.library.kube import Kube
from harness.paths import FIXTURES

CRDS = FIXTURES / "crds" / "current"
_RUNTIMES = ("container", "python", "deno")
_RUNTIME_RULE = "spec must set exactly one of container, python, deno"
_REQUIRED = re.compile(r"'(.+)' is a required property")  # jsonschema's message for a missing field

# Which fields are replaced, per kind (a dotted path inside the object).
FIELDS = {
    "KeptnTaskDefinition": ("spec", "spec.retries", "spec.timeout", "spec.ttlSecondsAfterFinished", "spec.container",
                            "spec.container.name", "spec.container.image", "spec.container.command",
                            "spec.container.env", "spec.deno", "spec.python", "spec.serviceAccount",
                            "spec.automountServiceAccountToken", "spec.imagePullSecrets"),
    "KeptnAppContext": ("spec", "spec.promotionTasks", "spec.preDeploymentTasks", "spec.metadata", "spec.spanLinks"),
    "KeptnApp": ("spec", "spec.version", "spec.revision", "spec.workloads"),
}

# Strings without line breaks: Python's `$` also matches before a final newline, Go's does not, so
# the oracle's patterns would disagree with the API server on "5m\n" for a reason of no interest here.
_TEXT = st.text(st.characters(exclude_characters="\n\r", exclude_categories=("Cs",)), max_size=300)
_EDGE_STRINGS = st.sampled_from([
    "", "0", "5m", "1h30m", "1.5s", "2562047h", "2562048h", "-1s", "5 minutes", "a" * 253, "a" * 254,
    " busybox", "busybox ", "Promote_A", "a/b", "prüfen", "<=500", "10000000000000000000000h",
])
_EDGE_INTEGERS = st.sampled_from([-1, 0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30])
# Not a float within a relative 1e-9 of a whole number: the API server counts those as integers
# (go-openapi's swag.IsFloat64AJSONInteger), an edge of Go's float handling, not of the schemas.
_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: f.is_integer() or abs(f - round(f)) > 1e-6 * max(1.0, abs(f)))
_EDGE_FLOATS = st.sampled_from([5.0, -1.0, float(MAX_JSON_INTEGER), float(2**53), 1.5])
_SCALARS = st.none() | st.booleans() | st.integers() | _EDGE_INTEGERS | _FLOATS | _EDGE_FLOATS | _TEXT | _EDGE_STRINGS
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT | _EDGE_STRINGS, inner, max_size=4),
    max_leaves=8)
VALUES = JSON_VALUES | st.lists(_EDGE_STRINGS | _TEXT, max_size=5) \
    | st.dictionaries(_EDGE_STRINGS, _EDGE_STRINGS | _TEXT, max_size=3)
MUTATIONS = st.sampled_from([(kind, path) for kind, paths in FIELDS.items() for path in paths]).flatmap(
    lambda field: st.tuples(st.just(field[0]), st.just(field[1]), VALUES))


@dataclass(frozen=True)
class Example:
    app: str
    kind: str  # the kind whose field was replaced
    path: str
    value: object
    objects: tuple[dict, ...]  # definition, app context, app


def example(index: int, namespace: str, kind: str, path: str, value) -> Example:
    name = f"random-{index:03d}"
    objects = (manifests.task_definition(name, namespace),
               manifests.app_context(name, namespace, {"promotionTasks": [name]}),
               manifests.app(name, namespace, "1.0.0"))
    objects = tuple(_replaced(obj, path, value) if obj["kind"] == kind else obj for obj in objects)
    return Example(name, kind, path, value, objects)


def expected_errors(obj: dict) -> list[tuple[str, str]]:
    """(path, message) of every reason the API server must refuse `obj`; empty if it must accept it."""
    crd = _crds()[("lifecycle.keptn.sh", obj["kind"])]
    errors = admission_errors(obj, crd.storage.schema)
    spec = obj.get("spec")
    if not errors and obj["kind"] == "KeptnTaskDefinition" and isinstance(spec, dict):
        present = [r for r in _RUNTIMES if spec.get(r) is not None]  # CEL has(): set and not null
        if len(present) != 1:
            errors = [(".spec", _RUNTIME_RULE)]
    return errors


@dataclass(frozen=True)
class Answer:
    refused: str | None  # the API server's message, None when it created the object
    code: int | None = None


def create_strict(kube: Kube, obj: dict) -> Answer:
    """Create with field validation Strict; a refusal (400/422) is returned, not raised."""
    resource = kube.dynamic.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
    try:
        resource.create(body=obj, namespace=obj["metadata"]["namespace"], query_params=[("fieldValidation", "Strict")])
        return Answer(None)
    except Exception as error:  # the dynamic client's error classes carry status and body
        if getattr(error, "status", None) not in (400, 422):
            raise
        try:
            message = str(json.loads(error.body)["message"])
        except (TypeError, ValueError, KeyError):
            message = str(error)
        return Answer(message, error.status)


def admission_must_match_schema(obj: dict, answer: Answer) -> None:
    """Refused exactly when the schema says so; a refusal names a field the schema complains about."""
    errors = expected_errors(obj)
    what = f"{obj['kind']} {obj['metadata']['name']} with spec {json.dumps(obj.get('spec'), ensure_ascii=False)[:400]}"
    if not errors:
        assert answer.refused is None, f"{what} was refused ({answer.code}) although its schema admits it: {answer.refused}"
        return
    assert answer.refused is not None, f"{what} was accepted although its schema says: {errors}"
    fields = [_field(path, message) for path, message in errors]
    assert any(_names(answer.refused, field) for field in fields), (
        f"{what} was refused, but the message names none of the fields {fields}: {answer.refused}")


def _field(path: str, message: str) -> str:
    """The field an oracle error is about; for a missing one, the missing field itself."""
    required = _REQUIRED.fullmatch(message)
    return ".".join(part for part in (path.strip("."), required.group(1) if required else "") if part)


def _names(message: str, field: str) -> bool:
    """Whether the API server's message names `field` (it writes list items as `[0]`, map keys as `.key`)."""
    return field in message or field.split(".", 1)[0] in message and field.rsplit(".", 1)[-1] in message


def _replaced(obj: dict, path: str, value) -> dict:
    out = copy.deepcopy(obj)
    *parents, last = path.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = copy.deepcopy(value)
    return out


_CRD_CACHE: dict = {}


def _crds() -> dict:
    if not _CRD_CACHE:
        _CRD_CACHE.update(load_crds(CRDS))
    return _CRD_CACHE
