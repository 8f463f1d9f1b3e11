"""Random specs for the property-based bad-input scenario (hypothesis).

An example is one app: a KeptnTaskDefinition `<app>-task`, a KeptnAppContext listing it as a
promotion task and a KeptnApp, with one field of one of them replaced by a random JSON value: any
type, or an edge value of the field's own type (empty, at and beyond length and integer limits,
durations beyond Go's range, names no object can have). Properties:

- Admission: where the contract fixes it (contract §1: a KeptnTaskDefinition sets exactly one of
  container, python, deno) the object is refused, naming the field. Anywhere else either outcome
  is conformant: a CRD set may refuse what another admits (a minimum, a length, an enum of this
  project's CRDs is not the contract). A refusal names the replaced field or one the schema of the
  CRD installed for the implementation under test complains about (read from the API server, and
  checked by `harness.compat.openapi.admission_errors`); an accepted example is judged afterwards.
  The objects that were not changed are valid: they must be accepted.
- Afterwards (`culprits`, judged by harness.judges.stricter.reasons): every accepted app's version
  completes, or waits or fails naming what is wrong: the definition, when it was the one changed;
  else the replaced field, a definition the context lists that does not exist, or a workload the
  app lists (`<app>-<workload>`, contract §2).
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

from hypothesis import strategies as st

from harness.compat.openapi import MAX_JSON_INTEGER, admission_errors
from harness.contract.phases import CONTEXT_LISTS
from harness.kube import Kube
from harness.library import manifests
from harness.library.admission import Answer
from harness.library.mentions import Field, Item, Name, describe, first_naming

CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
_RUNTIMES = ("container", "python", "deno")
RUNTIME_RULE = "contract §1: a KeptnTaskDefinition sets exactly one of container, python, deno"
_REQUIRED = re.compile(r"'(.+)' is a required property")  # jsonschema's message for a missing field
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # a key that can be a field of a schema

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

    @property
    def definition(self) -> str:
        return self.objects[0]["metadata"]["name"]

    def culprits(self, defined: set[str]) -> tuple[Item, ...]:
        """What the app's version must name if it waits or fails (one item of alternatives):
        `defined` are the definitions that exist."""
        if self.kind == "KeptnTaskDefinition":
            return ((Name(self.definition),),)
        value = self.value if isinstance(self.value, dict) else {}
        fields = [Field(self.path), *(Field(f"{self.path}.{key}") for key in value if _KEY.fullmatch(str(key)))]
        context, app = (obj.get("spec") if isinstance(obj.get("spec"), dict) else {} for obj in self.objects[1:])
        listed = [name for key in CONTEXT_LISTS if isinstance(context.get(key), list) for name in context[key]
                  if isinstance(name, str)]  # a random list may hold lists, which name nothing
        missing = [Name(name) for name in dict.fromkeys(listed) if name not in defined]
        workloads = [Name(f"{self.app}-{w['name']}") for w in app.get("workloads") or []
                     if isinstance(app.get("workloads"), list) and isinstance(w, dict) and isinstance(w.get("name"), str)]
        return (tuple(fields + missing + workloads),)


def example(index: int, namespace: str, kind: str, path: str, value) -> Example:
    name = f"random-{index:03d}"
    objects = (manifests.task_definition(f"{name}-task", namespace),
               manifests.app_context(name, namespace, {"promotionTasks": [f"{name}-task"]}),
               manifests.app(name, namespace, "1.0.0"))
    objects = tuple(_replaced(obj, path, value) if obj["kind"] == kind else obj for obj in objects)
    return Example(name, kind, path, value, objects)


def installed_schemas(kube: Kube) -> dict[tuple[str, str], dict]:
    """(apiVersion, kind) → the openAPIV3Schema of every CRD version installed in the cluster: the
    implementation under test brought them, and the API server admits by them."""
    schemas = {}
    for crd in kube.dynamic.request("GET", CRD_PATH).to_dict()["items"]:
        spec = crd["spec"]
        for version in spec["versions"]:
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if schema:
                schemas[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = schema
    return schemas


def contract_fields(obj: dict) -> list[str]:
    """The fields docs/contract.md says must make the API server refuse `obj`; empty where the contract does not fix it."""
    if obj["kind"] != "KeptnTaskDefinition":
        return []
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    present = [runtime for runtime in _RUNTIMES if spec.get(runtime) is not None]  # set and not null, as CEL's has()
    return [] if len(present) == 1 else ["spec"]


def schema_fields(obj: dict, schemas: dict[tuple[str, str], dict]) -> list[str]:
    """The fields the installed CRD's schema refuses `obj` for (empty if it admits it, or has no CRD)."""
    schema = schemas.get((obj["apiVersion"], obj["kind"]))
    errors = admission_errors(obj, schema) if schema else []
    return [field for field in (_field(path, message) for path, message in errors) if field]


def admission_must_be_conformant(example: Example, obj: dict, answer: Answer,
                                 schemas: dict[tuple[str, str], dict]) -> str:
    """Refused where the contract says so, naming a field it is about (C1.5, C1.6), the unchanged
    objects accepted; a refusal nothing fixes may say anything. Returns how it went:
    `refused by the contract`, `refused`, `accepted`."""
    what = f"{obj['kind']} {obj['metadata']['name']} with spec {json.dumps(obj.get('spec'), ensure_ascii=False)[:400]}"
    contract = contract_fields(obj)
    if answer.refusal is None:
        assert not contract, f"{what} was accepted; {RUNTIME_RULE}, so it must be refused naming {contract[0]}"
        return "accepted"
    changed = obj["kind"] == example.kind
    assert changed or contract, f"{what} was refused ({answer.code}), but it is valid (it was not changed): {answer.refusal}"
    if not contract:
        return "refused"  # nothing fixes this refusal, so nothing fixes its message: the contract asks for no wording
    fields = (Field(field) for field in dict.fromkeys([*contract, example.path, *schema_fields(obj, schemas)]))
    named = (tuple(fields),)
    assert first_naming([answer.refusal], named) is not None, (
        f"{what} was refused ({answer.code}), but the message names none of {describe(named)}: {answer.refusal}")
    return "refused by the contract"


def _field(path: str, message: str) -> str:
    """The field an oracle error is about; for a missing one, the missing field itself."""
    required = _REQUIRED.fullmatch(message)
    return ".".join(part for part in (path.strip("."), required.group(1) if required else "") if part)


def _replaced(obj: dict, path: str, value) -> dict:
    out = copy.deepcopy(obj)
    *parents, last = path.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = copy.deepcopy(value)
    return out
