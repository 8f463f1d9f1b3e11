"""KeptnEvaluation: targets such as ">1" and "<=500" (contract §1), objectives against KeptnMetric
status.value, retries."""
from __future__ import annotations

import pytest

from harness.controller.evaluation import (Attempt, ObjectiveResult, TargetError, after_attempt,
                                           check_objectives, parse_target)
from harness.contract.states import KeptnState


@pytest.mark.parametrize(("target", "value", "accepted"), [
    (">1", 2, True), (">1", 1, False), ("<=500", 500, True), ("<=500", 500.5, False),
    ("<10", 9.99, True), (">=0.5", 0.5, True), ("=3", 3, True), ("==3", 3.1, False), ("!=3", 4, True),
    ("> -2", -1, True), ("<1e3", 999, True),
])
def test_targets_compare_the_value_with_the_threshold(target, value, accepted):
    assert parse_target(target).accepts(value) is accepted


@pytest.mark.parametrize("target", ["", "5", ">", ">abc", "~5", ">5,<10", "between 1 and 2"])
def test_unknown_targets_are_rejected_naming_the_accepted_operators(target):
    with pytest.raises(TargetError, match=r"expected one of <, <=, >, >=, =, ==, != followed by a number"):
        parse_target(target)


def _definition(*objectives):
    return {"metadata": {"name": "quality", "namespace": "shop"},
            "spec": {"objectives": [{"keptnMetricRef": ref, "evaluationTarget": target} for ref, target in objectives]}}


def _metrics(**values):
    """KeptnMetrics in namespace `shop` by name; a None value means a metric without status."""
    found = {("shop", n): {"status": {"value": v}} if v is not None else {} for n, v in values.items()}
    return lambda namespace, name: found.get((namespace, name))


def test_every_objective_must_pass():
    definition = _definition(({"name": "latency"}, "<500"), ({"name": "errors"}, "<1"))
    passing = check_objectives(definition, "shop", _metrics(latency="200", errors="0"))
    failing = check_objectives(definition, "shop", _metrics(latency="200", errors="3"))
    assert passing.passed and not failing.passed
    assert [r.passed for r in failing.results] == [True, False]
    assert failing.results[1] == ObjectiveResult("errors", "3", False, 'value 3 does not meet target "<1"')


def test_the_metric_namespace_defaults_to_the_evaluation_namespace():
    definition = _definition(({"name": "latency", "namespace": "other"}, "<500"), ({"name": "errors"}, "<1"))
    lookups = []
    check_objectives(definition, "shop", lambda ns, name: lookups.append((ns, name)))
    assert lookups == [("other", "latency"), ("shop", "errors")]


def test_a_missing_metric_is_a_failed_try_naming_the_metric():
    attempt = check_objectives(_definition(({"name": "latency"}, "<500"),), "shop", _metrics())
    assert not attempt.passed and attempt.invalid is None
    assert attempt.results[0].message == 'KeptnMetric "latency" in namespace "shop" not found'


def test_a_metric_without_value_is_a_failed_try_naming_the_metric():
    attempt = check_objectives(_definition(({"name": "latency"}, "<500"),), "shop", _metrics(latency=None))
    assert attempt.results[0].message == 'KeptnMetric "latency" in namespace "shop" has no status.value yet'


def test_a_value_that_is_no_number_is_a_failed_try():
    attempt = check_objectives(_definition(({"name": "latency"}, "<500"),), "shop", _metrics(latency="fast"))
    assert not attempt.passed and 'status.value "fast" is not a number' in attempt.results[0].message


def test_an_unparsable_target_makes_the_attempt_invalid_naming_definition_and_field():
    attempt = check_objectives(_definition(({"name": "a"}, "<5"), ({"name": "b"}, "about 3")), "shop",
                               _metrics(a="1", b="1"))
    assert not attempt.passed
    assert attempt.invalid.startswith('KeptnEvaluationDefinition "quality" spec.objectives[1].evaluationTarget: '
                                      '"about 3" is not an evaluation target')


def test_retries_count_failed_tries_until_the_limit():
    failed = Attempt((ObjectiveResult("m", "1", False, "no"),))
    assert after_attempt(failed, 0, 3) == (KeptnState.PROGRESSING, 1)
    assert after_attempt(failed, 1, 3) == (KeptnState.PROGRESSING, 2)
    assert after_attempt(failed, 2, 3) == (KeptnState.FAILED, 3)


def test_success_ends_the_evaluation_without_counting():
    assert after_attempt(Attempt((ObjectiveResult("m", "1", True, "ok"),)), 2, 3) == (KeptnState.SUCCEEDED, 2)


def test_an_invalid_attempt_fails_at_once():
    assert after_attempt(Attempt((), invalid="bad target"), 0, 10) == (KeptnState.FAILED, 0)


def test_with_zero_retries_one_try_is_still_made():
    failed = Attempt((ObjectiveResult("m", "1", False, "no"),))
    assert after_attempt(failed, 0, 0) == (KeptnState.FAILED, 1)
