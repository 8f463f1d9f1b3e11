"""Steps of features/promotion: the promotion phase as any implementation must run it.

Steps are thin: they parse the sentence and call harness/library and harness/judges. `its` / `it` in a step means
the newest KeptnAppVersion of the scenario's app.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from harness import report
from harness.eventually import NotYet, eventually
from harness.judges import app_versions, failures, lifecycle, tasks_and_jobs
from harness.judges import tracing as tracing_judges
from harness.library import cluster_options, lookups, manifests, tracing_setup, windows
from harness.library.otlp_receiver import OtlpReceiver
from harness.library.tables import key_values, names, records, single_row
from harness.plugin.scenario_context import ScenarioContext
from harness.timeouts import TIMEOUTS

scenarios("promotion")


@dataclass
class Promotion(ScenarioContext):
    """A promotion scenario also remembers its app and the moments the harness caused something."""

    app: str | None = None
    moments: dict[str, float] = field(default_factory=dict)  # what the harness caused, and when (time.time())

    console = "promotion"

    def version(self, revision: int | None = None) -> dict:
        return app_versions.latest_app_version(self.kube, self.namespace, self.app, revision)

    def promotion_task(self, definition: str) -> dict:
        return lifecycle.promotion_task_must_be_one(self.kube, self.namespace, self.version(), definition)

    def promotion_job_windows(self) -> list[windows.JobWindow]:
        """The windows of the newest version's promotion Jobs, once every one of them finished."""
        tasks = windows.tasks_seen(self.recorder, "promotion", self.version()["metadata"]["uid"])
        return lifecycle.finished_job_windows(self.recorder, tasks, "promotion tasks")

    def definition(self, name: str) -> dict:
        return self.kube.get("KeptnTaskDefinition", name, self.namespace)

    def job_of(self, definition: str) -> dict:
        return lifecycle.task_must_have_one_job(self.kube, self.namespace, self.promotion_task(definition))


@pytest.fixture
def context_type():
    return Promotion


# -- Given: definitions, metrics, app contexts ----------------------------------------------------


@given(parsers.parse('a service account "{name}"'))
def a_service_account(scenario, name):
    scenario.kube.create(manifests.service_account(name, scenario.namespace))


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
    request.addfinalizer(lambda: cluster_options.hand_back(scenario.kube, "non-blocking", scenario.namespace,
                                                           {"blockDeployment": True}))


@pytest.fixture
def otlp_receiver():
    with OtlpReceiver() as receiver:
        yield receiver


@given("the implementation sends its traces to an OTLP receiver on the loopback")
def traces_to_receiver(scenario, otlp_receiver, request):
    scenario.kube.create(tracing_setup.keptn_config("tracing", scenario.namespace, otlp_receiver.address))
    # named no more before the receiver stops
    request.addfinalizer(lambda: cluster_options.hand_back(scenario.kube, "tracing", scenario.namespace,
                                                           {"OTelCollectorUrl": ""}))
    tracing_setup.wait_until_traced(scenario.kube, scenario.namespace, otlp_receiver)


@given(parsers.parse('an app context "{name}" linking to the trace of the promotion task of "{linked}", with'))
def an_app_context_linking(scenario, name, linked, datatable):
    lists = {row["list"]: names(row["definitions"]) for row in records(datatable)}
    context = manifests.app_context(name, scenario.namespace, lists)
    scenario.kube.create(tracing_setup.linking(context, [_promotion_traceparent(scenario, linked)]))


def _promotion_traceparent(scenario, app: str) -> str:
    version = app_versions.latest_app_version(scenario.kube, scenario.namespace, app)
    return tracing_judges.tasks_carry_one_trace(version["metadata"]["name"],
                                                lookups.tasks_of(scenario.kube, scenario.namespace, version, "promotion"))


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


@when(parsers.parse('the app "{app}" with workload "{workload}" is deployed at version "{version}", the workload {delay:d} seconds later'))
def deploy_workload_later(scenario, app, workload, version, delay):
    scenario.app = app
    scenario.kube.create(manifests.app(app, scenario.namespace, version, workloads=[{"name": workload, "version": version}]))

    def version_seen_long_enough() -> None:
        seen = scenario.recorder.first_arrivals("KeptnAppVersion", lambda v: v["spec"].get("appName") == app)
        if not seen:
            raise NotYet(f"the watch saw no KeptnAppVersion of {app} yet")
        first = min(at for at, _ in seen.values())
        if time.time() < first + delay:
            raise NotYet(f"the KeptnAppVersion of {app} appeared {time.time() - first:.1f}s ago")

    eventually(version_seen_long_enough, f"{delay}s after the KeptnAppVersion of {app} appeared", TIMEOUTS.lifecycle)
    scenario.moments[f"the Deployment {workload} was created"] = time.time()
    scenario.kube.create(manifests.workload_deployment(app, workload, version, scenario.namespace))


@when(parsers.parse('the metric "{name}" is set to "{value}" {delay:d} seconds after the post-deployment Jobs finished'))
def metric_set_late(scenario, name, value, delay):
    def post_jobs_finished_long_enough() -> float:
        post_jobs = windows.job_windows(scenario.recorder, windows.tasks_seen(scenario.recorder, "post"))
        try:
            finished = lifecycle.last_finished(post_jobs, "post-deployment tasks")
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


@when(parsers.parse('the revision of the app "{app}" is bumped to {revision:d} while its "{check_type}" task "{definition}" runs'))
def bump_revision_while_running(scenario, app, revision, check_type, definition):
    lifecycle.first_task_arrival(scenario.recorder, check_type, definition)
    scenario.kube.patch("KeptnApp", app, scenario.namespace, {"spec": {"revision": revision}})


@when(parsers.parse('the app context "{name}" is changed to list "{definitions}" as {list_field} while its "{check_type}" task "{definition}" runs'))
def change_context_while_running(scenario, name, definitions, list_field, check_type, definition):
    lifecycle.first_task_arrival(scenario.recorder, check_type, definition)
    scenario.kube.patch("KeptnAppContext", name, scenario.namespace, {"spec": {list_field: names(definitions)}})


# -- Then: the app version ------------------------------------------------------------------------


@given(parsers.parse('the app version of "{app}" completes with'))
@then(parsers.parse('the app version of "{app}" completes with'))
def completes_with(scenario, app, datatable):
    lifecycle.app_version_must_reach(scenario.kube, scenario.namespace, app, single_row(datatable))


@then(parsers.parse('the promotion tasks of "{app}" carry one trace, and the span it names reaches the receiver'))
def tasks_carry_the_trace(scenario, otlp_receiver, app):
    tracing_judges.receiver_gets_span_named_by(otlp_receiver, _promotion_traceparent(scenario, app))


@then(parsers.parse('a span of the trace of "{app}" reaches the receiver linked to the trace of "{linked}"'))
def trace_linked(scenario, otlp_receiver, app, linked):
    tracing_judges.receiver_gets_link(otlp_receiver, _promotion_traceparent(scenario, app),
                                      _promotion_traceparent(scenario, linked))


@then(parsers.parse('the app version of "{app}" at revision {revision:d} completes with'))
def revision_completes_with(scenario, app, revision, datatable):
    lifecycle.app_version_must_reach(scenario.kube, scenario.namespace, app, single_row(datatable), revision=revision)


@then(parsers.parse('the app version of "{app}" settles at'))
def stays_at(scenario, app, datatable):
    lifecycle.app_version_must_settle_at(scenario.kube, scenario.namespace, app, single_row(datatable))


@then(parsers.parse('the app version of "{app}" at revision {revision:d} is Deprecated in every state'))
def revision_deprecated(scenario, app, revision):
    lifecycle.app_version_must_be_deprecated(scenario.kube, scenario.recorder, scenario.namespace, app, revision)


@then(parsers.parse('the app version of "{app}" at revision {revision:d} started nothing after it was deprecated'))
def deprecated_starts_nothing(scenario, app, revision):
    lifecycle.deprecated_version_must_start_nothing(scenario.recorder, scenario.version(revision))


@then(parsers.parse('the app version of "{app}" at revision {revision:d} has the promotion tasks "{definitions}"'))
def revision_promotion_tasks(scenario, app, revision, definitions):
    lifecycle.promotion_tasks_must_be(scenario.kube, scenario.namespace, scenario.version(revision), names(definitions))


@then(parsers.parse('the app version of "{app}" at revision {revision:d} lists "{definitions}" as {list_field}'))
def revision_lists(scenario, app, revision, definitions, list_field):
    app_versions.version_spec_must_list(scenario.version(revision), list_field, names(definitions))


@then(parsers.parse('the app version of "{app}" is controlled by its KeptnApp, which names its version as current'))
def owned_by_app(scenario, app):
    app_versions.app_must_own_its_version(scenario.kube, scenario.namespace, app, scenario.version())


@then(parsers.parse('the workload "{workload}" got its KeptnWorkloadVersion, and the deploy phase waited for it'))
def deploy_waited(scenario, workload):
    lifecycle.deploy_phase_must_wait_for_its_workload(scenario.kube, scenario.recorder, scenario.namespace, scenario.version(),
                                                      workload, scenario.moments[f"the Deployment {workload} was created"])


@then(parsers.parse('the app version of "{app}" fails in its "{phase}" phase'))
def fails_in_phase(scenario, app, phase):
    failures.app_version_must_fail_in(scenario.kube, scenario.namespace, app, phase)


@then(parsers.parse('its "{phase}" phase recorded the events "{suffixes}"'))
def phase_events(scenario, phase, suffixes):
    lifecycle.phase_events_must_be_recorded(scenario.kube, scenario.namespace, scenario.version(), phase, names(suffixes))


@then(parsers.parse('it was seen Failed while the Jobs of the promotion tasks "{definitions}" still ran'))
def failed_while_siblings_ran(scenario, definitions):
    failures.version_must_fail_while_siblings_run(scenario.recorder, scenario.version()["metadata"]["uid"], names(definitions))


@then("the watch saw its phases move forward, each state Pending until its phase began")
def history_forward(scenario):
    lifecycle.history_must_move_forward(scenario.recorder, scenario.version()["metadata"]["uid"])


@then(parsers.parse('its "{item_list}" items name their tasks, and those that ended their start and end times'))
def items_name_their_tasks(scenario, item_list):
    failures.items_must_name_their_checks(scenario.kube, scenario.namespace, scenario.version(), item_list)


@then(parsers.parse('the app version of "{app}" at revision {revision:d} is named with the hash of generation {generation:d}'))
def named_with_hash(scenario, app, revision, generation):
    app_versions.version_must_be_named(scenario.version(revision), app, generation)


@then(parsers.parse('each app version of "{app}" has its own promotion task "{definition}"'))
def each_version_has_its_task(scenario, app, definition):
    lifecycle.each_version_must_have_its_promotion_task(scenario.kube, scenario.namespace, app, definition, versions=2)


@then(parsers.parse('the app version of "{app}" shows why it waits, naming "{missing}"'))
def shows_why(scenario, app, missing):
    failures.reason_must_be_visible(scenario.kube, scenario.namespace, scenario.version(), [missing])


@then(parsers.parse('its "{item_list}" items are "{expected}"'))
def items_are(scenario, item_list, expected):
    failures.items_must_be(scenario.version(), item_list, key_values(expected))


@then(parsers.parse('its "{item_list}" items end as their tasks ended'))
def items_follow_tasks(scenario, item_list):
    failures.items_must_follow_their_tasks(scenario.kube, scenario.namespace, scenario.app, item_list)


@then(parsers.parse('its "{item_list}" item "{definition}" is "{state}"'))
def item_is(scenario, item_list, definition, state):
    failures.item_must_be(scenario.version(), item_list, definition, state)


# -- Then: promotion tasks ------------------------------------------------------------------------


@then(parsers.parse('its promotion tasks are "{definitions}"'))
def promotion_tasks_are(scenario, definitions):
    lifecycle.promotion_tasks_must_be(scenario.kube, scenario.namespace, scenario.version(), names(definitions))


@then(parsers.parse('the promotion task "{definition}" and its Job have names that fit a label value'))
def names_fit_a_label(scenario, definition):
    tasks_and_jobs.names_must_fit_a_label(scenario.promotion_task(definition), scenario.job_of(definition), definition)


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
    post_jobs = windows.job_windows(scenario.recorder, windows.tasks_seen(scenario.recorder, "post"))
    moments = {"the last post-deployment Job finished": lifecycle.last_finished(post_jobs, "post-deployment tasks"),
               **scenario.moments}
    first, name = lifecycle.first_promotion_task(scenario.recorder, scenario.version()["metadata"]["uid"])
    lifecycle.must_start_after(first, name, moments)


@then(parsers.parse("it has {count:d} promotion tasks, each with one Job"))
def tasks_with_one_job(scenario, count):
    lifecycle.promotion_tasks_must_be(scenario.kube, scenario.namespace, scenario.version(), scenario.definitions[:count])
    for definition in scenario.definitions:
        scenario.job_of(definition)


@then("every promotion Job was created before the first one finished")
def jobs_created_before_first_finished(scenario):
    lifecycle.all_must_exist_before_the_first_finished(scenario.promotion_job_windows())


@then("the active windows of all promotion Jobs overlap")
def job_windows_overlap(scenario):
    lifecycle.windows_must_overlap(scenario.promotion_job_windows())


@then("the pods of all promotion Jobs ran side by side")
def pods_side_by_side(scenario):
    jobs = scenario.promotion_job_windows()
    lifecycle.pods_must_have_run_side_by_side(windows.pod_windows(scenario.recorder, jobs), len(jobs))


@then("the promotion phase ended after its last promotion Job finished")
def phase_ended_after_its_jobs(scenario):
    windows = scenario.promotion_job_windows()
    lifecycle.phase_must_end_after_its_jobs(lifecycle.promotion_ended(scenario.recorder, scenario.version()["metadata"]["uid"]), windows)


@then(parsers.parse('the Jobs of the promotion tasks "{definitions}" run to completion and succeed'))
def siblings_complete(scenario, definitions):
    for definition in names(definitions):
        tasks_and_jobs.job_must_have_succeeded(
            lifecycle.job_must_finish(scenario.kube, scenario.namespace, scenario.job_of(definition)["metadata"]["name"]))


@then(parsers.parse('the promotion task "{definition}" is "{state}" with reason "{reason}"'))
def task_state_reason(scenario, definition, state, reason):
    lifecycle.promotion_task_must_end(scenario.kube, scenario.namespace, scenario.app, definition, state, reason)


@then(parsers.parse("the promotion task \"{definition}\" has the message of its Job's \"{condition}\" condition"))
def task_keeps_job_message(scenario, definition, condition):
    job = lifecycle.job_must_finish(scenario.kube, scenario.namespace, scenario.job_of(definition)["metadata"]["name"])
    tasks_and_jobs.task_must_keep_the_jobs_message(scenario.promotion_task(definition), job, condition)


@then(parsers.parse('the Job of the promotion task "{definition}" allowed {retries:d} retries and its container ran at least {count:d} times'))
def container_ran(scenario, definition, retries, count, request):
    job = lifecycle.job_must_finish(scenario.kube, scenario.namespace, scenario.job_of(definition)["metadata"]["name"])
    attempts = lookups.container_runs(scenario.recorder, job)
    failures.retries_must_be_honoured(job, retries, count, attempts)
    if attempts > count:
        report.observe(request.node, f"Job {job['metadata']['name']} ran its container {attempts} times for "
                                     f"backoffLimit {retries}: the Job controller's doing")


# -- Then: the task contract ----------------------------------------------------------------------


@then(parsers.parse('the promotion task "{definition}" is named after its check type and its definition'))
def task_named(scenario, definition):
    tasks_and_jobs.task_name_must_follow_the_pattern(scenario.promotion_task(definition), definition)


@then(parsers.parse('the promotion task "{definition}" is controlled by its app version'))
def task_controlled(scenario, definition):
    tasks_and_jobs.task_must_be_controlled_by_its_version(scenario.promotion_task(definition), scenario.version())


@then(parsers.parse('the Job of the promotion task "{definition}" is named after its task and controlled by it'))
def job_named_and_controlled(scenario, definition):
    task, job = scenario.promotion_task(definition), scenario.job_of(definition)
    tasks_and_jobs.job_name_must_follow_the_pattern(job, task)
    tasks_and_jobs.job_must_be_controlled_by_its_task(job, task)


@then(parsers.parse('the promotion task "{definition}" has the promotion context of its app and version'))
def task_context(scenario, definition):
    app = scenario.kube.get("KeptnApp", scenario.app, scenario.namespace)
    tasks_and_jobs.promotion_context_must_be(scenario.promotion_task(definition), scenario.app, app["spec"]["version"])


@then(parsers.parse("the context metadata of the promotion task \"{definition}\" holds the app context's metadata"))
def context_metadata(scenario, definition):
    app_context = scenario.kube.get("KeptnAppContext", scenario.app, scenario.namespace)  # same name as the app (C2.1)
    tasks_and_jobs.context_metadata_must_hold(scenario.promotion_task(definition), app_context)


@then(parsers.parse("the Job of the promotion task \"{definition}\" has KEPTN_CONTEXT equal to the task's context"))
def keptn_context_matches(scenario, definition):
    tasks_and_jobs.keptn_context_must_be_the_tasks(scenario.job_of(definition), scenario.promotion_task(definition))


@then(parsers.parse('the promotion task "{definition}" became Succeeded once its Job completed, not before'))
def task_succeeded_with_its_job(scenario, definition):
    job = lifecycle.job_must_finish(scenario.kube, scenario.namespace, scenario.job_of(definition)["metadata"]["name"])
    tasks_and_jobs.task_must_succeed_with_its_job(scenario.recorder, scenario.promotion_task(definition), job)


@then(parsers.parse('the promotion task "{definition}" carries the labels and annotations of its definition'))
def task_carries_definition_metadata(scenario, definition):
    tasks_and_jobs.task_must_carry_the_definitions_metadata(scenario.promotion_task(definition),
                                                           scenario.definition(definition))


@then(parsers.parse("the Job of the promotion task \"{definition}\" has its task's labels, and its annotations with the app, version and task name"))
def job_metadata(scenario, definition):
    app = scenario.kube.get("KeptnApp", scenario.app, scenario.namespace)
    tasks_and_jobs.job_metadata_must_follow_its_task(scenario.job_of(definition), scenario.promotion_task(definition),
                                                    scenario.app, app["spec"]["version"])


@then(parsers.parse("the pod template of the Job of the promotion task \"{definition}\" carries its task's labels and annotations and restarts on failure"))
def pod_template(scenario, definition):
    tasks_and_jobs.pod_template_must_follow_its_task(scenario.job_of(definition), scenario.promotion_task(definition))


@then(parsers.parse('the Job of the promotion task "{definition}" has the retries, timeout and TTL of its definition'))
def job_limits(scenario, definition):
    tasks_and_jobs.job_limits_must_be_the_definitions(scenario.job_of(definition),
                                                     scenario.definition(definition))


@then(parsers.parse('the pod of the Job of the promotion task "{definition}" runs with the service account, token automount and image pull secrets of its definition'))
def job_pod_identity(scenario, definition):
    tasks_and_jobs.job_pod_must_run_as_the_definition_says(
        scenario.job_of(definition), scenario.definition(definition))


@then(parsers.parse("the Job of the promotion task \"{definition}\" runs the container of its definition as written, with the task's KEPTN_CONTEXT"))
def container_as_written(scenario, definition):
    tasks_and_jobs.container_must_be_the_definitions(
        scenario.job_of(definition), scenario.definition(definition),
        scenario.promotion_task(definition))
