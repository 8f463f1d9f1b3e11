"""`promotion-conformance run`: options precedence, configuration errors, feature claims."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.implementations import adapter as adapters
from harness.run import RunOptions, pytest_args, resolve_options
from harness.validated_yaml import ConfigError

pytest_plugins = ["pytester"]


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_defaults_then_options_file_then_flags(tmp_path):
    options_file = _write(tmp_path / "options.yaml", """
        provider: simulated
        profile: core
        workers: 3
        timeouts: {lifecycle: 300}
    """)
    assert resolve_options(None, {}) == RunOptions()
    from_file = resolve_options(str(options_file), {})
    assert (from_file.provider, from_file.profile, from_file.workers, from_file.timeouts) == ("simulated", "core", 3, {"lifecycle": 300})
    flagged = resolve_options(str(options_file), {"profile": "extended", "workers": None})
    assert (flagged.profile, flagged.workers) == ("extended", 3)  # a flag left unset does not override


def test_the_sample_options_file_shows_every_option_and_is_valid():
    sample = Path(__file__).parent.parent / "examples" / "options.yaml"
    keys = set(yaml.safe_load(sample.read_text()))
    schema_keys = set(__import__("harness.run", fromlist=["SCHEMA"]).SCHEMA["properties"]) - {"kubeconfig", "context"}
    assert keys == schema_keys
    assert "kubeconfig:" in sample.read_text() and "context:" in sample.read_text()  # shown, commented out
    resolve_options(str(sample), {})


def test_a_bad_options_file_names_file_line_and_field(tmp_path):
    options_file = _write(tmp_path / "options.yaml", """
        provider: simulated
        workers: many
    """)
    with pytest.raises(ConfigError, match=r"options.yaml:3: field workers: 'many' is not of type 'integer'"):
        resolve_options(str(options_file), {})


def test_an_unknown_feature_is_refused_with_the_known_ones():
    with pytest.raises(ConfigError, match="PromotionTeleport.*known: PromotionOrdering"):
        resolve_options(None, {"features": ("PromotionTeleport",)})


def test_a_broken_adapter_exits_2_naming_line_and_field(tmp_path, capsys):
    broken = _write(tmp_path / "broken.yaml", """
        apiVersion: promotion-conformance.keptn.sh/v1alpha1
        kind: Implementation
        metadata: {name: broken}
        spec:
          implementation: {name: x, version: "1", organization: o, url: "https://example.org", contact: [me]}
          install: {}
          run: {mode: process}
          features: [PromotionOrdering]
    """)
    assert main(["run", "--impl", str(broken), "--provider", "simulated"]) == 2
    assert "broken.yaml:8: field spec.run: 'command' is a required property" in capsys.readouterr().err


def test_built_in_adapters_are_valid_and_claim_known_features():
    reference = adapters.load(adapters.resolve(None))
    keptn = adapters.load(adapters.resolve("keptn"))
    assert reference.name == "reference" and not reference.needs_real_nodes and reference.mode == "process"
    assert keptn.needs_real_nodes and keptn.mode == "in-cluster"
    assert "PromotionExactlyOnce" not in keptn.features  # a known upstream defect (SPEC.md §6)


def test_pytest_arguments_select_the_profile_and_write_junit_and_cucumber(tmp_path):
    args = pytest_args(RunOptions(profile="core", workers=2), tmp_path)
    assert args[args.index("-m") + 1] == "feature and core"
    assert f"--junitxml={tmp_path / 'junit.xml'}" in args and f"--cucumberjson={tmp_path / 'cucumber.json'}" in args
    assert args[args.index("-n") + 1] == "2"


def test_scenarios_of_unclaimed_features_are_reported_as_skipped(pytester, tmp_path, monkeypatch):
    """An adapter claiming only core features: the extended scenario is listed as skipped, with why."""
    claims_core = tmp_path / "core-only.yaml"
    document = yaml.safe_load(adapters.resolve(None).read_text())
    document["metadata"]["name"] = "core-only"
    document["spec"]["features"] = ["PromotionOrdering"]
    claims_core.write_text(yaml.safe_dump(document))
    monkeypatch.setenv("PROMOTION_IMPL", str(claims_core))
    monkeypatch.setenv("PROMOTION_REPORT_DIR", str(tmp_path / "report"))
    pytester.makefile(".feature", catalogue=textwrap.dedent("""
        Feature: Claims
          @id:OrderingHolds @feature:PromotionOrdering @core
          Scenario: An ordering scenario
            Given nothing

          @id:RetriesHold @feature:PromotionRetriesAndTimeouts @extended
          Scenario: A retries scenario
            Given nothing
    """))
    pytester.makepyfile(test_catalogue=textwrap.dedent("""
        from pytest_bdd import given, scenarios
        scenarios("catalogue.feature")

        @given("nothing")
        def nothing():
            pass
    """))
    result = pytester.runpytest("-p", "harness.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    report = yaml.safe_load((tmp_path / "report" / "conformance-report.yaml").read_text())
    extended = next(p for p in report["profiles"] if p["name"] == "extended")
    assert extended["result"] == "skipped"
    assert extended["skippedTests"] == [{"id": "RetriesHold", "reason": "core-only does not claim PromotionRetriesAndTimeouts"}]
    core = next(p for p in report["profiles"] if p["name"] == "core")
    assert core["result"] == "success"


def test_timeouts_follow_the_environment_set_after_import(monkeypatch):
    from harness.settings import TIMEOUTS

    monkeypatch.setenv("PROMOTION_TIMEOUTS", '{"lifecycle": 7}')
    monkeypatch.setenv("PROMOTION_TIMEOUT_SCALE", "2")
    assert TIMEOUTS.lifecycle == 14 and TIMEOUTS.poll_interval == 0.2
    monkeypatch.delenv("PROMOTION_TIMEOUTS")
    assert TIMEOUTS.lifecycle == 240
