"""Steps of the bad-input feature (features/reliability/bad_input.feature): bad objects refused or
reported, naming what is wrong, without harming the implementation (contract §1, §6). Thin over
harness/library (bad_input, random_specs, api_requests) and the judges of harness/judges/stricter.
"""
from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import HealthCheck
from hypothesis import given as example_of
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from pytest_bdd import given, parsers, scenarios, then, when

from harness.eventually import eventually
from harness.judges import lifecycle
from harness.judges.stricter import quiet, reasons, survival
from harness.library import admission, api_requests, bad_input, faults, manifests, random_specs
from harness.library.tables import names, single_row
from harness.timeouts import TIMEOUTS
from reliability_steps import *  # noqa: F401,F403 (the shared steps, each a fixture of that module)
from reliability_steps import job_seen

scenarios("reliability/bad_input.feature")


@given("the implementation is watched for crashes")
def watched_for_crashes(scenario, implementation, api_client, kube):
    scenario.running = survival.implementation_must_run(implementation, kube, "before the scenario")
    scenario.log_mark = faults.LogMark.of(implementation)
    scenario.requests_at_start = api_requests.read(api_client)


@when("every file of the bad-input corpus is submitted")
def submit_corpus(scenario):
    for case in bad_input.load_corpus():
        answers = bad_input.submit(scenario.kube, scenario.namespace, case)
        scenario.answers.append((case, answers))
        scenario.refused_submissions += quiet.counted_refusals(answer.code for answer in answers)
    scenario.bad_objects = len(scenario.answers)
    refused = sum(1 for _case, answers in scenario.answers for answer in answers if answer.refusal is not None)
    scenario.say(f"bad-input corpus: {scenario.bad_objects} files, {sum(len(c.objects) for c, _ in scenario.answers)} "
                 f"objects, {refused} refused at admission")


@when(parsers.parse("{count:d} random apps are submitted, each with one field of its task definition, app context "
                    "or app replaced by a random value"))
def submit_random_apps(scenario, count):
    numbers = itertools.count()
    schemas = random_specs.installed_schemas(scenario.kube)
    admitted: Counter[str] = Counter()

    @hypothesis_seed(scenario.seed)
    @hypothesis_settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @example_of(random_specs.MUTATIONS)
    def admission_is_conformant(mutation):
        kind, path, value = mutation
        example = random_specs.example(next(numbers), scenario.namespace, kind, path, value)
        answers = [admission.create(scenario.kube, obj, scenario.namespace) for obj in example.objects]
        scenario.refused_submissions += quiet.counted_refusals(answer.code for answer in answers)
        for obj, answer in zip(example.objects, answers):
            admitted[random_specs.admission_must_be_conformant(example, obj, answer, schemas)] += 1
        if answers[2].refusal is None:  # the KeptnApp is in: its version must complete or say why
            scenario.answers.append((example, answers))

    admission_is_conformant()
    scenario.bad_objects = next(numbers)
    scenario.say(f"random specs: {scenario.bad_objects} apps, objects {dict(admitted)}, {len(scenario.answers)} "
                 f"KeptnApps accepted")


@when("a valid app version is deployed beside them")
def deploy_valid(scenario):
    for name, run_for in (("valid-pre", "1s"), ("valid-post", "1s"), ("valid-promote", "1s")):
        scenario.kube.create(manifests.task_definition(name, scenario.namespace, run_for))
    scenario.deploy("valid", {"preDeploymentTasks": ["valid-pre"], "postDeploymentTasks": ["valid-post"],
                                 "promotionTasks": ["valid-promote"]}, 0)
    scenario.valid_app = scenario.apps["valid"][-1]


@when(parsers.parse('the task definitions "{definitions}" are deleted once their promotion Jobs run'))
def delete_definitions_while_running(scenario, definitions):
    for definition in names(definitions):
        eventually(lambda: job_seen(scenario, lambda t: t["spec"].get("taskDefinition") == definition),
                   f"the promotion Job of {definition} to run", TIMEOUTS.lifecycle)
        scenario.kube.delete("KeptnTaskDefinition", definition, scenario.namespace)


@then("every object of the corpus was refused where it must be, naming its field where a rule fixes the refusal")
def corpus_admission(scenario):
    reasons.corpus_must_be_admitted(scenario.answers)


@then("every file whose objects were all accepted shows its expected outcome, naming what is wrong")
def corpus_outcomes(scenario):
    reasons.corpus_outcomes_must_show(scenario.kube, scenario.namespace, scenario.answers, scenario.say)


@then("every accepted random app's version completes, or waits or fails naming what is wrong")
def random_versions_complete_or_say_why(scenario):
    defined = {d["metadata"]["name"] for d in scenario.kube.list("KeptnTaskDefinition", scenario.namespace)}
    for example, _answers in scenario.answers:
        said = reasons.version_must_say_why(scenario.kube, scenario.namespace, example.app,
                                             example.culprits(defined), bad_input.COMPLETES_OR_SAYS_WHY)
        scenario.say(f"{example.app} ({example.kind} {example.path}): {said[:200]}")


@then("it completes with")
def valid_completes(scenario, datatable):
    lifecycle.app_version_must_reach(scenario.kube, scenario.namespace, scenario.valid_app,
                                     single_row(datatable))


@then("once everything settled, the implementation writes at most once per 10 bad objects in any 10 seconds, "
      "and stays that quiet")
def no_hot_loop(scenario, implementation, api_client, kube):
    scenario.say(quiet.must_settle_and_stay_quiet(
        lambda: api_requests.read(api_client),
        lambda: survival.implementation_must_run(implementation, kube, "while its writes are counted"),
        scenario.bad_objects))


@then("the API server refused at most one request of the implementation per bad object")
def few_refusals(scenario, api_client):
    scenario.say(quiet.refusals_must_be_few(scenario.requests_at_start, api_requests.read(api_client),
                                       scenario.refused_submissions, scenario.bad_objects))


@then("the implementation did not crash")
def did_not_crash(scenario, implementation, kube):
    survival.must_not_have_crashed(implementation, kube, scenario.running, scenario.log_mark)
