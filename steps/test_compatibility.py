"""Steps of features/compatibility: the implementation's CRDs (crd_upgrade.feature, CRDCompatibility)
and the rollback of this project's own CRD fixtures (crd_rollback.feature, in no profile).

The upgrade and rollback scenarios replace cluster-wide CRDs, so they never touch the session's
cluster: the module gets a simulated cluster of its own (`upgrade_cluster`), created when a
scenario first needs it, and each scenario a namespace in it. The requirements live in
harness/library/crds/.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from harness.contract.api import LIFECYCLE_GROUP
from harness.implementations import adapter as adapters
from harness.judges import objects as must
from harness.library.crds import crd_sets, etcd_storage, installing, own_cluster
from harness.library.crds import scenario_objects as objects
from harness.library.crds.versioned_access import apply, create, list_objects, read, write, write_status
from harness.plugin.session_options import adapter_of, options_of
from harness.plugin.scenarios import diagnostics_if_failed

scenarios("compatibility/crd_upgrade.feature", "compatibility/crd_rollback.feature")

# The words the scenarios use for the definition lists of an app context (contract §1).
LISTS = {
    "pre-deployment tasks": "preDeploymentTasks",
    "post-deployment tasks": "postDeploymentTasks",
    "promotion tasks": "promotionTasks",
}
IMPLEMENTATIONS = "the implementation's"

# One cluster for all of them: under pytest-xdist (--dist loadgroup) they stay on one worker.
pytestmark = pytest.mark.xdist_group("crd-compatibility")


@pytest.fixture(scope="module")
def implementation_crds(pytestconfig, request) -> crd_sets.CrdSet:
    """The CRDs judged: the adapter's `install.crds` files, or, when it lists none, those of the
    contract's groups read back from the run's cluster after the implementation's install there."""
    adapter = adapter_of(pytestconfig)
    found = crd_sets.of_adapter(adapter)
    if found is None:
        request.getfixturevalue("session_implementation")  # installed and started on the run's cluster
        found = crd_sets.read_back_from(request.getfixturevalue("session_kube"), f"the run's cluster after {adapter.name}'s install")
    own_cluster.say(f"judging {found.description}")
    return found


@pytest.fixture(scope="module")
def implementation_previous(pytestconfig) -> crd_sets.CrdSet:
    """The CRDs of the implementation's previous release, from its adapter's `previousRelease.crds`.
    An adapter that names none never gets here: its CRDCompatibility scenarios are not applicable
    (harness/plugin/scenarios.py)."""
    adapter = adapter_of(pytestconfig)
    found = crd_sets.of_adapters_previous_release(adapter)
    if found is None:
        pytest.skip(f"{adapter.name} names no previous release (spec.previousRelease.crds)")
    own_cluster.say(f"upgrading from {found.description}")
    return found


def previous_of(words: str, request) -> crd_sets.CrdSet | None:
    """The release a scenario upgrades from: the implementation's previous one, or this project's
    fixtures/crds/previous (None) for this project's current CRDs."""
    return request.getfixturevalue("implementation_previous") if words.startswith(IMPLEMENTATIONS) else None


@pytest.fixture(scope="module")
def upgrade_cluster(pytestconfig):
    with own_cluster.own_cluster(keep=options_of(pytestconfig).keep_cluster) as cluster:
        yield cluster


@pytest.fixture(autouse=True)
def diagnostics_of_a_scenario_without_namespace(request):
    """A failed scenario that had no namespace of its own (a static check, CRDs applied or refused)
    still gets its diagnostics: its failure and, if it used the cluster, the CRDs as it left them."""
    yield
    if "scenario_namespace" not in request.node.funcargs:
        cluster = request.node.funcargs.get("upgrade_cluster")
        diagnostics_if_failed(request.node, None, None, lambda: "",
                              (lambda folder: installing.write_crd_states(cluster, folder)) if cluster else None)


@pytest.fixture
def scenario_namespace(upgrade_cluster, request):
    name = own_cluster.create_namespace(upgrade_cluster)
    yield name
    # A failed scenario's diagnostics: the namespace's objects, the CRDs as it left them, and the log
    # of the implementation it started on this cluster, if it started one.
    started = request.node.funcargs.get("implementation_on_cluster")
    diagnostics_if_failed(request.node, upgrade_cluster.kube, name, started.log_tail if started else lambda: "",
                          lambda folder: installing.write_crd_states(upgrade_cluster, folder))
    own_cluster.delete_namespace(upgrade_cluster, name)


@pytest.fixture
def remembered() -> dict:
    """What a step saw, for a later step of the same scenario to compare with."""
    return {}


@pytest.fixture
def implementation_on_cluster(upgrade_cluster, tmp_path, pytestconfig):
    options = options_of(pytestconfig)
    started = own_cluster.implementation_for(upgrade_cluster, adapters.resolve(options.implementation),
                                                Path(options.run_dir), tmp_path)
    yield started
    started.stop()


def names(text: str) -> list[str]:
    """ "a, b" → ["a", "b"]; "" → []."""
    return [name.strip() for name in text.split(",") if name.strip()]


def definition_lists(text: str) -> dict[str, list[str]]:
    """'promotion tasks "a" and post-deployment tasks "b, c"' → {promotionTasks: [a], postDeploymentTasks: [b, c]}."""
    found = {LISTS[words]: names(value) for words, value in re.findall(r'((?:pre|post)-deployment tasks|promotion tasks) "([^"]*)"', text)}
    if not found:
        raise ValueError(f"no definition list in {text!r}; expected one of {', '.join(LISTS)} followed by quoted names")
    return found


def read_v1(cluster, kind: str, namespace: str, name: str) -> dict:
    return must.must_read(cluster, kind, "v1", namespace, name)


def target(words: str, implementation_crds: crd_sets.CrdSet) -> crd_sets.CrdSet:
    """The set a scenario upgrades to: the implementation's, or this project's own current one."""
    return implementation_crds if words.startswith(IMPLEMENTATIONS) else crd_sets.project_current()


# -- the implementation's CRDs, as documents ----------------------------------------------------------

@given("the implementation's lifecycle CRDs")
def the_implementations_crds(implementation_crds, remembered):
    remembered["crds"] = implementation_crds


@then("they serve every kind of the contract in its versions, the lifecycle kinds storing v1 and serving v1beta1 "
      "with conversion None, namespaced, with a status subresource")
def serve_the_contract_versions(remembered):
    must.crds_must_serve_the_contract_versions(remembered["crds"])


@then("the CRD compatibility checker finds no breaking change from the previous release to what the contract fixes")
def checker_spares_the_contract(remembered, implementation_previous):
    upgraded = remembered["crds"]
    observations = must.upgrade_must_spare_the_contract(
        crd_sets.previous_release(upgraded, implementation_previous), upgraded)
    for line in observations:  # differences from this project's stand-in that the contract does not fix
        own_cluster.say(f"observation: {line}")


@then("they have every field the contract names, with a type that admits its values, the default it states and every state value")
def have_the_contract_fields(remembered):
    must.crds_must_have_the_contract_fields(remembered["crds"])


# -- CRD releases on the cluster of their own ---------------------------------------------------------

@given("the previous lifecycle CRDs")
def previous_crds(upgrade_cluster, implementation_crds, implementation_previous, remembered):
    remembered["upgraded"] = implementation_crds
    remembered["previous"] = crd_sets.previous_release(implementation_crds, implementation_previous)
    installing.install_from_scratch(upgrade_cluster, remembered["previous"])


@given(parsers.re(r"the lifecycle CRDs upgraded from the previous release to (?P<words>the implementation's|this project's current ones)$"))
def upgraded_crds(upgrade_cluster, implementation_crds, remembered, words, request):
    upgraded = remembered["upgraded"] = target(words, implementation_crds)
    remembered["previous"] = crd_sets.previous_release(upgraded, previous_of(words, request))
    installing.install_from_scratch(upgrade_cluster, remembered["previous"])
    installing.apply_crds(upgrade_cluster, upgraded)


@when(parsers.re(r"(?P<words>the implementation's|this project's current) lifecycle CRDs are applied(?: again)?$"))
def apply_upgraded(upgrade_cluster, implementation_crds, words):
    installing.apply_crds(upgrade_cluster, target(words, implementation_crds))


@given('the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served')
@when('the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served')
def roll_back(upgrade_cluster, remembered):
    installing.apply_crds(upgrade_cluster, crd_sets.rolled_back(remembered["previous"]))


@when("the previous lifecycle CRDs are applied again")
def apply_previous_again(upgrade_cluster, remembered):
    remembered["refusals"] = installing.apply_collecting_refusals(upgrade_cluster, remembered["previous"])


@then(parsers.parse("the API server refuses each lifecycle CRD with {status:d} and the message '{text}'"))
def crds_refused(remembered, status, text):
    lifecycle = [crd.name for crd in remembered["previous"].lifecycle]
    must.crds_must_be_refused(remembered["refusals"], lifecycle, status, text)


@then("the API server accepts every CRD")
def crds_accepted(upgrade_cluster, remembered):
    must.crds_must_be_accepted(remembered["refusals"])
    must.crds_must_be_in_effect(upgrade_cluster, remembered["previous"])


@then(parsers.parse('every lifecycle CRD has stored versions "{versions}"'))
def stored_versions(upgrade_cluster, remembered, versions):
    must.stored_versions_must_be(installing.stored_versions(upgrade_cluster, remembered["upgraded"]), names(versions))


@then(parsers.parse('every lifecycle CRD serves and lists "{version}" only'))
def serves_only(upgrade_cluster, remembered, version):
    lifecycle = remembered["upgraded"].lifecycle
    must.crds_must_serve_only({crd.name: installing.read_crd(upgrade_cluster, crd.name) for crd in lifecycle}, version)


@when(parsers.parse('status.storedVersions of every lifecycle CRD is set to "{versions}", without a storage migration'))
def set_stored_versions(upgrade_cluster, remembered, versions):
    kept = {crd.name: installing.set_stored_versions(upgrade_cluster, crd.name, names(versions)) for crd in remembered["upgraded"].lifecycle}
    must.stored_versions_must_be_kept(kept, names(versions))


@then(parsers.parse('the previous lifecycle CRDs apply, although etcd still holds the KeptnAppContext "{name}" as "{api_version}"'))
def previous_apply_anyway(upgrade_cluster, scenario_namespace, remembered, name, api_version):
    must.crds_must_be_accepted(installing.apply_collecting_refusals(upgrade_cluster, remembered["previous"]))
    must.must_be_stored_as(upgrade_cluster, "KeptnAppContext", scenario_namespace, name, api_version)


@when(parsers.re(r"the harness migrates storage to the storage version of the (?P<release>implementation's|rolled back) CRDs"))
def migrate(upgrade_cluster, remembered, release):
    upgraded = remembered["upgraded"]
    etcd_storage.migrate_storage(upgrade_cluster, upgraded if release == "implementation's"
                                 else crd_sets.rolled_back(remembered["previous"]))


# -- objects of every kind ------------------------------------------------------------------------------

@given(parsers.parse('one object of each lifecycle kind, created through "{version}"'))
def one_of_each_kind(upgrade_cluster, scenario_namespace, remembered, version):
    remembered["objects"] = objects.create_one_of_each_kind(upgrade_cluster, scenario_namespace, version)


@then(parsers.re(r'every object reads back unchanged through "(?P<first>\w+)" and "(?P<second>\w+)", '
                 r"(?P<how>with only the defaults the implementation's CRDs declare|rewritten)$"))
def every_object_unchanged(upgrade_cluster, remembered, first, second, how):
    # Before a migration nothing was rewritten (same resourceVersion); after it, everything was,
    # through the storage version.
    upgraded = remembered["upgraded"]
    for obj in remembered["objects"]:
        storage = upgraded.crd(obj["kind"]).storage.name if how == "rewritten" else None
        must.must_read_back(upgrade_cluster, objects.expected_after_upgrade(obj, upgraded, storage), [first, second],
                            same_write=how != "rewritten")


@then(parsers.re(r'etcd (?:still )?holds every object as "(?P<api_version>[^"]+)"$'))
def every_object_stored_as(upgrade_cluster, remembered, api_version):
    for obj in remembered["objects"]:
        must.must_be_stored_as(upgrade_cluster, *objects.key(obj), api_version)


# -- the app version from before the upgrade --------------------------------------------------------------

@given(parsers.parse('a KeptnTaskDefinition "{name}" whose task runs for "{run_for}" and exits with {code:d}, created through "{version}"'))
def task_definition(upgrade_cluster, scenario_namespace, name, run_for, code, version):
    create(upgrade_cluster, objects.task_definition(name, scenario_namespace, version, run_for, code))


@given(parsers.parse('the app "{app}" whose KeptnAppVersion "{version_name}" the previous release created, with post-deployment task "{task}"'))
def app_from_previous_release(upgrade_cluster, scenario_namespace, app, version_name, task):
    created = objects.create_app_from_previous_release(upgrade_cluster, scenario_namespace)
    said = (created["KeptnApp"]["metadata"]["name"], created["KeptnAppVersion"]["metadata"]["name"],
            created["KeptnAppVersion"]["spec"]["postDeploymentTasks"])
    if said != (app, version_name, [task]):
        raise ValueError(f"app_before_upgrade.yaml holds (app, version, post-deployment tasks) {said}, not what the scenario says")


@then(parsers.parse('the KeptnAppVersion "{name}" reads through "{version}" a promotionStatus of "Pending" or none'))
def promotion_not_started(upgrade_cluster, scenario_namespace, name, version):
    app_version = must.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)
    must.promotion_must_not_have_started(app_version.get("status") or {}, f"KeptnAppVersion {name} read through {version}")


@then(parsers.re(r'the KeptnAppVersion "(?P<name>[^"]+)" has no promotionTasks(?P<items> and no promotionTaskStatus items)?$'))
def no_promotion(upgrade_cluster, scenario_namespace, name, items):
    must.must_not_list_promotion(read_v1(upgrade_cluster, "KeptnAppVersion", scenario_namespace, name),
                                 f"KeptnAppVersion {name}", items=bool(items))


@when("the implementation under test starts on this cluster")
def start_implementation(upgrade_cluster, implementation_on_cluster):
    if implementation_on_cluster.adapter.needs_real_nodes:  # claimed but cannot run here: reported notRun
        pytest.skip(f"{implementation_on_cluster.adapter.name} needs a provider with real nodes; the cluster of the CRD "
                    "upgrade scenarios is simulated")
    own_cluster.start_implementation(upgrade_cluster, implementation_on_cluster)


@then(parsers.parse('the KeptnAppVersion "{name}" reaches status "{status}" with currentPhase "{phase}"'))
def app_version_reaches(upgrade_cluster, scenario_namespace, implementation_on_cluster, name, status, phase):
    must.app_version_must_reach(
        lambda: read_v1(upgrade_cluster, "KeptnAppVersion", scenario_namespace, name).get("status") or {},
        f"KeptnAppVersion {scenario_namespace}/{name}", status, phase, lambda: implementation_on_cluster.log_tail(40))


@then(parsers.re(r'the KeptnAppVersion "(?P<name>[^"]+)" has (?P<fields>\w+ "\w+"(?: and \w+ "\w+")*)$'))
def app_version_status_fields(upgrade_cluster, scenario_namespace, name, fields):
    status = read_v1(upgrade_cluster, "KeptnAppVersion", scenario_namespace, name).get("status") or {}
    must.fields_must_be(status, dict(re.findall(r'(\w+) "(\w+)"', fields)), f"status of KeptnAppVersion {name}")


@then(parsers.parse('the namespace has exactly one KeptnTask, with checkType "{check_type}" for definition "{definition}", '
                    'and none with checkType "{absent}"'))
def only_task(upgrade_cluster, scenario_namespace, check_type, definition, absent):
    must.tasks_must_be(list_objects(upgrade_cluster, "KeptnTask", "v1", scenario_namespace), [(check_type, definition)], absent)


@then(parsers.parse('the app "{app}" has exactly one KeptnAppVersion'))
def one_app_version(upgrade_cluster, scenario_namespace, app):
    must.app_must_have_one_version(list_objects(upgrade_cluster, "KeptnAppVersion", "v1", scenario_namespace), app)


# -- promotion fields through both versions ----------------------------------------------------------------

@given(parsers.re(r'a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+), written through "(?P<version>\w+)"$'))
@when(parsers.re(r'a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+), written through "(?P<version>\w+)"$'))
def app_context_written(upgrade_cluster, scenario_namespace, name, lists, version):
    create(upgrade_cluster, objects.app_context(name, scenario_namespace, version, definition_lists(lists)))


@given(parsers.parse('a KeptnAppVersion "{name}" of app "{app}" version "{version}" with promotion tasks "{tasks}", written through "{api}"'))
@when(parsers.parse('a KeptnAppVersion "{name}" of app "{app}" version "{version}" with promotion tasks "{tasks}", written through "{api}"'))
def app_version_written(upgrade_cluster, scenario_namespace, name, app, version, tasks, api):
    create(upgrade_cluster, objects.app_version(name, scenario_namespace, api, app, version, names(tasks)))


@when(parsers.parse('the KeptnAppVersion "{name}" gets, through "{version}", promotionStatus "{state}" and a promotionTaskStatus item for "{definition}"'))
def promotion_status_written(upgrade_cluster, scenario_namespace, remembered, name, version, state, definition):
    app_version = must.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)
    app_version["status"] = {**app_version.get("status", {}), "promotionStatus": state, "promotionTaskStatus": [{
        "definitionName": definition, "name": f"promotion-{definition}-31415", "status": state, "startTime": "2024-05-01T10:02:00Z",
    }]}
    remembered["status"] = write_status(upgrade_cluster, app_version)["status"]


@when(parsers.parse('a previous-release controller sets status "{state}" on the KeptnAppVersion "{name}" through "{version}"'))
def previous_controller_writes_status(upgrade_cluster, scenario_namespace, state, name, version):
    app_version = must.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)
    app_version["status"] = {**app_version.get("status", {}), "status": state}
    write_status(upgrade_cluster, app_version)


@then(parsers.parse('the {kind} "{name}" reads identically through "{first}" and "{second}", with promotion tasks "{tasks}"'))
def reads_identically(upgrade_cluster, scenario_namespace, kind, name, first, second, tasks):
    read_once = must.must_read_identically(upgrade_cluster, kind, scenario_namespace, name, [first, second])
    must.fields_must_be(read_once["spec"], {"promotionTasks": names(tasks)}, f"spec of {kind} {name}")


@then(parsers.parse('the KeptnAppVersion "{name}" reads back the promotion status it was given'))
def promotion_status_round_trip(upgrade_cluster, scenario_namespace, remembered, name):
    written = {field: remembered["status"][field] for field in ("promotionStatus", "promotionTaskStatus")}
    for version in ("v1", "v1beta1"):
        status = must.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)["status"]
        must.fields_must_be(status, written, f"status of KeptnAppVersion {name} read through {version}")


# -- server-side apply by an old client ---------------------------------------------------------------------

@given(parsers.re(r'field manager "(?P<manager>[^"]+)" applies through "(?P<version>\w+)" a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+)$'))
@when(parsers.re(r'field manager "(?P<manager>[^"]+)" applies through "(?P<version>\w+)" a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+)$'))
def field_manager_applies(upgrade_cluster, scenario_namespace, manager, version, name, lists):
    apply(upgrade_cluster, objects.app_context(name, scenario_namespace, version, definition_lists(lists)), manager)


@then(parsers.re(r'the KeptnAppContext "(?P<name>[^"]+)" has (?P<lists>.+)$'))
def app_context_has(upgrade_cluster, scenario_namespace, name, lists):
    spec = read_v1(upgrade_cluster, "KeptnAppContext", scenario_namespace, name)["spec"]
    must.fields_must_be(spec, definition_lists(lists), f"spec of KeptnAppContext {name}")


@then(parsers.re(r'in the managedFields of KeptnAppContext "(?P<name>[^"]+)", "(?P<manager>[^"]+)" owns (?P<owned>\w+(?: and \w+)*) '
                 r'through "(?P<version>\w+)"(?:, and not (?P<not_owned>\w+))?$'))
def manager_owns(upgrade_cluster, scenario_namespace, name, manager, owned, version, not_owned):
    obj = read_v1(upgrade_cluster, "KeptnAppContext", scenario_namespace, name)
    must.manager_must_own(obj, manager, f"{LIFECYCLE_GROUP}/{version}", owned.split(" and "), [not_owned] if not_owned else [])


# -- rollback -------------------------------------------------------------------------------------------------

@then(parsers.parse('the KeptnAppContext "{name}" still reads promotion tasks "{tasks}" through "{version}"'))
def still_reads(upgrade_cluster, scenario_namespace, name, tasks, version):
    spec = must.must_read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)["spec"]
    must.fields_must_be(spec, {"promotionTasks": names(tasks)}, f"spec of KeptnAppContext {name} read through {version}")


@then(parsers.parse('reading the KeptnAppContext "{name}" through "{version}" answers 404'))
def answers_404(upgrade_cluster, scenario_namespace, name, version):
    must.must_answer_404(read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name),
                         f"KeptnAppContext {name} through {version}")


@then(parsers.re(r'(?P<what>reading the KeptnAppContext "(?P<name>[^"]+)"|listing KeptnAppContexts) through "(?P<version>\w+)" '
                 r"fails with (?P<status>\d+) and the message '(?P<text>.+)'$"))
def request_fails(upgrade_cluster, scenario_namespace, what, name, version, status, text):
    if name:
        call = lambda: read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)  # noqa: E731
    else:
        call = lambda: list_objects(upgrade_cluster, "KeptnAppContext", version, scenario_namespace)  # noqa: E731
    must.request_must_fail(call, int(status), text, f"{what} through {version}")


@then(parsers.re(r'listing KeptnAppContexts through "(?P<version>\w+)" shows "(?P<name>[^"]+)" again$'))
def lists_again(upgrade_cluster, scenario_namespace, version, name):
    must.must_list_again(lambda: [obj["metadata"]["name"] for obj in list_objects(upgrade_cluster, "KeptnAppContext", version, scenario_namespace)],
                         name, f"KeptnAppContexts through {version}")


@then(parsers.re(r'the KeptnAppContext "(?P<name>[^"]+)" read through "(?P<version>\w+)" has (?P<lists>.+) and no promotionTasks$'))
def reads_without_promotion_tasks(upgrade_cluster, scenario_namespace, name, version, lists):
    spec = must.must_read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)["spec"]
    must.fields_must_be(spec, {**definition_lists(lists), "promotionTasks": None}, f"spec of KeptnAppContext {name} read through {version}")


@then(parsers.re(r'etcd (?:still )?holds the (?P<kind>KeptnAppContext|KeptnAppVersion) "(?P<name>[^"]+)" as "(?P<api_version>[^"]+)" '
                 r'(?:with promotion tasks "(?P<tasks>[^"]*)"|(?P<without>without promotionTasks))$'))
def etcd_holds(upgrade_cluster, scenario_namespace, kind, name, api_version, tasks, without):
    held = must.must_be_stored_as(upgrade_cluster, kind, scenario_namespace, name, api_version)
    must.fields_must_be(held["spec"], {"promotionTasks": None if without else names(tasks)}, f"spec of {kind} {name} as etcd holds it")


@when(parsers.parse('the KeptnAppContext "{name}" is rewritten through "{version}" with the label "{label}" set to "{value}"'))
def rewrite(upgrade_cluster, scenario_namespace, name, version, label, value):
    obj = must.must_read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)
    obj["metadata"].setdefault("labels", {})[label] = value
    write(upgrade_cluster, obj)


# -- admission --------------------------------------------------------------------------------------------------

@then("creating these objects is refused with 422, the message naming the field and saying why:")
def refused_objects(upgrade_cluster, scenario_namespace, datatable):
    header, *rows = datatable
    attempts = []
    for number, row in enumerate(rows, 1):
        case = dict(zip(header, row))
        obj = {"apiVersion": f"{LIFECYCLE_GROUP}/{case['through']}", "kind": case["kind"],
               "metadata": {"name": f"refused-{number}", "namespace": scenario_namespace},
               "spec": {"promotionTasks": json.loads(case["promotionTasks"])}}
        if case["kind"] == "KeptnAppVersion":
            obj["spec"].update(appName="shop", version="1.0.0")  # its required fields
        attempts.append(must.Attempt(f"row {number} {case}", lambda obj=obj: create(upgrade_cluster, obj), 422,
                                     (f"{case['field']}: ", case["why"])))
    must.attempts_must_be_refused(attempts)
