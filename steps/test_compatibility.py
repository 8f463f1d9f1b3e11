"""Steps of features/compatibility: upgrading and rolling back the lifecycle CRDs.

These scenarios replace cluster-wide CRDs, so they never touch the session's cluster: the module
gets a simulated cluster of its own (`upgrade_cluster`) and each scenario a namespace in it. The
requirements live in harness/library/compatibility.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from harness.implementations import adapter as adapters
from harness.library import compatibility as compat
from harness.plugin.options import options_of

scenarios("compatibility/crd_upgrade.feature")

# The words the scenarios use for the definition lists of an app context (SPEC.md §1).
LISTS = {
    "pre-deployment tasks": "preDeploymentTasks",
    "post-deployment tasks": "postDeploymentTasks",
    "promotion tasks": "promotionTasks",
}


# One cluster for all of them: under pytest-xdist (--dist loadgroup) they stay on one worker.
pytestmark = pytest.mark.xdist_group("crd-compatibility")


@pytest.fixture(scope="module")
def upgrade_cluster(pytestconfig):
    with compat.own_cluster(keep=options_of(pytestconfig).keep_cluster) as cluster:
        yield cluster


@pytest.fixture
def scenario_namespace(upgrade_cluster):
    name = compat.create_namespace(upgrade_cluster)
    yield name
    compat.delete_namespace(upgrade_cluster, name)


@pytest.fixture
def remembered() -> dict:
    """What a step saw, for a later step of the same scenario to compare with."""
    return {}


@pytest.fixture
def implementation_on_cluster(upgrade_cluster, tmp_path, pytestconfig):
    options = options_of(pytestconfig)
    implementation = compat.implementation_for(upgrade_cluster, adapters.resolve(options.implementation),
                                               Path(options.run_dir), tmp_path)
    yield implementation
    implementation.stop()


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
    return compat.must_read(cluster, kind, "v1", namespace, name)


# -- CRD releases ---------------------------------------------------------------------------------

@given("the previous lifecycle CRDs")
def previous_crds(upgrade_cluster):
    compat.install_from_scratch(upgrade_cluster, compat.crd_set("previous"))


@given("the lifecycle CRDs upgraded from the previous release")
def upgraded_crds(upgrade_cluster):
    compat.install_from_scratch(upgrade_cluster, compat.crd_set("previous"))
    compat.apply_crds(upgrade_cluster, compat.crd_set("current"))


@when(parsers.re(r"the current lifecycle CRDs are applied(?: again)?$"))
def apply_current(upgrade_cluster):
    compat.apply_crds(upgrade_cluster, compat.crd_set("current"))


@given('the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served')
@when('the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served')
def roll_back(upgrade_cluster):
    compat.apply_crds(upgrade_cluster, compat.crd_set("rolled-back"))


@when("the previous lifecycle CRDs are applied again")
def apply_previous_again(upgrade_cluster, remembered):
    remembered["refusals"] = compat.apply_collecting_refusals(upgrade_cluster, compat.crd_set("previous"))


@then(parsers.parse("the API server refuses each lifecycle CRD with {status:d} and the message '{message}'"))
def crds_refused(remembered, status, message):
    refusals = remembered["refusals"]
    accepted = sorted(set(compat.lifecycle_crd_names()) - set(refusals))
    assert not accepted, f"the API server accepted {accepted}; refused: {refusals}"
    wrong = {name: refusal for name, refusal in refusals.items() if refusal[0] != status or message not in refusal[1]}
    assert not wrong, f"expected {status} with the message {message!r} for every lifecycle CRD; observed: {wrong}"


@then("the API server accepts every CRD")
def crds_accepted(upgrade_cluster, remembered):
    assert not remembered["refusals"], f"the API server refused: {remembered['refusals']}"
    compat.crds_must_be_in_effect(upgrade_cluster, compat.crd_set("previous"))


@then(parsers.parse('every lifecycle CRD has stored versions "{versions}"'))
def stored_versions(upgrade_cluster, versions):
    compat.stored_versions_must_be(upgrade_cluster, names(versions))


@then(parsers.parse('every lifecycle CRD serves and lists "{version}" only'))
def serves_only(upgrade_cluster, version):
    for name in compat.lifecycle_crd_names():
        listed = [(v["name"], v["served"]) for v in compat.must_read_crd(upgrade_cluster, name)["spec"]["versions"]]
        assert listed == [(version, True)], f"CRD {name} lists versions (name, served) {listed}, expected only ({version!r}, True)"


@when(parsers.parse('status.storedVersions of every lifecycle CRD is set to "{versions}", without a storage migration'))
def set_stored_versions(upgrade_cluster, versions):
    for name in compat.lifecycle_crd_names():
        kept = compat.set_stored_versions(upgrade_cluster, name, names(versions))
        assert kept == names(versions), f"CRD {name}: patched status.storedVersions to {names(versions)}, the API server kept {kept}"


@then(parsers.parse('the previous lifecycle CRDs apply, although etcd still holds the KeptnAppContext "{name}" as "{api_version}"'))
def previous_apply_anyway(upgrade_cluster, scenario_namespace, name, api_version):
    refusals = compat.apply_collecting_refusals(upgrade_cluster, compat.crd_set("previous"))
    assert not refusals, f"the API server refused: {refusals}"
    compat.must_be_stored_as(upgrade_cluster, "KeptnAppContext", scenario_namespace, name, api_version)


@when(parsers.re(r"the harness migrates storage to the storage version of the (?P<release>current|rolled back) CRDs"))
def migrate(upgrade_cluster, release):
    compat.migrate_storage(upgrade_cluster, compat.crd_set(release.replace(" ", "-")))


# -- objects of every kind -------------------------------------------------------------------------

@given(parsers.parse('one object of each lifecycle kind, created through "{version}"'))
def one_of_each_kind(upgrade_cluster, scenario_namespace, remembered, version):
    remembered["objects"] = compat.create_one_of_each_kind(upgrade_cluster, scenario_namespace, version)


@then(parsers.re(r'every object reads back unchanged through "(?P<first>\w+)" and "(?P<second>\w+)", '
                 r"(?P<how>with only the defaults current adds|rewritten)$"))
def every_object_unchanged(upgrade_cluster, remembered, first, second, how):
    # Before a migration nothing was rewritten (same resourceVersion); after it, everything was.
    for obj in remembered["objects"]:
        compat.must_read_back(upgrade_cluster, compat.with_current_defaults(obj), [first, second], same_write=how != "rewritten")


@then(parsers.re(r'etcd (?:still )?holds every object as "(?P<api_version>[^"]+)"$'))
def every_object_stored_as(upgrade_cluster, remembered, api_version):
    for obj in remembered["objects"]:
        compat.must_be_stored_as(upgrade_cluster, *compat.key(obj), api_version)


# -- the app version from before the upgrade ------------------------------------------------------

@given(parsers.parse('a KeptnTaskDefinition "{name}" whose task runs for "{run_for}" and exits with {code:d}, created through "{version}"'))
def task_definition(upgrade_cluster, scenario_namespace, name, run_for, code, version):
    compat.create(upgrade_cluster, compat.task_definition(name, scenario_namespace, version, run_for, code))


@given(parsers.parse('the app "{app}" whose KeptnAppVersion "{version_name}" the previous release created, with post-deployment task "{task}"'))
def app_from_previous_release(upgrade_cluster, scenario_namespace, app, version_name, task):
    objects = compat.create_app_from_previous_release(upgrade_cluster, scenario_namespace)
    said = (objects["KeptnApp"]["metadata"]["name"], objects["KeptnAppVersion"]["metadata"]["name"],
            objects["KeptnAppVersion"]["spec"]["postDeploymentTasks"])
    assert said == (app, version_name, [task]), f"app_before_upgrade.yaml holds (app, version, post-deployment tasks) {said}, not what the scenario says"


@then(parsers.parse('the KeptnAppVersion "{name}" reads promotionStatus "{state}" through "{version}", which etcd does not hold'))
def promotion_status_defaulted(upgrade_cluster, scenario_namespace, name, state, version):
    read = compat.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)
    compat.fields_must_be(read.get("status") or {}, {"promotionStatus": state}, f"KeptnAppVersion {name} read through {version}")
    stored = compat.stored(upgrade_cluster, "KeptnAppVersion", scenario_namespace, name)
    compat.fields_must_be(stored.get("status") or {}, {"promotionStatus": None}, f"KeptnAppVersion {name} as etcd holds it")


@then(parsers.re(r'the KeptnAppVersion "(?P<name>[^"]+)" has no promotionTasks(?P<items> and no promotionTaskStatus items)?$'))
def no_promotion(upgrade_cluster, scenario_namespace, name, items):
    app_version = read_v1(upgrade_cluster, "KeptnAppVersion", scenario_namespace, name)
    compat.fields_must_be(app_version["spec"], {"promotionTasks": None}, f"spec of KeptnAppVersion {name}")
    if items:  # an empty list is as good as none
        task_items = (app_version.get("status") or {}).get("promotionTaskStatus")
        assert not task_items, f"KeptnAppVersion {name} has status.promotionTaskStatus {task_items}"


@when("the implementation under test starts on this cluster")
def start_implementation(upgrade_cluster, implementation_on_cluster):
    if implementation_on_cluster.adapter.needs_real_nodes:
        pytest.skip(f"{implementation_on_cluster.adapter.name} needs a provider with real nodes; this cluster is simulated")
    compat.start_implementation(upgrade_cluster, implementation_on_cluster)


@then(parsers.parse('the KeptnAppVersion "{name}" reaches status "{status}" with currentPhase "{phase}"'))
def app_version_reaches(upgrade_cluster, scenario_namespace, implementation_on_cluster, name, status, phase):
    compat.app_version_must_reach(upgrade_cluster, scenario_namespace, name, status, phase, implementation_on_cluster)


@then(parsers.re(r'the KeptnAppVersion "(?P<name>[^"]+)" has (?P<fields>\w+ "\w+"(?: and \w+ "\w+")*)$'))
def app_version_status_fields(upgrade_cluster, scenario_namespace, name, fields):
    status = read_v1(upgrade_cluster, "KeptnAppVersion", scenario_namespace, name).get("status") or {}
    compat.fields_must_be(status, dict(re.findall(r'(\w+) "(\w+)"', fields)), f"status of KeptnAppVersion {name}")


@then(parsers.parse('the namespace has exactly one KeptnTask, with checkType "{check_type}" for definition "{definition}", '
                    'and none with checkType "{absent}"'))
def only_task(upgrade_cluster, scenario_namespace, check_type, definition, absent):
    compat.tasks_must_be(upgrade_cluster, scenario_namespace, [(check_type, definition)], absent)


@then(parsers.parse('the app "{app}" has exactly one KeptnAppVersion'))
def one_app_version(upgrade_cluster, scenario_namespace, app):
    versions = [v["metadata"]["name"] for v in compat.list_objects(upgrade_cluster, "KeptnAppVersion", "v1", scenario_namespace)
                if v["spec"]["appName"] == app]
    assert len(versions) == 1, f"app {app!r} has the KeptnAppVersions {versions}, expected exactly one"


# -- promotion fields through both versions --------------------------------------------------------

@given(parsers.re(r'a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+), written through "(?P<version>\w+)"$'))
@when(parsers.re(r'a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+), written through "(?P<version>\w+)"$'))
def app_context_written(upgrade_cluster, scenario_namespace, name, lists, version):
    compat.create(upgrade_cluster, compat.app_context(name, scenario_namespace, version, definition_lists(lists)))


@given(parsers.parse('a KeptnAppVersion "{name}" of app "{app}" version "{version}" with promotion tasks "{tasks}", written through "{api}"'))
@when(parsers.parse('a KeptnAppVersion "{name}" of app "{app}" version "{version}" with promotion tasks "{tasks}", written through "{api}"'))
def app_version_written(upgrade_cluster, scenario_namespace, name, app, version, tasks, api):
    compat.create(upgrade_cluster, compat.app_version(name, scenario_namespace, api, app, version, names(tasks)))


@when(parsers.parse('the KeptnAppVersion "{name}" gets, through "{version}", promotionStatus "{state}" and a promotionTaskStatus item for "{definition}"'))
def promotion_status_written(upgrade_cluster, scenario_namespace, remembered, name, version, state, definition):
    app_version = compat.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)
    app_version["status"] = {**app_version.get("status", {}), "promotionStatus": state, "promotionTaskStatus": [{
        "definitionName": definition, "name": f"promotion-{definition}-31415", "status": state, "startTime": "2024-05-01T10:02:00Z",
    }]}
    remembered["status"] = compat.write_status(upgrade_cluster, app_version)["status"]


@when(parsers.parse('a previous-release controller sets status "{state}" on the KeptnAppVersion "{name}" through "{version}"'))
def previous_controller_writes_status(upgrade_cluster, scenario_namespace, state, name, version):
    app_version = compat.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)
    app_version["status"] = {**app_version.get("status", {}), "status": state}
    compat.write_status(upgrade_cluster, app_version)


@then(parsers.parse('the {kind} "{name}" reads identically through "{first}" and "{second}", with promotion tasks "{tasks}"'))
def reads_identically(upgrade_cluster, scenario_namespace, kind, name, first, second, tasks):
    read = compat.must_read_identically(upgrade_cluster, kind, scenario_namespace, name, [first, second])
    compat.fields_must_be(read["spec"], {"promotionTasks": names(tasks)}, f"spec of {kind} {name}")


@then(parsers.parse('the KeptnAppVersion "{name}" reads back the promotion status it was given'))
def promotion_status_round_trip(upgrade_cluster, scenario_namespace, remembered, name):
    written = {field: remembered["status"][field] for field in ("promotionStatus", "promotionTaskStatus")}
    for version in ("v1", "v1beta1"):
        status = compat.must_read(upgrade_cluster, "KeptnAppVersion", version, scenario_namespace, name)["status"]
        compat.fields_must_be(status, written, f"status of KeptnAppVersion {name} read through {version}")


# -- server-side apply by an old client -------------------------------------------------------------

@given(parsers.re(r'field manager "(?P<manager>[^"]+)" applies through "(?P<version>\w+)" a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+)$'))
@when(parsers.re(r'field manager "(?P<manager>[^"]+)" applies through "(?P<version>\w+)" a KeptnAppContext "(?P<name>[^"]+)" with (?P<lists>.+)$'))
def field_manager_applies(upgrade_cluster, scenario_namespace, manager, version, name, lists):
    compat.apply(upgrade_cluster, compat.app_context(name, scenario_namespace, version, definition_lists(lists)), manager)


@then(parsers.re(r'the KeptnAppContext "(?P<name>[^"]+)" has (?P<lists>.+)$'))
def app_context_has(upgrade_cluster, scenario_namespace, name, lists):
    spec = read_v1(upgrade_cluster, "KeptnAppContext", scenario_namespace, name)["spec"]
    compat.fields_must_be(spec, definition_lists(lists), f"spec of KeptnAppContext {name}")


@then(parsers.re(r'in the managedFields of KeptnAppContext "(?P<name>[^"]+)", "(?P<manager>[^"]+)" owns (?P<owned>\w+(?: and \w+)*) '
                 r'through "(?P<version>\w+)"(?:, and not (?P<not_owned>\w+))?$'))
def manager_owns(upgrade_cluster, scenario_namespace, name, manager, owned, version, not_owned):
    obj = read_v1(upgrade_cluster, "KeptnAppContext", scenario_namespace, name)
    compat.manager_must_own(obj, manager, f"{compat.LIFECYCLE_GROUP}/{version}", owned.split(" and "), [not_owned] if not_owned else [])


# -- rollback -------------------------------------------------------------------------------------

@then(parsers.parse('the KeptnAppContext "{name}" still reads promotion tasks "{tasks}" through "{version}"'))
def still_reads(upgrade_cluster, scenario_namespace, name, tasks, version):
    spec = compat.must_read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)["spec"]
    compat.fields_must_be(spec, {"promotionTasks": names(tasks)}, f"spec of KeptnAppContext {name} read through {version}")


@then(parsers.parse('reading the KeptnAppContext "{name}" through "{version}" answers 404'))
def answers_404(upgrade_cluster, scenario_namespace, name, version):
    read = compat.read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)
    assert read is None, f"KeptnAppContext {name} is readable through {version}: {json.dumps(read.get('spec'))}"


@then(parsers.re(r'(?P<what>reading the KeptnAppContext "(?P<name>[^"]+)"|listing KeptnAppContexts) through "(?P<version>\w+)" '
                 r"fails with (?P<status>\d+) and the message '(?P<message>.+)'$"))
def request_fails(upgrade_cluster, scenario_namespace, what, name, version, status, message):
    if name:
        call = lambda: compat.read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)  # noqa: E731
    else:
        call = lambda: compat.list_objects(upgrade_cluster, "KeptnAppContext", version, scenario_namespace)  # noqa: E731
    compat.request_must_fail(call, int(status), message, f"{what} through {version}")


@then(parsers.re(r'listing KeptnAppContexts through "(?P<version>\w+)" shows "(?P<name>[^"]+)" again$'))
def lists_again(upgrade_cluster, scenario_namespace, version, name):
    compat.lists_again(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)


@then(parsers.re(r'the KeptnAppContext "(?P<name>[^"]+)" read through "(?P<version>\w+)" has (?P<lists>.+) and no promotionTasks$'))
def reads_without_promotion_tasks(upgrade_cluster, scenario_namespace, name, version, lists):
    spec = compat.must_read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)["spec"]
    compat.fields_must_be(spec, {**definition_lists(lists), "promotionTasks": None}, f"spec of KeptnAppContext {name} read through {version}")


@then(parsers.re(r'etcd (?:still )?holds the (?P<kind>KeptnAppContext|KeptnAppVersion) "(?P<name>[^"]+)" as "(?P<api_version>[^"]+)" '
                 r'(?:with promotion tasks "(?P<tasks>[^"]*)"|(?P<without>without promotionTasks))$'))
def etcd_holds(upgrade_cluster, scenario_namespace, kind, name, api_version, tasks, without):
    stored = compat.must_be_stored_as(upgrade_cluster, kind, scenario_namespace, name, api_version)
    compat.fields_must_be(stored["spec"], {"promotionTasks": None if without else names(tasks)}, f"spec of {kind} {name} as etcd holds it")


@when(parsers.parse('the KeptnAppContext "{name}" is rewritten through "{version}" with the label "{label}" set to "{value}"'))
def rewrite(upgrade_cluster, scenario_namespace, name, version, label, value):
    obj = compat.must_read(upgrade_cluster, "KeptnAppContext", version, scenario_namespace, name)
    obj["metadata"].setdefault("labels", {})[label] = value
    compat.write(upgrade_cluster, obj)


# -- admission ------------------------------------------------------------------------------------

@then("creating these objects is refused with 422, the message naming the field and saying why:")
def refused_objects(upgrade_cluster, scenario_namespace, datatable):
    header, *rows = datatable
    attempts = []
    for number, row in enumerate(rows, 1):
        case = dict(zip(header, row))
        obj = {"apiVersion": f"{compat.LIFECYCLE_GROUP}/{case['through']}", "kind": case["kind"],
               "metadata": {"name": f"refused-{number}", "namespace": scenario_namespace},
               "spec": {"promotionTasks": json.loads(case["promotionTasks"])}}
        if case["kind"] == "KeptnAppVersion":
            obj["spec"].update(appName="shop", version="1.0.0")  # its required fields
        attempts.append(compat.Attempt(f"row {number} {case}", lambda obj=obj: compat.create(upgrade_cluster, obj), 422,
                                       (f"{case['field']}: ", case["why"])))
    compat.attempts_must_be_refused(attempts)


@then(parsers.parse('writing the status of KeptnAppVersion "{name}" is refused with 422, the message naming the field:'))
def refused_status(upgrade_cluster, scenario_namespace, name, datatable):
    header, *rows = datatable
    attempts = []
    for number, row in enumerate(rows, 1):
        case = dict(zip(header, row))
        obj = compat.must_read(upgrade_cluster, "KeptnAppVersion", case["through"], scenario_namespace, name)
        obj["status"] = {"promotionStatus": case["promotionStatus"], "promotionTaskStatus": [
            {"definitionName": "promote", "name": "promotion-promote-31415", "status": case["item status"]}]}
        attempts.append(compat.Attempt(f"row {number} {case}", lambda obj=obj: compat.write_status(upgrade_cluster, obj), 422,
                                       (f"{case['field']}: Unsupported value",)))
    compat.attempts_must_be_refused(attempts)
