"""What the reliability features share (features/reliability): the context of their scenarios,
which remembers the apps it deployed by kind, and the sentences about deploying kinds of apps and what
their versions end with. An app "kind" is a row of a scenario's table: the task lists its
KeptnAppContexts get; app versions of a kind are named `<kind>-<index>`. The steps modules of the
reliability features import everything from here (pytest-bdd keeps each step as a fixture of the
module that defines it).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
from pytest_bdd import parsers, then, when

from harness import report
from harness.contract.phases import CONTEXT_LISTS
from harness.eventually import NotYet, never
from harness.judges import lifecycle
from harness.judges.stricter import exactly_once
from harness.library import faults, manifests
from harness.library.tables import names, records, single_row
from harness.plugin.scenario_context import ScenarioContext


@dataclass
class Reliability(ScenarioContext):
    """A reliability scenario also remembers the apps it deployed, by kind, and what it watched."""

    apps: dict[str, list[str]] = field(default_factory=dict)  # kind → KeptnApp names
    lists: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # KeptnApp → its context's task lists
    killed_at: float | None = None
    standby: tuple | None = None  # (the second replica, its RecordingProxy)
    # bad input: what ran of the implementation and its log, watched for crashes, the API server's
    # counts at the start, how many bad objects were submitted and how many the harness had refused
    running: dict[str, int] | None = None
    log_mark: faults.LogMark | None = None
    requests_at_start: Counter | None = None
    bad_objects: int = 0
    refused_submissions: int = 0
    answers: list = field(default_factory=list)  # (corpus case or random example, its objects' answers)
    valid_app: str | None = None

    console = "reliability"

    def deploy(self, kind: str, lists: dict[str, list[str]], index: int) -> None:
        app = f"{kind}-{index:02d}"
        self.kube.create(manifests.app_context(app, self.namespace, lists))
        self.kube.create(manifests.app(app, self.namespace, "1.0.0"))
        self.apps.setdefault(kind, []).append(app)
        self.lists[app] = lists


@pytest.fixture
def context_type():
    return Reliability


def kinds_of(datatable) -> list[tuple[str, int, dict[str, list[str]]]]:
    """(kind, count, task lists) per row; `count` defaults to 1."""
    rows = []
    for row in records(datatable):
        lists = {key: names(value) for key, value in row.items() if key in CONTEXT_LISTS}
        rows.append((row["kind"], int(row.get("count") or 1), lists))
    return rows


def job_seen(scenario: Reliability, task_matches) -> None:
    """A Job of a KeptnTask that `task_matches` was created (the record keeps it after ttl removed it)."""
    tasks = {t["metadata"]["uid"] for t in scenario.recorder.ever("KeptnTask", task_matches)}
    if not scenario.recorder.ever("Job", lambda j: any(
            r.get("uid") in tasks for r in j["metadata"].get("ownerReferences") or [])):
        raise NotYet(f"{len(tasks)} such KeptnTasks, none with a Job yet")


@when("app versions of these kinds are deployed")
def deploy_kinds(scenario, datatable):
    index = 0
    for kind, count, lists in kinds_of(datatable):
        for _ in range(count):
            scenario.deploy(kind, lists, index)
            index += 1


@then(parsers.parse('every "{kind}" app version completes with'))
def every_completes_with(scenario, kind, datatable):
    expected = single_row(datatable)
    for app in scenario.apps[kind]:
        try:
            lifecycle.app_version_must_reach(scenario.kube, scenario.namespace, app, expected)
        except AssertionError as error:  # say what the record shows: tasks never created, a Job twice, the status
            raise exactly_once.explained(error, scenario.recorder, app, scenario.lists.get(app, {})) from error


@then(parsers.parse('every "{kind}" app version settles at'))
def every_settles_at(scenario, kind, datatable):
    expected = single_row(datatable)
    for app in scenario.apps[kind]:
        lifecycle.app_version_must_settle_at(scenario.kube, scenario.namespace, app, expected)


@then("every listed definition has exactly one KeptnTask per app version, each with one Job")
def exactly_once_holds(scenario, request):
    # The versions have completed; watch a little longer, so that a late second run is caught too.
    never(lambda: exactly_once.each_task_must_have_run_once(scenario.recorder, scenario.lists),
          f"every task of {len(scenario.lists)} app versions running exactly once")
    runs = exactly_once.runs_seen_by(scenario.recorder)
    for observation in exactly_once.cluster_observations(runs):
        report.observe(request.node, observation)
        scenario.say(f"cluster observation: {observation}")
    scenario.say(f"exactly once: {len(scenario.lists)} app versions, {runs.task_count} KeptnTasks, "
                 f"{runs.job_count} Jobs, no duplicates ({runs.pod_count} pods)")
