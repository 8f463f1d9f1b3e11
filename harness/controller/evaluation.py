"""KeptnEvaluation decisions: parsing `evaluationTarget`, checking objectives, counting retries.

Keptn's KeptnEvaluation compares a KeptnMetric's `status.value` with a target made of one
comparison operator and a number (`">1"`, `"<=500"`). Ranges belong to Keptn's Analysis API,
not to KeptnEvaluation, so they are rejected here like any other unknown target.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from harness.contract.states import KeptnState

_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "=": operator.eq, "==": operator.eq, "!=": operator.ne,
}
_TARGET = re.compile(r"\s*(<=|>=|==|!=|<|>|=)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*")


class TargetError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    operator: str
    threshold: float

    def accepts(self, value: float) -> bool:
        return _COMPARISONS[self.operator](value, self.threshold)


def parse_target(text: str) -> Target:
    match = _TARGET.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise TargetError(
            f'"{text}" is not an evaluation target: expected one of <, <=, >, >=, =, ==, != '
            'followed by a number, for example ">1" or "<=500"'
        )
    return Target(match.group(1), float(match.group(2)))


@dataclass(frozen=True)
class ObjectiveResult:
    metric: str  # the key in status.evaluationStatus: the KeptnMetric's name
    value: str
    passed: bool
    message: str


@dataclass(frozen=True)
class Attempt:
    results: tuple[ObjectiveResult, ...]
    invalid: str | None = None  # a target that can never be checked: the evaluation fails at once

    @property
    def passed(self) -> bool:
        return self.invalid is None and all(r.passed for r in self.results)


MetricLookup = Callable[[str, str], dict | None]  # (namespace, name) → KeptnMetric or None


def check_objectives(definition: dict, namespace: str, metric_of: MetricLookup) -> Attempt:
    """One try of every objective of a KeptnEvaluationDefinition.

    A metric reference without namespace means the evaluation's namespace. A missing metric,
    a metric without value and a value that is not a number are failed tries naming the metric;
    an unparsable target makes the attempt invalid, naming the definition and the field.
    """
    results = []
    for index, objective in enumerate(definition.get("spec", {}).get("objectives") or []):
        field = f"spec.objectives[{index}].evaluationTarget"
        ref = objective.get("keptnMetricRef") or {}
        name, metric_ns = ref.get("name", ""), ref.get("namespace") or namespace
        try:
            target = parse_target(objective.get("evaluationTarget"))
        except TargetError as error:
            where = f'KeptnEvaluationDefinition "{definition["metadata"]["name"]}" {field}'
            return Attempt(tuple(results), invalid=f"{where}: {error}")
        results.append(_check(target, objective.get("evaluationTarget"), name, metric_ns, metric_of))
    return Attempt(tuple(results))


def _check(target: Target, target_text: str, name: str, namespace: str, metric_of: MetricLookup) -> ObjectiveResult:
    metric = metric_of(namespace, name)
    where = f'KeptnMetric "{name}" in namespace "{namespace}"'
    if metric is None:
        return ObjectiveResult(name, "", False, f"{where} not found")
    value = (metric.get("status") or {}).get("value")
    if value in (None, ""):
        return ObjectiveResult(name, "", False, f"{where} has no status.value yet")
    try:
        number = float(value)
    except ValueError:
        return ObjectiveResult(name, value, False, f'{where} status.value "{value}" is not a number')
    if target.accepts(number):
        return ObjectiveResult(name, value, True, f'value {value} meets target "{target_text}"')
    return ObjectiveResult(name, value, False, f'value {value} does not meet target "{target_text}"')


def after_attempt(attempt: Attempt, retry_count: int, retries: int) -> tuple[KeptnState, int]:
    """The evaluation's state and retryCount after a try.

    Success ends it; an invalid target fails it at once; otherwise each failed try counts, and
    the try that reaches `retries` (at least one try is always made) fails it.
    """
    if attempt.passed:
        return KeptnState.SUCCEEDED, retry_count
    if attempt.invalid:
        return KeptnState.FAILED, retry_count
    retry_count += 1
    return (KeptnState.FAILED if retry_count >= retries else KeptnState.PROGRESSING), retry_count
