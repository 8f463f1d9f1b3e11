"""Steps of features/examples: the repository's examples, applied as the README says."""
from __future__ import annotations

import pytest
from pytest_bdd import parsers, scenarios, then, when

from harness.judges import lifecycle
from harness.library import examples
from harness.library.tables import names, single_row

scenarios("examples")


@pytest.fixture
def applied(kube) -> list[str]:
    """The folders a scenario applied; the namespaces they create are deleted at the end."""
    folders: list[str] = []
    yield folders
    for folder in folders:
        for namespace in examples.namespaces_in(folder):
            kube.delete("Namespace", namespace)


@when(parsers.parse('the example in "{folder}" is applied with kubectl'))
def apply_example(cluster, implementation, applied, folder):
    applied.append(folder)
    examples.kubectl_apply(folder, cluster.kubeconfig)


@then(parsers.parse('the app version of "{app}" in "{namespace}" completes with'), target_fixture="version")
def completes_with(kube, app, namespace, datatable):
    return lifecycle.app_version_must_reach(kube, namespace, app, single_row(datatable))


@then(parsers.parse('it ran one promotion task each of "{definitions}"'))
def ran_promotion_tasks(kube, version, definitions):
    lifecycle.promotion_tasks_must_be(kube, version["metadata"]["namespace"], version, names(definitions))
