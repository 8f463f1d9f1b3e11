"""The CRD compatibility scenarios upgrade from the implementation's own previous release, which its
adapter names in `previousRelease.crds` (issue 22): never from another project's CRDs."""
from __future__ import annotations

from pathlib import Path

import yaml

from harness.implementations import adapter as adapters
from harness.library.crds import crd_sets
from harness.plugin import scenarios

REFERENCE = yaml.safe_load(adapters.resolve(None).read_text())


def _adapter(tmp_path: Path, change) -> adapters.Adapter:
    document = yaml.safe_load(yaml.safe_dump(REFERENCE))
    change(document["spec"])
    path = tmp_path / "my-operator.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return adapters.load(path)


def test_the_reference_adapter_upgrades_from_this_projects_previous_crds():
    previous = crd_sets.of_adapters_previous_release(adapters.load(adapters.resolve("reference")))
    assert {crd.name for crd in previous.crds} == {crd.name for crd in crd_sets.project_previous().crds}
    assert "fixtures/crds/previous" in previous.description


def test_an_adapter_that_names_no_previous_release_gets_the_crd_compatibility_scenarios_as_not_applicable(tmp_path):
    adapter = _adapter(tmp_path, lambda spec: spec.pop("previousRelease"))
    assert crd_sets.of_adapters_previous_release(adapter) is None
    label, reason = scenarios.not_applicable_for(adapter, ["CRDCompatibility"])
    assert label == "notApplicable"
    assert reason.startswith("reference names no previous release (spec.previousRelease.crds)")
    assert scenarios.not_applicable_for(adapter, ["PromotionOrdering"]) is None
    assert scenarios.not_applicable_for(adapters.load(adapters.resolve("reference")), ["CRDCompatibility"]) is None


def test_the_previous_release_is_the_adapters_own_plus_the_kinds_it_lacks(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "apps.yaml").write_text(
        (crd_sets.PROJECT_CURRENT / "lifecycle.keptn.sh_keptnapps.yaml").read_text())
    adapter = _adapter(tmp_path, lambda spec: spec.__setitem__("previousRelease", {"version": "v0.9", "crds": ["old"]}))
    previous = crd_sets.previous_release(crd_sets.project_current(), crd_sets.of_adapters_previous_release(adapter))
    assert previous.crd("KeptnApp").source.startswith(str(tmp_path / "old"))
    assert previous.crd("KeptnApp").versions.keys() == crd_sets.project_current().crd("KeptnApp").versions.keys()
    assert previous.crd("KeptnConfig") is crd_sets.project_current().crd("KeptnConfig")
    assert "reference: v0.9, previousRelease.crds old" in previous.description


def test_a_previous_release_path_that_does_not_exist_is_the_adapters_mistake(tmp_path):
    import pytest
    from harness.validated_yaml import ConfigError

    with pytest.raises(ConfigError, match=r"field spec.previousRelease.crds.0: 'nowhere' does not exist"):
        _adapter(tmp_path, lambda spec: spec.__setitem__("previousRelease", {"crds": ["nowhere"]}))


def test_a_previous_release_that_already_stores_v1_has_no_storage_migration_from_v1beta1_to_check(tmp_path):
    """Issue 22: Keptn's previous release (lifecycle-operator v2.0.0) stores v1 as its current one does;
    CRDUpgradeKeepsObjects checks objects stored as v1beta1 before the upgrade, and then says it
    cannot run here instead of charging Keptn with the API server's choice."""
    assert crd_sets.migration_premise(crd_sets.previous_release(crd_sets.project_current()), "v1beta1") is None
    stored_v1 = crd_sets.previous_release(crd_sets.project_current(), crd_sets.project_current())
    reason = crd_sets.migration_premise(stored_v1, "v1beta1")
    assert reason.endswith("stores v1, not v1beta1: an object created through v1beta1 is stored as v1 before the upgrade, "
                           "so there is no storage migration from v1beta1 to check")


def test_the_storage_migration_scenario_is_not_applicable_to_a_previous_release_that_stores_v1(tmp_path):
    """Decided before the run (not applicable, exit 0), from the scenario's own step text."""
    steps = ['the previous lifecycle CRDs', 'etcd still holds every object as "lifecycle.keptn.sh/v1beta1"']
    reference = adapters.load(adapters.resolve("reference"))
    assert scenarios.not_applicable_for(reference, ["CRDCompatibility"], steps) is None
    (tmp_path / "v1").mkdir()
    for crd in crd_sets.PROJECT_CURRENT.glob("lifecycle.keptn.sh_*.yaml"):
        (tmp_path / "v1" / crd.name).write_text(crd.read_text())
    stores_v1 = _adapter(tmp_path, lambda spec: spec.__setitem__("previousRelease", {"version": "v2", "crds": ["v1"]}))
    label, reason = scenarios.not_applicable_for(stores_v1, ["CRDCompatibility"], steps)
    assert label == "notApplicable" and "stores v1, not v1beta1" in reason
    assert scenarios.not_applicable_for(stores_v1, ["CRDCompatibility"], ["the previous lifecycle CRDs"]) is None
