"""Steps of features/promotion: the promotion phase as any implementation must run it.

Steps are thin: they parse the sentence and call harness/library. `its` / `it` in a step means
the newest KeptnAppVersion of the scenario's app.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from harness import report
from harness.eventually import NotYet, eventually
from harness.library import lifecycle, manifests, task_contract, timing
from harness.plugin.scenarios import after_scenario
from harness.library.kube import Kube
from harness.library.naming import generation_hash
from harness.library.recorder import Recorder
from harness.library.tables import key_values, names, records, single_row
from harness.settings import TIMEOUTS

scenarios("promotion")


@dataclass
class Scenario:
    """What a scenario created and observed; one per scenario."""

    kube: Kube
    namespace: str
    recorder: Recorder
    app: str | None = None
    definitions: list[str] = field(default_factory=list)
    moments: dict[str, float] = field(default_factory=dict)  # what the harness caused, and when (time.time())

    def version(self, revision: int | None = None) -> dict:
        return lifecycle.latest_app_version(self.kube, self.namespace, self.app, revision)

    def promotion_task(self, definition: str) -> dict:
        return lifecycle.promotion_task_must_be_one(self.kube, self.namespace, self.version(), definition)

    def promotion_job_windows(self) -> list[timing.JobWindow]:
        """The windows of the newest version's promotion Jobs, once every one of them finished."""
        tasks = timing.tasks_seen(self.recorder, "promotion", self.version()["metadata"]["uid"])
        return timing.finished_job_windows(self.recorder, tasks, "promotion tasks")

    def job_of(self, definition: str) -> dict:
        return lifecycle.task_must_have_one_job(self.kube, self.namespace, self.promotion_task(definition))


@pytest.fixture
def scenario(kube, namespace, implementation, request) -> Scenario:
    recorder = Recorder(kube, namespace).start()
    yield Scenario(kube, namespace, recorder)
    recorder.stop()
    after_scenario(request.node, kube, namespace, implementation, recorder)


# -- Given: definitions, metrics, app contexts ----------------------------------------------------


@given(parsers.parse("the task definitions"))
def task_definitions(scenario, datatable):
    for row in records(datatable):
        scenario.kube.create(manifests.task_definition_of_row(row, scenario.namespace))
        scenario.definitions.append(row["name"])


@given(parsers.parse('{count:d} promotion task definitions "{prefix}" that run for "{duration}"'))
def numbered_definitions(scenario, count, prefix, duration):
    for index in range(count):
        name = f"{prefix}-{index}"
        scenario.kube.create(manifests.task_definition(name, scenario.namespace, duration))
        scenario.definitions.append(name)


@given(parsers.parse('a metric "{name}" with value "{value}"'))
def a_metric(scenario, name, value):
    scenario.kube.create(manifests.metric(name, scenario.namespace))
    scenario.kube.patch_status("KeptnMetric", name, scenario.namespace, manifests.metric_status(value))


@given(parsers.parse('an evaluation definition "{name}" requiring "{metric}" to be "{target}"'))
def an_evaluation_definition(scenario, name, metric, target):
    scenario.kube.create(manifests.evaluation_definition(name, scenario.namespace, metric, target))


@given(parsers.parse('an evaluation definition "{name}" requiring "{metric}" to be "{target}", '
                     'tried every {interval} up to {retries:d} times'))
def an_evaluation_definition_with_retries(scenario, name, metric, target, interval, retries):
    scenario.kube.create(manifests.evaluation_definition(name, scenario.namespace, metric, target, retries=retries,
                                                         retry_interval=interval))


@given(parsers.parse('an app context "{name}" with'))
def an_app_context(scenario, name, datatable):
    _create_app_context(scenario, name, datatable, metadata=None)


@given(parsers.parse('an app context "{name}" with metadata "{metadata}" and'))
def an_app_context_with_metadata(scenario, name, metadata, datatable):
    _create_app_context(scenario, name, datatable, metadata=key_values(metadata))


@given(parsers.parse('an app context "{name}" listing them as promotionTasks in {order} order'))
def an_app_context_listing_all(scenario, name, order):
    listed = list(reversed(scenario.definitions)) if order == "reversed" else list(scenario.definitions)
    scenario.kube.create(manifests.app_context(name, scenario.namespace, {"promotionTasks": listed}))


def _create_app_context(scenario, name, datatable, metadata):
    lists = {row["list"]: names(row["definitions"]) for row in records(datatable)}
    scenario.kube.create(manifests.app_context(name, scenario.namespace, lists, metadata))


# -- Given: the implementation's configuration (these scenarios are @exclusive) -------------------


@given("the implementation runs with promotion tasks disabled")
def promotion_disabled(implementation, kube, request):
    implementation.set_feature_flag(False)
    implementation.wait_ready(kube)

    def restore():
        implementation.set_feature_flag(True)
        implementation.wait_ready(kube)

    request.addfinalizer(restore)


@given("deployments are not blocked by failures")
def non_blocking(scenario, request):
    scenario.kube.create(manifests.keptn_config("non-blocking", scenario.namespace, block_deployment=False))
    # The last reconciled KeptnConfig wins cluster-wide: write blocking mode back before leaving.
    request.addfinalizer(lambda: scenario.kube.patch("KeptnConfig", "non-blocking", scenario.namespace, {"spec": {"blockDeployment": True}}))


# -- When -----------------------------------------------------------------------------------------


@given(parsers.parse('the app "{app}" is deployed at version "{version}"'))
@when(parsers.parse('the app "{app}" is deployed at version "{version}"'))
def deploy(scenario, app, version):
    scenario.app = app
    scenario.kube.create(manifests.app(app, scenario.namespace, version))


@when(parsers.parse('the app "{app}" with workload "{workload}" is deployed at version "{version}"'))
def deploy_with_workload(scenario, app, workload, version):
    scenario.app = app
    scenario.kube.create(manifests.workload_deployment(app, workload, version, scenario.namespace))
    scenario.kube.create(manifests.app(app, scenario.namespace, version, workloads=[{"name": workload, "version": version}]))


@when(parsers.parse('the metric "{name}" is set to "{value}" {delay:d} seconds after the post-deployment Jobs finished'))
def metric_set_late(scenario, name, value, delay):
    def post_jobs_finished_long_enough() -> float:
        windows = timing.job_windows(scenario.recorder, timing.tasks_seen(scenario.recorder, "post"))
        try:
            finished = timing.last_finished(windows, "post-deployment tasks")
        except AssertionError as not_yet:
            raise NotYet(str(not_yet)) from None
        if time.time() < finished + delay:
            raise NotYet(f"the post-deployment Jobs finished {time.time() - finished:.1f}s ago")
        return finished

    eventually(post_jobs_finished_long_enough, f"{delay}s after the post-deployment Jobs finished", TIMEOUTS.lifecycle)
    scenario.moments[f"the metric {name} reached its target"] = time.time()
    scenario.kube.patch_status("KeptnMetric", name, scenario.namespace, manifests.metric_status(value))


@when(parsers.parse('the revision of the app "{app}" is bumped to {revision:d}'))
def bump_revision(scenario, app, revision):
    scenario.kube.patch("KeptnApp", app, scenario.namespace, {"spec": {"revision": revision}})


@when(parsers.parse('the task definition "{name}" is created, running for "{duration}"'))
def create_definition_later(scenario, name, duration):
    scenario.kube.create(manifests.task_definition(name, scenario.namespace, duration))


# -- Then: the app version ------------------------------------------------------------------------


@given(parsers.parse('the app version of "{app}" completes with'))
@then(parsers.parse('the app version of "{app}" completes with'))
def completes_with(scenario, app, datatable):
    lifecycle.app_version_must_reach(scenario.kube, scenario.namespace, app, single_row(datatable))


@then(parsers.parse('the app version of "{app}" at revision {revision:d} completes with'))
def revision_completes_with(scenario, app, revision, datatable):
    lifecycle.app_version_must_reach(scenario.kube, scenario.namespace, app, single_row(datatable), revision=revision)


@then(parsers.parse('the app version of "{app}" settles at'))
def stays_at(scenario, app, datatable):
    lifecycle.app_version_must_settle_at(scenario.kube, scenario.namespace, app, single_row(datatable))


@then(parsers.parse('the app version of "{app}" at revision {revision:d} becomes "{state}"'))
def revision_becomes(scenario, app, revision, state):
    lifecycle.app_version_must_reach(scenario.kube, scenario.namespace, app, {"status": state}, revision=revision)


@then(parsers.parse('the app version of "{app}" at revision {revision:d} is named with the hash of generation {generation:d}'))
def named_with_hash(scenario, app, revision, generation):
    task_contract.version_name_must_end_with(scenario.version(revision), f"-{generation_hash(generation)}",
                                             f"sha256 of generation {generation}")


@then(parsers.parse('each app version of "{app}" has its own promotion task "{definition}"'))
def each_version_has_its_task(scenario, app, definition):
    lifecycle.each_version_must_have_its_promotion_task(scenario.kube, scenario.namespace, app, definition, versions=2)


@then("its end time is set")
def end_time_set(scenario):
    task_contract.end_time_must_be_set(scenario.version())


@then(parsers.parse('the event "{reason}" was recorded for it'))
def event_recorded(scenario, reason):
    lifecycle.event_must_exist(scenario.kube, scenario.namespace, scenario.version(), reason)


@then(parsers.parse('the app version of "{app}" shows why it waits, naming "{missing}"'))
def shows_why(scenario, app, missing):
    lifecycle.reason_must_be_visible(scenario.kube, scenario.namespace, scenario.version(), [missing])


@then(parsers.parse('its "{item_list}" items are "{expected}"'))
def items_are(scenario, item_list, expected):
    lifecycle.items_must_be(scenario.version(), item_list, key_values(expected))


@then(parsers.parse('its "{item_list}" items end as their tasks ended'))
def items_follow_tasks(scenario, item_list):
    lifecycle.items_must_follow_their_tasks(scenario.kube, scenario.namespace, scenario.app, item_list)


@then(parsers.parse('its "{item_list}" item "{definition}" is "{state}"'))
def item_is(scenario, item_list, definition, state):
    lifecycle.item_must_be(scenario.version(), item_list, definition, state)


# -- Then: promotion tasks ------------------------------------------------------------------------


@then(parsers.parse('its promotion tasks are "{definitions}"'))
def promotion_tasks_are(scenario, definitions):
    lifecycle.promotion_tasks_must_be(scenario.kube, scenario.namespace, scenario.version(), names(definitions))


@then("no promotion task was ever created")
def no_promotion_task(scenario):
    _no_task_ever(scenario, "promotion")


@then(parsers.parse('no "{check_type}" task was ever created'))
def no_task_of_type(scenario, check_type):
    _no_task_ever(scenario, check_type)


def _no_task_ever(scenario, check_type):
    # The version has completed (a previous step waited for it); watch a little longer, then ask the record.
    lifecycle.never_any_task(scenario.recorder, check_type)


@then("no promotion task appeared before the post-deployment Jobs finished and the metric reached its target")
def promotion_after_post_deployment(scenario):
    post_jobs = timing.job_windows(scenario.recorder, timing.tasks_seen(scenario.recorder, "post"))
    moments = {"the last post-deployment Job finished": timing.last_finished(post_jobs, "post-deployment tasks"),
               **scenario.moments}
    first, name = timing.first_promotion_task(scenario.recorder, scenario.version()["metadata"]["uid"])
    timing.must_start_after(first, name, moments)


@then(parsers.parse("it has {count:d} promotion tasks, each with one Job"))
def tasks_with_one_job(scenario, count):
    lifecycle.promotion_tasks_must_be(scenario.kube, scenario.namespace, scenario.version(), scenario.definitions[:count])
    for definition in scenario.definitions:
        scenario.job_of(definition)


@then("every promotion Job was created before the first one finished")
def jobs_created_before_first_finished(scenario):
    timing.all_must_exist_before_the_first_finished(scenario.promotion_job_windows())


@then("the active windows of all promotion Jobs overlap")
def job_windows_overlap(scenario):
    timing.windows_must_overlap(scenario.promotion_job_windows())


@then("the pods of all promotion Jobs ran side by side")
def pods_side_by_side(scenario):
    jobs = scenario.promotion_job_windows()
    timing.pods_must_have_run_side_by_side(timing.pod_windows(scenario.recorder, jobs), len(jobs))


@then("the promotion phase ended after its last promotion Job finished")
def phase_ended_after_its_jobs(scenario):
    windows = scenario.promotion_job_windows()
    timing.phase_must_end_after_its_jobs(timing.promotion_ended(scenario.recorder, scenario.version()["metadata"]["uid"]), windows)


@then(parsers.parse('the Jobs of the promotion tasks "{definitions}" run to completion and succeed'))
def siblings_complete(scenario, definitions):
    for definition in names(definitions):
        task_contract.job_must_have_succeeded(
            lifecycle.job_must_finish(scenario.kube, scenario.namespace, scenario.job_of(definition)["metadata"]["name"]))


@then(parsers.parse('the promotion task "{definition}" is "{state}" with reason "{reason}"'))
def task_state_reason(scenario, definition, state, reason):
    lifecycle.promotion_task_must_end(scenario.kube, scenario.namespace, scenario.app, definition, state, reason)


@then(parsers.parse("the promotion task \"{definition}\" has the message of its Job's \"{condition}\" condition"))
def task_keeps_job_message(scenario, definition, condition):
    job = lifecycle.job_must_finish(scenario.kube, scenario.namespace, scenario.job_of(definition)["metadata"]["name"])
    task_contract.task_must_keep_the_jobs_message(scenario.promotion_task(definition), job, condition)


@then(parsers.parse('the Job of the promotion task "{definition}" allowed {retries:d} retries and its container ran at least {count:d} times'))
def container_ran(scenario, definition, retries, count, request):
    job = lifecycle.job_must_finish(scenario.kube, scenario.namespace, scenario.job_of(definition)["metadata"]["name"])
    attempts = lifecycle.container_runs(scenario.recorder, job)
    lifecycle.retries_must_be_honoured(job, retries, count, attempts)
    if attempts > count:
        report.observe(request.node, f"Job {job['metadata']['name']} ran its container {attempts} times for "
                                     f"backoffLimit {retries}: the Job controller's doing")


# -- Then: the task contract ----------------------------------------------------------------------


@then(parsers.parse('the promotion task "{definition}" has the context'))
def task_context(scenario, definition, datatable):
    task_contract.context_must_be(scenario.promotion_task(definition), single_row(datatable))


@then(parsers.parse('the context metadata of the promotion task "{definition}" includes "{pairs}"'))
def context_metadata(scenario, definition, pairs):
    task_contract.context_metadata_must_include(scenario.promotion_task(definition), key_values(pairs))


@then(parsers.parse("the Job of the promotion task \"{definition}\" has KEPTN_CONTEXT equal to the task's context"))
def keptn_context_matches(scenario, definition):
    task_contract.keptn_context_must_be_the_tasks(scenario.job_of(definition), scenario.promotion_task(definition))


@then(parsers.parse('the Job of the promotion task "{definition}" has'))
def job_fields(scenario, definition, datatable):
    task_contract.job_spec_must_have(scenario.job_of(definition), {k: int(v) for k, v in single_row(datatable).items()})


@then(parsers.parse('the Job of the promotion task "{definition}" has the labels "{pairs}"'))
def job_labels(scenario, definition, pairs):
    task_contract.metadata_must_include(scenario.job_of(definition), "labels", key_values(pairs))


@then(parsers.parse('the Job of the promotion task "{definition}" has the annotations "{pairs}"'))
def job_annotations(scenario, definition, pairs):
    task_contract.metadata_must_include(scenario.job_of(definition), "annotations", key_values(pairs))


@then(parsers.parse('the Job of the promotion task "{definition}" has the annotation "{key}" naming its task'))
def job_names_its_task(scenario, definition, key):
    task = scenario.promotion_task(definition)
    task_contract.metadata_must_include(scenario.job_of(definition), "annotations", {key: task["metadata"]["name"]})


@then(parsers.parse('the promotion task "{definition}" has the labels "{pairs}"'))
def task_labels(scenario, definition, pairs):
    task_contract.metadata_must_include(scenario.promotion_task(definition), "labels", key_values(pairs))
