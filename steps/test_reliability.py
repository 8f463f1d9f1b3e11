"""Steps of features/reliability: exactly once across kills, replicas and API server restarts, and
bad input that is refused or reported without harming the implementation.

Steps are thin over harness/library (faults, api_requests, bad_input) and the judges of
harness/judges/stricter. An app
"kind" is a row of a scenario's table: the task lists its KeptnAppContexts get; app versions of
a kind are named `<kind>-<index>`.
"""
from __future__ import annotations

import itertools
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck
from hypothesis import given as example_of
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from kubernetes import config as kube_config
from pytest_bdd import given, parsers, scenarios, then, when

from harness import report
from harness.contract.phases import CONTEXT_LISTS
from harness.eventually import NotYet, eventually, never
from harness.judges import lifecycle
from harness.judges.stricter import exactly_once, leadership, quiet, reasons, survival
from harness.kube import Kube
from harness.library import admission, api_requests, bad_input, faults, manifests, random_specs
from harness.library.api_proxy import RecordingProxy
from harness.library.recorder import Recorder
from harness.library.tables import names, records, single_row
from harness.plugin.session_options import options_of
from harness.plugin.scenarios import after_scenario
from harness.timeouts import TIMEOUTS

scenarios("reliability")


@dataclass
class Reliability:
    """What a reliability scenario created and observed."""

    kube: Kube
    namespace: str
    recorder: Recorder
    seed: int  # of every random choice the scenario makes (the run's --seed repeats them)
    apps: dict[str, list[str]] = field(default_factory=dict)  # kind → KeptnApp names
    lists: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # KeptnApp → its context's task lists
    kill_log: faults.KillLog | None = None
    plan: faults.KillPlan | None = None
    killed_at: float | None = None
    standby: tuple | None = None  # (the second replica, its RecordingProxy)
    created_definition: str | None = None  # the last one a `When` step created
    # bad input: what ran of the implementation and its log, watched for crashes, the API server's
    # counts at the start, how many bad objects were submitted and how many the harness had refused
    running: dict[str, int] | None = None
    log_mark: faults.LogMark | None = None
    requests_at_start: Counter | None = None
    bad_objects: int = 0
    refused_submissions: int = 0
    answers: list = field(default_factory=list)  # (corpus case or random example, its objects' answers)
    valid_app: str | None = None

    def rng(self) -> random.Random:
        return random.Random(self.seed)

    def deploy(self, kind: str, lists: dict[str, list[str]], index: int) -> None:
        app = f"{kind}-{index:02d}"
        self.kube.create(manifests.app_context(app, self.namespace, lists))
        self.kube.create(manifests.app(app, self.namespace, "1.0.0"))
        self.apps.setdefault(kind, []).append(app)
        self.lists[app] = lists


def _say(message: str) -> None:
    print(f"[reliability] {message}", file=sys.stderr, flush=True)


@pytest.fixture
def reliability(kube, namespace, implementation, request) -> Reliability:
    options = options_of(request.config)
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    _say(f"{request.node.name}: random seed {seed} (--seed {seed} repeats this run's choices)")
    scenario = Reliability(kube, namespace, Recorder(kube, namespace).start(), seed)
    yield scenario
    scenario.recorder.stop()
    after_scenario(request.node, kube, namespace, implementation, scenario.recorder)


def _kinds(datatable) -> list[tuple[str, int, dict[str, list[str]]]]:
    """(kind, count, task lists) per row; `count` defaults to 1."""
    rows = []
    for row in records(datatable):
        lists = {key: names(value) for key, value in row.items() if key in CONTEXT_LISTS}
        rows.append((row["kind"], int(row.get("count") or 1), lists))
    return rows


# -- Given: the implementation ---------------------------------------------------------------------


@given("a second replica of the implementation is running, its requests recorded")
def second_replica(reliability, implementation, kube, request):
    if implementation.adapter.mode != "process":
        pytest.skip(f"{implementation.adapter.name} runs in the cluster: the harness starts a second replica only of "
                    "an implementation it runs as a process")
    proxy = RecordingProxy(implementation.kubeconfig).start()
    replica = implementation.replica("replica-2", kubeconfig=proxy.kubeconfig)
    replica.start(implementation.environment)
    reliability.standby = (replica, proxy)

    def restore():
        replica.stop()  # first: it hands its Lease back, so the first replica leads at once
        proxy.stop()
        if not implementation.instances(kube):
            implementation.start()
            implementation.wait_ready(kube)

    request.addfinalizer(restore)
    survival.implementation_must_run(replica, kube, "right after it started")


@given("the scenario is recorded through an API server that is not restarted")
def recorded_through_observer(reliability, cluster, request):
    kubeconfig = request.getfixturevalue("observer_kubeconfig")
    reliability.recorder.stop()
    reliability.recorder = Recorder(Kube(kube_config.new_client_from_config(config_file=str(kubeconfig))),
                                    reliability.namespace).start()


@pytest.fixture
def observer_kubeconfig(cluster):
    with faults.observing_api_server(cluster) as kubeconfig:
        yield kubeconfig


@given(parsers.parse("the task definitions"))
def task_definitions(reliability, datatable):
    for row in records(datatable):
        reliability.kube.create(manifests.task_definition_of_row(row, reliability.namespace))


@given("the implementation is watched for crashes")
def watched_for_crashes(reliability, implementation, api_client, kube):
    reliability.running = survival.implementation_must_run(implementation, kube, "before the scenario")
    reliability.log_mark = faults.LogMark.of(implementation)
    reliability.requests_at_start = api_requests.read(api_client)


# -- When -----------------------------------------------------------------------------------------


@when("app versions of these kinds are deployed in turn while the implementation is killed with SIGKILL at random moments")
def deploy_while_killing(reliability, implementation, kube, datatable, request):
    kinds = _kinds(datatable)
    reliability.plan = faults.KillPlan.of(options_of(request.config).soak)

    def deploy(index: int) -> None:
        kind, _count, lists = kinds[index % len(kinds)]
        reliability.deploy(kind, lists, index)

    reliability.kill_log = faults.deploy_while_killing(implementation, kube, reliability.recorder, reliability.plan,
                                                       deploy, reliability.rng())
    _say(f"{reliability.plan.versions} app versions deployed, {reliability.kill_log}")


@when("app versions of these kinds are deployed")
def deploy_kinds(reliability, datatable):
    index = 0
    for kind, count, lists in _kinds(datatable):
        for _ in range(count):
            reliability.deploy(kind, lists, index)
            index += 1


@when("the leading replica is killed with SIGKILL")
def kill_leader(reliability, implementation, kube):
    survival.implementation_must_run(implementation, kube, "before it was killed")
    reliability.killed_at = time.time()
    implementation.kill()


@when(parsers.parse('the task definition "{name}" is created, running for "{duration}"'))
def create_definition(reliability, name, duration):
    reliability.kube.create(manifests.task_definition(name, reliability.namespace, duration))
    reliability.created_definition = name


@when("the API server is restarted while their promotion tasks run")
def restart_api_server(reliability, cluster, implementation, kube):
    try:
        eventually(lambda: _job_seen(reliability, lambda t: t["spec"].get("checkType") == "promotion"),
                   "a promotion Job to run", TIMEOUTS.lifecycle)
    except AssertionError as error:  # no promotion ever started: say where each version stands, and why
        raise exactly_once.explained_all(error, reliability.recorder, reliability.lists) from error
    reliability.running = survival.implementation_must_run(implementation, kube, "before the API server restarted")
    away = faults.restart_api_server(cluster)
    _say(f"kube-apiserver was away for {away:.1f}s")


def _job_seen(reliability: Reliability, task_matches) -> None:
    """A Job of a KeptnTask that `task_matches` was created (the record keeps it after ttl removed it)."""
    tasks = {t["metadata"]["uid"] for t in reliability.recorder.ever("KeptnTask", task_matches)}
    if not reliability.recorder.ever("Job", lambda j: any(
            r.get("uid") in tasks for r in j["metadata"].get("ownerReferences") or [])):
        raise NotYet(f"{len(tasks)} such KeptnTasks, none with a Job yet")


@when("every file of the bad-input corpus is submitted")
def submit_corpus(reliability):
    for case in bad_input.load_corpus():
        answers = bad_input.submit(reliability.kube, reliability.namespace, case)
        reliability.answers.append((case, answers))
        reliability.refused_submissions += quiet.counted_refusals(answer.code for answer in answers)
    reliability.bad_objects = len(reliability.answers)
    refused = sum(1 for _case, answers in reliability.answers for answer in answers if answer.refusal is not None)
    _say(f"bad-input corpus: {reliability.bad_objects} files, {sum(len(c.objects) for c, _ in reliability.answers)} "
         f"objects, {refused} refused at admission")


@when(parsers.parse("{count:d} random apps are submitted, each with one field of its task definition, app context "
                    "or app replaced by a random value"))
def submit_random_apps(reliability, count):
    numbers = itertools.count()
    schemas = random_specs.installed_schemas(reliability.kube)
    admitted: Counter[str] = Counter()

    @hypothesis_seed(reliability.seed)
    @hypothesis_settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @example_of(random_specs.MUTATIONS)
    def admission_is_conformant(mutation):
        kind, path, value = mutation
        example = random_specs.example(next(numbers), reliability.namespace, kind, path, value)
        answers = [admission.create(reliability.kube, obj, reliability.namespace) for obj in example.objects]
        reliability.refused_submissions += quiet.counted_refusals(answer.code for answer in answers)
        for obj, answer in zip(example.objects, answers):
            admitted[random_specs.admission_must_be_conformant(example, obj, answer, schemas)] += 1
        if answers[2].refusal is None:  # the KeptnApp is in: its version must complete or say why
            reliability.answers.append((example, answers))

    admission_is_conformant()
    reliability.bad_objects = next(numbers)
    _say(f"random specs: {reliability.bad_objects} apps, objects {dict(admitted)}, {len(reliability.answers)} "
         f"KeptnApps accepted")


@when("a valid app version is deployed beside them")
def deploy_valid(reliability):
    for name, run_for in (("valid-pre", "1s"), ("valid-post", "1s"), ("valid-promote", "1s")):
        reliability.kube.create(manifests.task_definition(name, reliability.namespace, run_for))
    reliability.deploy("valid", {"preDeploymentTasks": ["valid-pre"], "postDeploymentTasks": ["valid-post"],
                                 "promotionTasks": ["valid-promote"]}, 0)
    reliability.valid_app = reliability.apps["valid"][-1]


@when(parsers.parse('the task definitions "{definitions}" are deleted once their promotion Jobs run'))
def delete_definitions_while_running(reliability, definitions):
    for definition in names(definitions):
        eventually(lambda: _job_seen(reliability, lambda t: t["spec"].get("taskDefinition") == definition),
                   f"the promotion Job of {definition} to run", TIMEOUTS.lifecycle)
        reliability.kube.delete("KeptnTaskDefinition", definition, reliability.namespace)


# -- Then -----------------------------------------------------------------------------------------


@then(parsers.parse('every "{kind}" app version completes with'))
def every_completes_with(reliability, kind, datatable):
    expected = single_row(datatable)
    for app in reliability.apps[kind]:
        try:
            lifecycle.app_version_must_reach(reliability.kube, reliability.namespace, app, expected)
        except AssertionError as error:  # say what the record shows: tasks never created, a Job twice, the status
            raise exactly_once.explained(error, reliability.recorder, app, reliability.lists.get(app, {})) from error


@then(parsers.parse('every "{kind}" app version settles at'))
def every_settles_at(reliability, kind, datatable):
    expected = single_row(datatable)
    for app in reliability.apps[kind]:
        lifecycle.app_version_must_settle_at(reliability.kube, reliability.namespace, app, expected)


@then("every listed definition has exactly one KeptnTask per app version, each with one Job")
def exactly_once_holds(reliability, request):
    # The versions have completed; watch a little longer, so that a late second run is caught too.
    never(lambda: exactly_once.each_task_must_have_run_once(reliability.recorder, reliability.lists),
          f"every task of {len(reliability.lists)} app versions running exactly once")
    runs = exactly_once.runs_seen_by(reliability.recorder)
    for observation in exactly_once.cluster_observations(runs):
        report.observe(request.node, observation)
        _say(f"cluster observation: {observation}")
    _say(f"exactly once: {len(reliability.lists)} app versions, {runs.task_count} KeptnTasks, "
         f"{runs.job_count} Jobs, no duplicates ({runs.pod_count} pods)")


@then("every kill ended a running implementation and another one took its place")
def kills_worked(reliability, implementation, kube):
    survival.kills_must_have_worked(reliability.kill_log, reliability.plan)
    survival.implementation_must_run(implementation, kube, "after the last kill")


@then("the second replica wrote nothing but its leader Lease while the other one led")
def standby_wrote_nothing(reliability):
    _replica, proxy = reliability.standby
    leadership.standby_must_not_have_written(proxy.recorded(), until=reliability.killed_at)


@then("the second replica takes over within the duration of the Lease it competes for")
def takes_over(reliability, request):
    _replica, proxy = reliability.standby
    namespace, name = leadership.lease_must_be_known(proxy.recorded())
    duration = leadership.lease_duration_must_be_known(reliability.kube.get("Lease", name, namespace), (namespace, name))
    first = lifecycle.first_task_arrival(reliability.recorder, "promotion", reliability.created_definition)
    took = leadership.takeover_must_be_within(reliability.killed_at, first, (namespace, name), duration)
    request.node.user_properties.append(("failover_seconds", f"{took:.1f}"))
    _say(f"fail-over: the other replica acted {took:.1f}s after the leader was killed (Lease {namespace}/{name}, "
         f"{duration:g}s)")


@then("the implementation is still running")
def still_running(reliability, implementation, kube):
    survival.must_not_have_crashed(implementation, kube, reliability.running, faults.LogMark.of(implementation))


@then("every object of the corpus was refused where it must be, naming its field where a rule fixes the refusal")
def corpus_admission(reliability):
    reasons.corpus_must_be_admitted(reliability.answers)


@then("every file whose objects were all accepted shows its expected outcome, naming what is wrong")
def corpus_outcomes(reliability):
    reasons.corpus_outcomes_must_show(reliability.kube, reliability.namespace, reliability.answers, _say)


@then("every accepted random app's version completes, or waits or fails naming what is wrong")
def random_versions_complete_or_say_why(reliability):
    defined = {d["metadata"]["name"] for d in reliability.kube.list("KeptnTaskDefinition", reliability.namespace)}
    for example, _answers in reliability.answers:
        said = reasons.version_must_say_why(reliability.kube, reliability.namespace, example.app,
                                             example.culprits(defined), bad_input.COMPLETES_OR_SAYS_WHY)
        _say(f"{example.app} ({example.kind} {example.path}): {said[:200]}")


@then("it completes with")
def valid_completes(reliability, datatable):
    lifecycle.app_version_must_reach(reliability.kube, reliability.namespace, reliability.valid_app,
                                     single_row(datatable))


@then("once everything settled, the implementation writes at most once per 10 bad objects in any 10 seconds, "
      "and stays that quiet")
def no_hot_loop(reliability, implementation, api_client, kube):
    _say(quiet.must_settle_and_stay_quiet(
        lambda: api_requests.read(api_client),
        lambda: survival.implementation_must_run(implementation, kube, "while its writes are counted"),
        reliability.bad_objects))


@then("the API server refused at most one request of the implementation per bad object")
def few_refusals(reliability, api_client):
    _say(quiet.refusals_must_be_few(reliability.requests_at_start, api_requests.read(api_client),
                                       reliability.refused_submissions, reliability.bad_objects))


@then("the implementation did not crash")
def did_not_crash(reliability, implementation, kube):
    survival.must_not_have_crashed(implementation, kube, reliability.running, reliability.log_mark)
