"""Whether a KeptnTaskDefinition or KeptnEvaluationDefinition can be used, and what it resolves to.

A definition that cannot be used never gets a KeptnTask or KeptnEvaluation: the phase waits and
says why (contract §4, "never silent"), and editing the definition wakes it up.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.controller.durations import DurationError, parse_duration
from harness.controller.naming import function_configmap_name

RUNTIMES = ("container", "python", "deno")
DEFAULT_TASK_TIMEOUT = "5m"
DEFAULT_RETRY_INTERVAL = "5s"
_MAX_FUNCTION_REFS = 5  # longer functionRef chains are refused, loops or not
# Inline code goes to the ConfigMap keptnfn-<definition> under the key "code"; a ConfigMap holds
# at most 1 MiB of keys and values together.
MAX_INLINE_CODE_BYTES = 1024 * 1024 - len("code")

DefinitionLookup = Callable[[str], dict | None]  # name → KeptnTaskDefinition in the same namespace


class DefinitionError(ValueError):
    """A definition that cannot be used; the message names the object and the field."""


@dataclass(frozen=True)
class Function:
    """Where a deno or python definition's code comes from, after following `functionRef`."""

    runtime: str  # "deno" or "python": the runner image and the mount path
    configmap: str | None = None  # inline code (keptnfn-<definition>) or configMapRef
    url: str | None = None  # httpRef
    parameters: dict[str, str] = field(default_factory=dict)
    secure_secret: str | None = None
    cmd_parameters: str = ""
    code_definition: str | None = None  # the definition whose inline code the ConfigMap holds


def describe(kind: str, definition: dict) -> str:
    meta = definition["metadata"]
    return f'{kind} "{meta["name"]}" in namespace "{meta.get("namespace", "")}"'


def runtime_of(definition: dict) -> str:
    """Which of container/python/deno the definition sets (contract §1: exactly one)."""
    spec = definition.get("spec") or {}
    present = [r for r in RUNTIMES if spec.get(r)]
    if len(present) != 1:
        found = ", ".join(present) if present else "none"
        raise DefinitionError(
            f"{describe('KeptnTaskDefinition', definition)} spec: must set exactly one of "
            f"container, python, deno (found: {found})"
        )
    return present[0]


def task_timeout_seconds(definition_or_task: dict, kind: str) -> float:
    text = (definition_or_task.get("spec") or {}).get("timeout") or DEFAULT_TASK_TIMEOUT
    try:
        return parse_duration(text)
    except DurationError as error:
        raise DefinitionError(f"{describe(kind, definition_or_task)} spec.timeout: {error}") from None


def check_task_definition(definition: dict, lookup: DefinitionLookup) -> Function | None:
    """Raise DefinitionError if no Job can be built from the definition; its Function if it is
    a deno/python definition, None for a container."""
    runtime = runtime_of(definition)
    task_timeout_seconds(definition, "KeptnTaskDefinition")
    if runtime == "container":
        if not (definition["spec"]["container"].get("image")):
            raise DefinitionError(f"{describe('KeptnTaskDefinition', definition)} spec.container.image: must be set")
        return None
    return resolve_function(definition, lookup)


def resolve_function(definition: dict, lookup: DefinitionLookup, via: tuple[str, ...] = ()) -> Function:
    """Follow `functionRef` like Keptn: the referenced definition supplies the code, the
    referencing one's parameters and secret take precedence. `via`: the definitions whose
    functionRef led here, first the one a task runs."""
    runtime = runtime_of(definition)
    spec = definition["spec"][runtime]
    name = definition["metadata"]["name"]
    where = f"{describe('KeptnTaskDefinition', definition)} spec.{runtime}"
    own_parameters = (spec.get("parameters") or {}).get("map") or {}
    own_secret = (spec.get("secureParameters") or {}).get("secret") or None
    cmd = spec.get("cmdParameters") or ""
    parent_name = (spec.get("functionRef") or {}).get("name")
    if parent_name:
        chain = " → ".join((*via, name, parent_name))
        if parent_name in (*via, name):
            raise DefinitionError(f"{where}.functionRef.name: the functionRef chain {chain} is a loop")
        if len(via) >= _MAX_FUNCTION_REFS:
            raise DefinitionError(f"{where}.functionRef.name: the functionRef chain {chain} is more than "
                                  f"{_MAX_FUNCTION_REFS} references deep")
        parent = lookup(parent_name)
        if parent is None:
            raise DefinitionError(f'{where}.functionRef.name: KeptnTaskDefinition "{parent_name}" not found')
        base = resolve_function(parent, lookup, (*via, name))
        return Function(runtime, base.configmap, base.url, {**base.parameters, **own_parameters},
                        own_secret or base.secure_secret, cmd or base.cmd_parameters, base.code_definition)
    code = (spec.get("inline") or {}).get("code")
    if code:
        if len(code.encode()) > MAX_INLINE_CODE_BYTES:
            raise DefinitionError(f"{where}.inline.code: {len(code.encode())} bytes, more than the "
                                  f"{MAX_INLINE_CODE_BYTES} its ConfigMap {function_configmap_name(name)} can hold")
        return Function(runtime, function_configmap_name(name), None, dict(own_parameters), own_secret, cmd, name)
    if (spec.get("configMapRef") or {}).get("name"):
        return Function(runtime, spec["configMapRef"]["name"], None, dict(own_parameters), own_secret, cmd)
    if (spec.get("httpRef") or {}).get("url"):
        return Function(runtime, None, spec["httpRef"]["url"], dict(own_parameters), own_secret, cmd)
    raise DefinitionError(f"{where}: needs one of inline.code, httpRef.url, configMapRef.name, functionRef.name")


def retry_interval_seconds(definition_or_evaluation: dict, kind: str) -> float:
    text = (definition_or_evaluation.get("spec") or {}).get("retryInterval") or DEFAULT_RETRY_INTERVAL
    try:
        return parse_duration(text)
    except DurationError as error:
        raise DefinitionError(f"{describe(kind, definition_or_evaluation)} spec.retryInterval: {error}") from None


def check_evaluation_definition(definition: dict) -> float:
    """Raise DefinitionError if the definition's retryInterval is not a duration; else the interval."""
    return retry_interval_seconds(definition, "KeptnEvaluationDefinition")
