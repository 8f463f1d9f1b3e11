"""The random specs' judges (harness.library.random_specs), on answers made up here: the contract
fixes one refusal (contract §1); what only some CRD set refuses may be refused or accepted; a refusal
names a field it is about, read from the CRDs installed in the cluster; and what an accepted app's
waiting version must name."""
from __future__ import annotations

import copy

import pytest

from harness.compat.loading import documents
from harness.library import random_specs
from harness.library.admission import Answer
from harness.library.mentions import Field, Name
from harness.paths import FIXTURES
from fakes.cluster_reads import KubeWithCrds


PROJECT_CRDS = [doc.body for doc in documents(FIXTURES / "crds" / "current")]
PROJECT = random_specs.installed_schemas(KubeWithCrds(PROJECT_CRDS))


def _other_crd_set() -> dict:
    """Another valid CRD set: no minimum on retries, no minLength on versions and names, no pattern on
    timeouts (this project's constraints, none of them docs/contract.md's)."""
    crds = copy.deepcopy(PROJECT_CRDS)
    for crd in crds:
        for version in crd["spec"]["versions"]:
            spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
            for field in ("retries", "timeout", "version"):
                for constraint in ("minimum", "pattern", "minLength"):
                    spec.get(field, {}).pop(constraint, None)
            spec.get("promotionTasks", {}).get("items", {}).pop("minLength", None)
    return random_specs.installed_schemas(KubeWithCrds(crds))


OTHER = _other_crd_set()


def _changed(kind, path, value):
    example = random_specs.example(1, "demo", kind, path, value)
    return example, next(obj for obj in example.objects if obj["kind"] == kind)


def test_the_schemas_are_those_of_the_crds_installed_in_the_cluster():
    task_definition = next(crd for crd in PROJECT_CRDS if crd["spec"]["names"]["kind"] == "KeptnTaskDefinition")
    assert PROJECT[("lifecycle.keptn.sh/v1", "KeptnTaskDefinition")] == \
        task_definition["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert ("lifecycle.keptn.sh/v1beta1", "KeptnApp") in PROJECT and ("options.keptn.sh/v1alpha1", "KeptnConfig") in PROJECT


@pytest.mark.parametrize(("kind", "path", "value", "field"), [
    ("KeptnTaskDefinition", "spec.retries", "ten", "spec.retries"),
    ("KeptnTaskDefinition", "spec.retries", 2**31, "spec.retries"),  # format int32
    ("KeptnTaskDefinition", "spec.timeout", "5 minutes", "spec.timeout"),
    ("KeptnTaskDefinition", "spec", None, "spec"),  # required
    ("KeptnAppContext", "spec.promotionTasks", [""], "spec.promotionTasks[0]"),
    ("KeptnApp", "spec.version", "", "spec.version"),
    ("KeptnApp", "spec.workloads", [{"name": "web"}], "spec.workloads[0].version"),
])
def test_the_fields_the_installed_schema_refuses_an_object_for(kind, path, value, field):
    _example, obj = _changed(kind, path, value)
    assert field in random_specs.schema_fields(obj, PROJECT)


@pytest.mark.parametrize(("kind", "path", "value"), [
    ("KeptnTaskDefinition", "spec.timeout", "2562048h"),  # the pattern lets it in; the controller reports it
    ("KeptnTaskDefinition", "spec.container.image", " busybox"),  # the Job is refused later, not the definition
    ("KeptnAppContext", "spec.promotionTasks", ["Promote_A", "a/b"]),
    ("KeptnApp", "spec.revision", 10**30),
])
def test_what_the_installed_schema_admits(kind, path, value):
    _example, obj = _changed(kind, path, value)
    assert random_specs.schema_fields(obj, PROJECT) == []


@pytest.mark.parametrize(("kind", "path", "value", "refusal"), [
    ("KeptnTaskDefinition", "spec.retries", -1, "spec.retries: Invalid value: -1: should be greater than or equal to 0"),
    ("KeptnTaskDefinition", "spec.timeout", "-1s", 'spec.timeout: Invalid value: "-1s": should match'),
    ("KeptnAppContext", "spec.promotionTasks", [""], "spec.promotionTasks[0]: Invalid value: should be at least 1"),
    ("KeptnApp", "spec.version", "", 'spec.version: Invalid value: "": should be at least 1 chars long'),
])
def test_what_only_some_crd_set_refuses_may_be_refused_or_accepted(kind, path, value, refusal):
    example, obj = _changed(kind, path, value)
    assert random_specs.schema_fields(obj, PROJECT) and not random_specs.schema_fields(obj, OTHER)
    for schemas in (PROJECT, OTHER):  # refused by this project's CRDs, or by another set's webhook
        assert random_specs.admission_must_be_conformant(example, obj, Answer(kind, "x", refusal, 422), schemas) == \
            "refused"
        assert random_specs.admission_must_be_conformant(example, obj, Answer(kind, "x", None), schemas) == "accepted"


@pytest.mark.parametrize(("path", "value"), [
    ("spec.deno", {"inline": {"code": "x"}}),  # two runtimes
    ("spec.python", {}),  # an empty one counts as set
    ("spec.container", None),  # null is dropped: no runtime left
    ("spec", {"retries": 1}),
    ("spec", None),
])
def test_the_contract_fixes_the_refusal_of_a_definition_without_exactly_one_runtime(path, value):
    example, obj = _changed("KeptnTaskDefinition", path, value)
    refused = Answer("KeptnTaskDefinition", "x", "spec: Invalid value: exactly one of container, python, deno", 422)
    for schemas in (PROJECT, OTHER, {}):  # whatever CRDs are installed, or none the harness can read
        assert random_specs.admission_must_be_conformant(example, obj, refused, schemas) == "refused by the contract"
        with pytest.raises(AssertionError, match="was accepted; contract §1: a KeptnTaskDefinition sets exactly one of "
                                                 "container, python, deno, so it must be refused naming spec"):
            random_specs.admission_must_be_conformant(example, obj, Answer("KeptnTaskDefinition", "x", None), schemas)


def test_a_refusal_the_contract_fixes_must_name_a_field_it_is_about():
    example, obj = _changed("KeptnTaskDefinition", "spec.container", None)  # no runtime left (C1.6)
    for message in ("something is wrong", 'admission webhook "v" denied the request: the timeout is invalid'):
        with pytest.raises(AssertionError, match="was refused \\(422\\), but the message names none of spec or spec.container"):
            random_specs.admission_must_be_conformant(example, obj, Answer("KeptnTaskDefinition", "x", message, 422),
                                                      PROJECT)


def test_a_refusal_nothing_fixes_may_say_anything():
    """Only this project's CRDs refuse a negative `retries`: nothing fixes the refusal, so nothing
    fixes its message (the contract asks for no wording it does not state)."""
    example, obj = _changed("KeptnTaskDefinition", "spec.retries", -1)
    for message in ("something is wrong", 'admission webhook "v" denied the request: spec.timeout is invalid',
                    'admission webhook "v" denied the request: retries must not be negative'):
        for schemas in (PROJECT, OTHER):
            assert random_specs.admission_must_be_conformant(
                example, obj, Answer("KeptnTaskDefinition", "x", message, 403), schemas) == "refused"


def test_an_object_that_was_not_changed_must_be_accepted():
    example, _obj = _changed("KeptnTaskDefinition", "spec.retries", -1)
    context = example.objects[1]
    with pytest.raises(AssertionError, match="was refused \\(422\\), but it is valid \\(it was not changed\\)"):
        random_specs.admission_must_be_conformant(
            example, context, Answer("KeptnAppContext", "random-001", "spec.promotionTasks: Invalid value", 422), PROJECT)


def test_what_a_waiting_version_must_name():
    defined = {"random-001-task"}
    definition, _ = _changed("KeptnTaskDefinition", "spec.timeout", "2562048h")
    assert definition.culprits(defined) == ((Name("random-001-task"),),)
    context, _ = _changed("KeptnAppContext", "spec.promotionTasks", ["random-001-task", "gone", 5])
    assert context.culprits(defined) == ((Field("spec.promotionTasks"), Name("gone")),)
    # seed 725286074 gave a list of lists (an implementation's CRD accepted it): nothing to name but the field
    context, _ = _changed("KeptnAppContext", "spec.promotionTasks", [[204, []], ["x"], "gone"])
    assert context.culprits(defined) == ((Field("spec.promotionTasks"), Name("gone")),)
    context, _ = _changed("KeptnAppContext", "spec", {"preDeploymentTasks": ["gone"], "??": 1})
    assert context.culprits(defined) == ((Field("spec"), Field("spec.preDeploymentTasks"), Name("gone")),)
    app, _ = _changed("KeptnApp", "spec.workloads", [{"name": "web", "version": "1"}, "x"])
    assert app.culprits(defined) == ((Field("spec.workloads"), Name("random-001-web")),)
