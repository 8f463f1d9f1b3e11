"""examples/app without a cluster: every Keptn object is admitted by the current CRDs, the lists
name definitions that exist, every task command stays valid with its variables unset, and the
library that applies it says what kubectl said (features/examples applies it for real)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.compat.loading import documents, load_crds
from harness.compat.openapi import admission_errors
from harness.contract.phases import TASK_LISTS
from harness.library import examples
from harness.paths import REPO

EXAMPLE = "examples/app"
OBJECTS = [doc.body for doc in documents(REPO / EXAMPLE)]


def of_kind(kind: str) -> list[dict]:
    return [body for body in OBJECTS if body["kind"] == kind]


def test_every_keptn_object_is_admitted_by_the_current_crds():
    crds = load_crds(REPO / "fixtures" / "crds" / "current")
    checked = 0
    for body in OBJECTS:
        group, _, version = body["apiVersion"].rpartition("/")
        crd = crds.get((group, body["kind"]))
        if crd is None:
            continue  # Namespace, Deployment
        assert admission_errors(body, crd.versions[version].schema) == [], f"{body['kind']} {body['metadata']['name']}"
        checked += 1
    assert checked == 6  # four definitions, the context, the app


def test_the_context_names_the_app_and_lists_only_definitions_the_example_creates():
    (context,), (app,) = of_kind("KeptnAppContext"), of_kind("KeptnApp")
    assert context["metadata"]["name"] == app["metadata"]["name"] == "checkout"
    definitions = {d["metadata"]["name"] for d in of_kind("KeptnTaskDefinition")}
    listed = [name for field in TASK_LISTS for name in context["spec"].get(field, [])]
    assert sorted(listed) == sorted(definitions) and len(context["spec"]["promotionTasks"]) == 2


def test_the_deployment_carries_the_app_workload_and_version_of_the_app():
    (deployment,), (app,) = of_kind("Deployment"), of_kind("KeptnApp")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert (labels["keptn.sh/app"], labels["keptn.sh/workload"], labels["keptn.sh/version"]) == (
        "checkout", app["spec"]["workloads"][0]["name"], app["spec"]["version"])
    assert examples.namespaces_in(EXAMPLE) == ["promotion-example"]


@pytest.mark.parametrize("definition", of_kind("KeptnTaskDefinition"), ids=lambda d: d["metadata"]["name"])
def test_each_task_command_exits_as_its_env_says_and_0_when_the_env_is_unset(definition):
    container = definition["spec"]["container"]
    env = {item["name"]: item["value"] for item in container["env"]} | {"SIM_RUN_FOR": "0", "KEPTN_CONTEXT": "{}"}
    assert subprocess.run(container["command"], env=env | {"SIM_EXIT_CODE": "3"}, capture_output=True).returncode == 3
    assert subprocess.run(container["command"], env={"KEPTN_CONTEXT": "{}"}, capture_output=True).returncode == 0


def test_applying_says_what_kubectl_said_when_it_fails(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    with pytest.raises(AssertionError, match=r"`kubectl apply -f examples/app` exited 1: .+"):
        examples.kubectl_apply(EXAMPLE, Path(kubeconfig))
