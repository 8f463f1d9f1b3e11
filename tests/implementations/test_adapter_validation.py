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
                                "{adapter_dir}, {log_dir}, {env:NAME}")


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


def test_an_env_placeholder_is_filled_from_the_harness_environment(tmp_path, monkeypatch):
    """What only the user knows (where they built a binary, where their checkout is) comes from the
    environment: `{env:NAME}` in a command and in a path."""
    (tmp_path / "my-crds").mkdir()
    monkeypatch.setenv("MY_OPERATOR_BIN", "/opt/my operator/bin")
    monkeypatch.setenv("MY_CHECKOUT", str(tmp_path))

    def change(spec):
        spec["run"]["command"] = ["{env:MY_OPERATOR_BIN}/manager", "--kubeconfig", "{kubeconfig}"]
        spec["install"]["crds"] = ["{env:MY_CHECKOUT}/my-crds"]

    adapter = adapters.load(_adapter(tmp_path, change))
    assert adapter.crd_paths == [tmp_path / "my-crds"]
    values = {"kubeconfig": "/k/config"}
    assert [adapters.fill(arg, values) for arg in adapter.spec["run"]["command"]] == [
        "/opt/my operator/bin/manager", "--kubeconfig", "/k/config"]
    monkeypatch.setenv("MY_OPERATOR_BIN", "{kubeconfig}")  # a value is put in as it is
    assert adapters.fill("{env:MY_OPERATOR_BIN}", values) == "{kubeconfig}"


@pytest.mark.parametrize("value", [None, ""])
def test_an_env_placeholder_whose_variable_is_missing_is_refused_naming_file_line_field_and_variable(tmp_path, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("MY_OPERATOR_BIN", raising=False)
    else:
        monkeypatch.setenv("MY_OPERATOR_BIN", value)
    path = _adapter(tmp_path, lambda spec: spec["run"]["command"].__setitem__(0, "{env:MY_OPERATOR_BIN}"))
    with pytest.raises(ConfigError) as error:
        adapters.load(path)
    assert str(error.value) == (
        f"{path.resolve()}:{_line(path, '{env:MY_OPERATOR_BIN}')}: field spec.run.command.0: {{env:MY_OPERATOR_BIN}} in "
        f"'{{env:MY_OPERATOR_BIN}}': the environment variable MY_OPERATOR_BIN is {'not set' if value is None else 'empty'}; "
        "set it to what the adapter's comments say")


def test_a_missing_env_variable_exits_2_through_the_cli_before_any_cluster(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MY_OPERATOR_BIN", raising=False)
    path = _adapter(tmp_path, lambda spec: spec["run"]["command"].__setitem__(0, "{env:MY_OPERATOR_BIN}"))
    assert main(["run", "--impl", str(path), "--provider", "simulated", "--report-dir", str(tmp_path / "r")]) == 2
    assert "field spec.run.command.0: {env:MY_OPERATOR_BIN}" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def _keptn_checkout(root: Path) -> dict[str, str]:
    """An empty stand-in for what the Keptn adapter's variables name."""
    (root / "lifecycle-operator" / "config" / "crd" / "bases").mkdir(parents=True)
    metric = root / "metrics-operator" / "config" / "crd" / "bases" / "metrics.keptn.sh_keptnmetrics.yaml"
    metric.parent.mkdir(parents=True)
    metric.write_text((Path(__file__).parents[2] / "fixtures" / "crds" / "current" / "metrics.keptn.sh_keptnmetrics.yaml").read_text())
    (root / "previous").mkdir()
    return {"KEPTN_CHECKOUT": str(root), "KEPTN_OPERATOR_BIN": str(root / "lifecycle-operator-bin"),
            "KEPTN_PREVIOUS_CRDS": str(root / "previous")}


def test_the_keptn_adapter_is_valid_with_the_variables_that_name_the_users_checkout_and_binary(tmp_path, monkeypatch):
    example = Path(__file__).parents[2] / "examples" / "adapters" / "keptn-lifecycle-operator.yaml"
    for name, value in _keptn_checkout(tmp_path).items():
        monkeypatch.setenv(name, value)
    adapter = adapters.load(example)
    assert adapter.mode == "process" and not adapter.needs_real_nodes
    assert adapter.crd_paths[0] == tmp_path / "lifecycle-operator" / "config" / "crd" / "bases"
    assert adapter.previous_crd_paths == [tmp_path / "previous"]
    monkeypatch.delenv("KEPTN_OPERATOR_BIN")
    with pytest.raises(ConfigError, match="the environment variable KEPTN_OPERATOR_BIN is not set"):
        adapters.load(example)


def test_no_committed_file_builds_an_implementation():
    """Keptn is built by its user, as its own README says; nothing here runs `go build` on it."""
    example = Path(__file__).parents[2] / "examples" / "adapters"
    for path in example.rglob("*"):
        if path.is_file():
            assert "go build" not in path.read_text() and '"build"' not in path.read_text(), path
