"""Step sentences more than one feature uses, written once (steps/conftest.py imports them, which
makes them every feature's). They take the plugin's `scenario` context (harness.plugin.scenario_context),
whichever feature's subclass it is."""
from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from harness.judges.stricter import survival
from harness.library import manifests
from harness.library.tables import records


@given(parsers.parse("the task definitions"))
def task_definitions(scenario, datatable):
    for row in records(datatable):
        scenario.kube.create(manifests.task_definition_of_row(row, scenario.namespace))
        scenario.definitions.append(row["name"])


@when(parsers.parse('the task definition "{name}" is created, running for "{duration}"'))
def create_definition_later(scenario, name, duration):
    scenario.kube.create(manifests.task_definition(name, scenario.namespace, duration))
    scenario.created_later.append(name)


@then("every kill ended a running implementation and another one took its place")
def kills_worked(scenario):
    survival.kills_must_have_worked(scenario.kill_log, scenario.kill_plan)
    survival.implementation_must_run(scenario.implementation, scenario.kube, "after the last kill")
