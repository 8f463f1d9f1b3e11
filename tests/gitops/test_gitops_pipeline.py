"""Pipeline files: the example loads as written, and each kind of mistake is refused naming the
file, the line and the field (exit code 2 from `simulate`)."""
from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from harness.gitops.pipeline import DEFAULT_SCRIPT, load, version_key
from harness.paths import REPO
from harness.validated_yaml import ConfigError

EXAMPLE = REPO / "examples" / "gitops" / "pipeline.yaml"


def test_the_example_loads_with_every_key():
    pipeline = load(EXAMPLE)
    assert pipeline.stage_names == ["dev", "staging", "prod"] and pipeline.boundaries() == [("dev", "staging"), ("staging", "prod")]
    assert [(r.version, r.at) for r in pipeline.releases] == [("1.0.0", 0), ("1.1.0", 20), ("1.2.0", 40), ("1.3.0", 60)]
    assert pipeline.faults.kill_every == 25 and pipeline.faults.evaluation_fails == {("staging", "1.2.0")}
    assert pipeline.stage("staging").evaluation.failing_value == "7"
    assert pipeline.promotion_script == DEFAULT_SCRIPT.read_text() and not pipeline.own_clusters


def write(tmp_path, **spec_changes):
    document = yaml.safe_load(EXAMPLE.read_text())
    document["spec"].pop("promotionScript")
    for key, value in spec_changes.items():
        if value is None:
            document["spec"].pop(key, None)
        else:
            document["spec"][key] = value
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_a_release_series_and_per_stage_clusters(tmp_path):
    pipeline = load(write(tmp_path, releases=None, releaseSeries={"from": "1.0.8", "count": 3, "every": "15s"}, faults=[],
                          clusters="per-stage"))
    assert [(r.version, r.at) for r in pipeline.releases] == [("1.0.8", 0), ("1.0.9", 15), ("1.0.10", 30)]
    assert pipeline.own_clusters == {"dev", "staging"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"releases": [{"version": "1.0", "at": "0s"}]}, r"pipeline.yaml:\d+: field spec.releases.0.version: '1.0' does not match"),
    ({"releases": [{"version": "1.1.0"}, {"version": "1.0.0"}]}, r"field spec.releases.1: releases must go up: 1.0.0 comes after 1.1.0"),
    ({"releases": None}, r"field \(document\)|field spec: .* is not valid under any of the given schemas"),
    ({"initialVersion": "2.0.0"}, r"the first release 1.0.0 must be newer than initialVersion 2.0.0"),
    ({"stages": [{"name": "dev"}, {"name": "dev"}]}, r"field spec.stages.1.name: stage 'dev' is listed twice"),
    ({"faults": [{"evaluationFails": {"stage": "qa", "version": "1.0.0"}}]}, r"field spec.faults: evaluationFails: no stage 'qa'"),
    ({"faults": [{"evaluationFails": {"stage": "dev", "version": "1.0.0"}}]}, r"stage 'dev' has no postDeploymentEvaluation"),
    ({"faults": [{"pushRefused": {"stage": "staging", "version": "9.0.0"}}]}, r"version 9.0.0 is not released"),
    ({"faults": [{"pushRefused": {"stage": "dev", "version": "1.0.0"}}]}, r"'dev' is the first stage"),
    ({"stages": [{"name": "dev", "blockDeployment": False}, {"name": "prod"}]}, r"field spec.clusters: blockDeployment is a setting"),
    ({"faults": [{"killController": {"every": "often"}}]}, r"field spec.faults.0.killController.every"),
    ({"promotionScript": "missing.sh"}, r"field spec.promotionScript: no such file"),
])
def test_mistakes_are_refused_naming_file_line_and_field(tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        load(write(tmp_path, **changes))


def test_simulate_exits_2_on_a_bad_pipeline_file(tmp_path):
    path = write(tmp_path, stages=[{"name": "dev"}])
    done = subprocess.run([sys.executable, "-m", "harness.cli", "simulate", str(path)], capture_output=True, text=True,
                          cwd=REPO)
    assert done.returncode == 2
    assert "pipeline.yaml" in done.stderr and "field spec.stages" in done.stderr


def test_versions_compare_by_number():
    assert version_key("1.10.0") > version_key("1.9.0") > version_key("1.0.0")
