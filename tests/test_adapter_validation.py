"""A mistake in an adapter file is a configuration error (exit 2) naming file, line and field,
found before any cluster work: never charged to the implementation."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.implementations import adapter as adapters
from harness.validated_yaml import ConfigError

REFERENCE = yaml.safe_load(adapters.resolve(None).read_text())


def _adapter(tmp_path: Path, change) -> Path:
    document = yaml.safe_load(yaml.safe_dump(REFERENCE))
    change(document["spec"])
    path = tmp_path / "my-operator.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _line(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_reference_and_keptn_adapters_are_valid():
    assert adapters.load(adapters.resolve("reference")).name == "reference"
    assert adapters.load(adapters.resolve("keptn")).name == "keptn"


def test_an_unknown_placeholder_names_its_field_and_the_known_ones(tmp_path):
    path = _adapter(tmp_path, lambda spec: spec["run"]["command"].__setitem__(3, "{kubecfg}"))
    with pytest.raises(ConfigError) as error:
        adapters.load(path)
    assert str(error.value) == (f"{path.resolve()}:{_line(path, '{kubecfg}')}: field spec.run.command.3: unknown placeholder "
                                "{kubecfg} in '{kubecfg}'; known: {python}, {kubectl}, {kubeconfig}, {repo}, "
                                "{adapter_dir}, {log_dir}")


def test_a_crd_path_that_does_not_exist_is_named(tmp_path):
    path = _adapter(tmp_path, lambda spec: spec["install"].__setitem__("crds", ["{repo}/fixtures/crds/curent"]))
    with pytest.raises(ConfigError, match=r"field spec.install.crds.0: '\{repo\}/fixtures/crds/curent' does not exist"):
        adapters.load(path)


def test_a_relative_crd_path_is_read_from_the_adapters_folder(tmp_path):
    (tmp_path / "crds").mkdir()
    assert adapters.load(_adapter(tmp_path, lambda spec: spec["install"].__setitem__("crds", ["crds"]))).name == "reference"


def test_crd_files_that_are_not_crds_the_api_server_takes_name_the_adapter_field_and_the_crd_line(tmp_path):
    """The CRD compatibility scenarios judge these files: a broken one is the adapter's mistake (exit 2)."""
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "cut.yaml").write_text("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: [")
    path = _adapter(tmp_path, lambda spec: spec["install"].__setitem__("crds", ["crds"]))
    with pytest.raises(ConfigError) as error:
        adapters.load(path)
    assert str(error.value).startswith(
        f"{path.resolve()}:{_line(path, '- crds')}: field spec.install.crds.0: 'crds' holds what the API server would not take "
        f"as CRDs: {tmp_path / 'crds' / 'cut.yaml'}:4: not valid YAML")


def test_claiming_the_feature_flag_needs_a_way_to_turn_it_off(tmp_path):
    path = _adapter(tmp_path, lambda spec: spec.pop("featureFlag"))
    with pytest.raises(ConfigError, match="field spec.features: claims PromotionFeatureFlag, so featureFlag.env"):
        adapters.load(path)


def test_an_empty_claim_is_refused(tmp_path):
    path = _adapter(tmp_path, lambda spec: spec.__setitem__("features", []))
    with pytest.raises(ConfigError, match=r"field spec.features: \[\] should be non-empty"):
        adapters.load(path)


def _in_cluster(spec: dict, features: list[str], pods: bool = False) -> None:
    spec["run"] = {"mode": "in-cluster", "start": [["true"]], "stop": [["true"]], "kill": [["true"]]}
    if pods:
        spec["run"]["pods"] = {"namespace": "my-system", "labelSelector": "app=my-operator"}
    spec["featureFlag"] = {"disable": [["true"]], "enable": [["true"]]}
    spec["features"] = features


def test_in_cluster_exactly_once_is_refused_since_the_replica_scenario_starts_a_process(tmp_path):
    path = _adapter(tmp_path, lambda spec: _in_cluster(spec, ["PromotionExactlyOnce"]))
    with pytest.raises(ConfigError, match="claims PromotionExactlyOnce.*needs run.mode process"):
        adapters.load(path)


def test_in_cluster_observability_needs_its_pods_to_tell_a_crash(tmp_path):
    with pytest.raises(ConfigError, match="field spec.run: claims PromotionObservability.*run.pods"):
        adapters.load(_adapter(tmp_path, lambda spec: _in_cluster(spec, ["PromotionObservability"])))
    assert adapters.load(_adapter(tmp_path, lambda spec: _in_cluster(spec, ["PromotionObservability"], pods=True)))


def test_an_adapter_that_needs_real_nodes_on_the_simulated_provider_exits_2_before_any_cluster(tmp_path, capsys):
    path = _adapter(tmp_path, lambda spec: spec.__setitem__("requirements", {"realNodes": True}))
    assert main(["run", "--impl", str(path), "--provider", "simulated", "--report-dir", str(tmp_path / "r")]) == 2
    error = capsys.readouterr().err
    assert f"{path.resolve()}:{_line(path, 'realNodes')}: field spec.requirements.realNodes: reference needs nodes" in error
    assert not (tmp_path / "r").exists()


def test_a_bad_placeholder_exits_2_through_the_cli(tmp_path, capsys):
    path = _adapter(tmp_path, lambda spec: spec["run"]["command"].__setitem__(3, "{kubecfg}"))
    assert main(["run", "--impl", str(path), "--provider", "simulated", "--report-dir", str(tmp_path / "r")]) == 2
    assert "unknown placeholder {kubecfg}" in capsys.readouterr().err


def test_the_example_adapter_for_an_operator_built_from_source_is_valid_beside_a_checkout(tmp_path):
    import shutil

    example = Path(__file__).parent.parent / "examples" / "adapters"
    shutil.copy(example / "operator-from-source.yaml", tmp_path)
    shutil.copytree(example / "operator-from-source", tmp_path / "operator-from-source")
    (tmp_path / "lifecycle-toolkit" / "lifecycle-operator" / "config" / "crd" / "bases").mkdir(parents=True)
    adapter = adapters.load(tmp_path / "operator-from-source.yaml")
    assert adapter.mode == "process" and not adapter.needs_real_nodes
    assert "PromotionExactlyOnce" not in adapter.features  # as Keptn: contract §6 is stricter than it
    with pytest.raises(ConfigError, match="lifecycle-operator/config/crd/bases' does not exist"):
        adapters.load(example / "operator-from-source.yaml")  # without the checkout beside it
