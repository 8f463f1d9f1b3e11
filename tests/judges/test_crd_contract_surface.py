"""The static judges of an implementation's CRDs (harness/judges/objects.py) and where
those CRDs come from (crd_sets.py): each judge passes this project's current CRDs, which follow
contract §1, and fails a copy broken in the way it exists to catch; what contract §1 does not fix passes."""
from __future__ import annotations

import copy

import pytest
import yaml

from harness.compat.loading import crd_from
from harness.compat.breaking_rules import Finding
from harness.contract.api import SURFACE
from harness.implementations import adapter as adapters
from harness.judges import objects
from harness.library.crds import crd_sets
from harness.library.crds.crd_sets import CrdSet

CURRENT = crd_sets.project_current()
PREVIOUS = crd_sets.previous_release(CURRENT)


def edited(kind: str, edit, crds: CrdSet = CURRENT) -> CrdSet:
    """`crds` with `edit(body)` applied to a copy of the CRD of `kind` (both versions of a lifecycle
    CRD share one schema dict in the fixtures, so an edit of one schema is an edit of both)."""
    changed = []
    for crd in crds.crds:
        if crd.kind == kind:
            body = copy.deepcopy(crd.body)
            edit(body)
            crd = crd_from(body, f"{crd.name} (edited)")
        changed.append(crd)
    return CrdSet(f"edited {kind}", tuple(changed))


def spec_of(body: dict, version: int = 0) -> dict:
    return body["spec"]["versions"][version]["schema"]["openAPIV3Schema"]["properties"]["spec"]


def status_of(body: dict) -> dict:
    return body["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]


def test_this_projects_current_crds_pass_every_static_judge():
    objects.crds_must_serve_the_contract_versions(CURRENT)
    objects.crds_must_have_the_contract_fields(CURRENT)
    assert objects.upgrade_must_spare_the_contract(PREVIOUS, CURRENT) == []


def test_the_contract_table_names_every_kind_of_spec_section_1():
    assert [s.kind for s in SURFACE] == ["KeptnAppContext", "KeptnApp", "KeptnAppVersion", "KeptnWorkload",
                                         "KeptnWorkloadVersion", "KeptnTaskDefinition", "KeptnTask",
                                         "KeptnEvaluationDefinition", "KeptnEvaluation", "KeptnConfig", "KeptnMetric"]


# -- versions ------------------------------------------------------------------------------------------

def _only(name: str):
    return lambda body: body["spec"].update(versions=[v for v in body["spec"]["versions"] if v["name"] == name])


def _store_beta(body):
    for version in body["spec"]["versions"]:
        version["storage"] = version["name"] == "v1beta1"


@pytest.mark.parametrize(("edit", "complaint"), [
    (_only("v1"), "keptnappcontexts.lifecycle.keptn.sh: does not serve v1beta1 (serves v1)"),
    (_store_beta, "keptnappcontexts.lifecycle.keptn.sh: stores v1beta1, expected v1"),
    (lambda body: body["spec"].update(conversion={"strategy": "Webhook"}), "conversion strategy Webhook, expected None"),
    (lambda body: body["spec"].update(scope="Cluster"), "scope Cluster, expected Namespaced"),
    (lambda body: body["spec"]["versions"][1].pop("subresources"), "v1beta1 has no status subresource"),
])
def test_a_lifecycle_crd_that_does_not_serve_the_contract_versions_fails(edit, complaint):
    with pytest.raises(AssertionError, match="do not serve what docs/contract.md §1 fixes") as failure:
        objects.crds_must_serve_the_contract_versions(edited("KeptnAppContext", edit))
    assert complaint in str(failure.value)


def test_a_missing_kind_fails():
    without_config = CrdSet("no KeptnConfig", tuple(crd for crd in CURRENT.crds if crd.kind != "KeptnConfig"))
    with pytest.raises(AssertionError, match="KeptnConfig: no CRD of group options.keptn.sh"):
        objects.crds_must_serve_the_contract_versions(without_config)


def test_the_previous_release_does_not_serve_the_contract():
    with pytest.raises(AssertionError, match="keptnapps.lifecycle.keptn.sh: does not serve v1"):
        objects.crds_must_serve_the_contract_versions(PREVIOUS)


# -- fields --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "edit", "complaint"), [
    ("KeptnAppContext", lambda b: spec_of(b)["properties"].pop("promotionTasks"), "KeptnAppContext v1 .spec.promotionTasks: missing"),
    ("KeptnAppContext", lambda b: spec_of(b)["properties"]["promotionTasks"]["items"].update(type="integer"),
     ".spec.promotionTasks[]: type integer, expected string"),
    ("KeptnAppContext", lambda b: spec_of(b).update(required=["promotionTasks"]),
     ".spec.promotionTasks: required, the contract says optional"),
    ("KeptnAppVersion", lambda b: status_of(b)["properties"]["promotionStatus"].update(enum=["Pending", "Succeeded"]),
     ".status.promotionStatus: its enum refuses Progressing, Failed, Unknown, Deprecated, Warning"),
    ("KeptnAppVersion", lambda b: status_of(b)["properties"]["promotionStatus"].update(default="Unknown"),
     ".status.promotionStatus: default 'Unknown', the contract states 'Pending'"),
    ("KeptnTaskDefinition", lambda b: spec_of(b)["properties"]["retries"].update(default=3),
     "KeptnTaskDefinition v1 .spec.retries: default 3, the contract states 10"),
    # C1.2 "the CRDs offer ... stated defaults": a spec field's default is the CRD's to declare
    ("KeptnTaskDefinition", lambda b: spec_of(b)["properties"]["retries"].pop("default"),
     "KeptnTaskDefinition v1 .spec.retries: no default, the contract states 10"),
    ("KeptnConfig", lambda b: spec_of(b)["properties"]["blockDeployment"].pop("default"),
     "KeptnConfig v1alpha1 .spec.blockDeployment: no default, the contract states True"),
    ("KeptnTask", lambda b: spec_of(b)["properties"]["checkType"].update(enum=["pre", "post"]),
     "KeptnTask v1 .spec.checkType: its enum refuses promotion"),
    ("KeptnAppVersion", lambda b: status_of(b)["properties"].pop("promotionTaskStatus"),
     "KeptnAppVersion v1 .status.promotionTaskStatus: missing"),
])
def test_a_crd_without_a_field_of_the_contract_as_spec_section_1_says_fails(kind, edit, complaint):
    with pytest.raises(AssertionError, match="lack what docs/contract.md §1 names") as failure:
        objects.crds_must_have_the_contract_fields(edited(kind, edit))
    assert complaint in str(failure.value)


def test_a_missing_parent_is_one_complaint_not_one_per_child():
    with pytest.raises(AssertionError) as failure:
        objects.crds_must_have_the_contract_fields(edited("KeptnTaskDefinition", lambda b: spec_of(b)["properties"].pop("python")))
    assert ".spec.python: missing" in str(failure.value) and ".spec.python.inline" not in str(failure.value)


@pytest.mark.parametrize(("kind", "edit"), [
    # constraints docs/contract.md does not state: never held against an implementation
    ("KeptnAppContext", lambda b: spec_of(b)["properties"]["promotionTasks"]["items"].pop("minLength")),
    ("KeptnAppContext", lambda b: spec_of(b)["properties"]["promotionTasks"].update(maxItems=5)),
    ("KeptnAppVersion", lambda b: status_of(b)["properties"]["promotionStatus"].pop("enum")),
    ("KeptnAppVersion", lambda b: status_of(b)["properties"]["promotionStatus"].pop("default")),  # the controller may fill it in
    ("KeptnAppVersion", lambda b: status_of(b)["properties"].pop("conditions")),  # this project's own addition
    ("KeptnTaskDefinition", lambda b: spec_of(b)["properties"]["retries"].pop("minimum")),
    ("KeptnTaskDefinition", lambda b: spec_of(b)["properties"].update(
        container={"type": "object", "x-kubernetes-preserve-unknown-fields": True})),
    ("KeptnAppContext", lambda b: spec_of(b)["properties"].update(extra={"type": "string"})),
])
def test_what_the_contract_does_not_fix_passes(kind, edit):
    crds = edited(kind, edit)
    objects.crds_must_serve_the_contract_versions(crds)
    objects.crds_must_have_the_contract_fields(crds)
    objects.upgrade_must_spare_the_contract(PREVIOUS, crds)


def test_a_field_below_one_that_keeps_unknown_fields_is_not_missing():
    def free_spec(body):
        spec_of(body).clear()
        spec_of(body).update({"type": "object", "x-kubernetes-preserve-unknown-fields": True})

    objects.crds_must_have_the_contract_fields(edited("KeptnAppContext", free_spec))


# -- the static checker's findings against the previous release ------------------------------------------

@pytest.mark.parametrize(("finding", "touches"), [
    (Finding("KeptnApp", "v1beta1", ".", "not-served", "served → served: false"), True),
    (Finding("KeptnApp", "*", ".", "crd-removed", "gone"), True),
    (Finding("KeptnAppVersion", "v1beta1→v1", ".spec.workloads[].name", "removed", ""), True),
    (Finding("KeptnAppVersion", "v1beta1", ".spec.workloads", "type-narrowed", "array → object"), True),  # a parent of named fields
    (Finding("KeptnAppContext", "v1", ".spec.promotionTasks", "newly-required", ""), True),
    (Finding("KeptnAppVersion", "v1", ".status.conditions", "removed", ""), False),  # not in contract §1
    (Finding("KeptnTask", "v1", ".spec.context", "newly-required", ""), False),  # SPEC does not say optional
    (Finding("KeptnTaskDefinition", "v1", ".spec.retries", "narrowed", "minimum 0 → 1"), False),
    (Finding("KeptnAppVersion", "v1", ".status.promotionStatus", "enum-value-removed", ""), False),  # the fields judge's
    (Finding("Widget", "*", ".", "crd-removed", ""), False),  # not a kind of the contract
])
def test_a_finding_touches_the_contract_only_where_spec_section_1_fixes_something(finding, touches):
    assert objects.touches_the_contract(finding) is touches


def test_an_upgrade_that_drops_a_named_field_fails_and_other_differences_are_observations():
    def drop(body):
        spec_of(body)["properties"].pop("spanLinks")
        spec_of(body)["properties"]["metadata"]["additionalProperties"] = {"type": "string", "maxLength": 10}

    with pytest.raises(AssertionError, match=r"breaking changes to what docs/contract.md §1 fixes: KeptnAppContext v1beta1 \.spec\.spanLinks removed"):
        objects.upgrade_must_spare_the_contract(PREVIOUS, edited("KeptnAppContext", drop))
    narrowed = edited("KeptnAppContext", lambda b: spec_of(b)["properties"]["metadata"].update(
        additionalProperties={"type": "string", "maxLength": 10}))
    observations = objects.upgrade_must_spare_the_contract(PREVIOUS, narrowed)
    assert observations and all("narrowed: maxLength" in line for line in observations)


# -- where the implementation's CRDs come from --------------------------------------------------------------

def test_an_adapter_with_crd_files_is_judged_on_them():
    found = crd_sets.of_adapter(adapters.load(adapters.DEFAULT))
    assert found.description == "the implementation's CRDs (reference: install.crds {repo}/fixtures/crds/current)"
    assert sorted(crd.name for crd in found.crds) == sorted(crd.name for crd in CURRENT.crds)


def test_an_adapter_that_installs_its_crds_otherwise_has_no_files_to_judge():
    assert crd_sets.of_adapter(adapters.load(adapters.BUILTIN / "keptn.yaml")) is None


def test_crds_read_back_from_a_cluster_are_those_of_the_contract_groups_without_server_fields():
    served = [{**copy.deepcopy(crd.body), "status": {"storedVersions": ["v1"]}} for crd in CURRENT.crds]
    served[0]["metadata"].update(uid="u", resourceVersion="5", managedFields=[{}],
                                 annotations={"kubectl.kubernetes.io/last-applied-configuration": "{}"})
    other = yaml.safe_load(crd_sets.PREVIOUS.joinpath("lifecycle.keptn.sh_keptnapps.yaml").read_text())
    other["spec"]["group"] = "example.com"
    found = crd_sets.read_back([*served, other], "the run's cluster")
    assert len(found.crds) == len(CURRENT.crds) and found.description.endswith("read back from the run's cluster")
    assert set(found.crds[0].body) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(found.crds[0].body["metadata"]) == {"name", "annotations"} and not found.crds[0].body["metadata"]["annotations"]
    objects.crds_must_serve_the_contract_versions(found)


def test_the_previous_release_takes_the_kinds_it_lacks_from_the_set_it_is_upgraded_to():
    assert {crd.kind for crd in PREVIOUS.crds} == {crd.kind for crd in CURRENT.crds}
    assert PREVIOUS.crd("KeptnConfig") is CURRENT.crd("KeptnConfig")
    assert list(PREVIOUS.crd("KeptnApp").versions) == ["v1beta1"]


def test_rolled_back_crds_list_v1_unserved_with_the_previous_schema():
    rolled = crd_sets.rolled_back(PREVIOUS).crd("KeptnAppContext")
    assert [(v.name, v.served, v.storage) for v in rolled.versions.values()] == [("v1beta1", True, True), ("v1", False, False)]
    assert rolled.versions["v1"].schema == PREVIOUS.crd("KeptnAppContext").versions["v1beta1"].schema
    assert list(PREVIOUS.crd("KeptnAppContext").versions) == ["v1beta1"]  # the previous set is left as it was


# -- the objects the upgrade scenarios write use only fields contract §1 names ------------------------------------

def _paths(value, at: str = ""):
    """Every path of a JSON value, `[]` for list items, as the contract table writes them."""
    yield at
    if isinstance(value, dict):
        for name, child in value.items():
            yield from _paths(child, f"{at}.{name}")
    elif isinstance(value, list):
        for item in value:
            yield from _paths(item, f"{at}[]")


def _unnamed(obj: dict) -> list[str]:
    from harness.contract.api import fields_of

    named = fields_of(obj["kind"])
    free = [path for path, field in named.items() if field.type == "object" and not any(p.startswith(path + ".") for p in named)]
    return sorted({path for part in ("spec", "status") if part in obj for path in _paths(obj[part], f".{part}")
                   if path not in (".spec", ".status") and path not in named and not any(path.startswith(f + ".") for f in free)})


@pytest.mark.parametrize("manifest", ["crd_upgrade/lifecycle_objects.yaml", "crd_upgrade/app_before_upgrade.yaml"])
def test_the_upgrade_scenarios_objects_use_only_fields_spec_section_1_names(manifest):
    """Any implementation's CRDs must keep them, so they may hold nothing the contract does not name."""
    from harness.library.crds.scenario_objects import manifests

    for obj in manifests(manifest, "n"):
        assert _unnamed(obj) == [], f"{manifest}: {obj['kind']} {obj['metadata']['name']}"


def test_a_field_the_contract_does_not_name_is_found():
    assert _unnamed({"kind": "KeptnAppVersion", "spec": {"appName": "a", "metadata": {"x": "y"}},
                     "status": {"startTime": "t", "conditions": [{"type": "A"}]}}) == [
        ".status.conditions", ".status.conditions[]", ".status.conditions[].type", ".status.startTime"]
