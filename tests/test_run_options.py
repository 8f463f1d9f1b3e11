"""`promotion-conformance run`: options precedence, configuration errors, feature claims."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.implementations import adapter as adapters
from harness.options import SCHEMA, RunOptions, resolve_options
from harness.run import pytest_args, workers_of
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
    commented = {"kubeconfig", "context", "workers", "seed", "shard", "shardDurations"}
    schema_keys = set(SCHEMA["properties"]) - commented
    assert keys == schema_keys
    assert all(f"# {key}:" in sample.read_text() for key in commented)  # shown, commented out
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
    assert "PromotionExactlyOnce" not in keptn.features  # a known upstream defect (docs/contract.md §6)


def test_pytest_arguments_select_the_profile_and_write_junit_and_cucumber(tmp_path):
    args = pytest_args(RunOptions(profile="core", workers=2, run_dir=str(tmp_path)))
    assert args[args.index("-m") + 1] == "feature and core"
    assert f"--junitxml={tmp_path / 'junit.xml'}" in args and f"--cucumberjson={tmp_path / 'cucumber.json'}" in args
    assert args[args.index("-n") + 1] == "2"


def test_workers_are_as_set_or_else_chosen_from_the_machine(monkeypatch):
    from harness import run as run_module
    from harness.workers import GIB, Machine

    assert RunOptions().workers is None  # no -n, no workers: in the options file
    assert workers_of(RunOptions(workers=3)) == (3, "workers: 3 (set by -n or the options file)")
    monkeypatch.setattr(run_module, "measure_machine", lambda: Machine(cpus=2, load=0.4, available_bytes=18 * GIB))
    workers, reason = workers_of(RunOptions())
    assert workers == 2 and reason.startswith("workers: 2 (2 cores, load 0.4, 18 GiB free;")


def test_scenarios_of_unclaimed_features_are_reported_as_unsupported(pytester, tmp_path):
    """An adapter claiming only core features: the extended scenario is listed as unsupported, with why."""
    claims_core = tmp_path / "core-only.yaml"
    document = yaml.safe_load(adapters.resolve(None).read_text())
    document["metadata"]["name"] = "core-only"
    document["spec"]["features"] = ["PromotionOrdering"]
    claims_core.write_text(yaml.safe_dump(document))
    pytester.makefile(".feature", catalogue=CATALOGUE)
    pytester.makepyfile(test_catalogue=STEPS)
    result = pytester.runpytest("-p", "harness.plugin", "-p", "no:cacheprovider", "--impl", str(claims_core),
                                "--report-dir", str(tmp_path / "reports"), "--provider", "simulated")
    result.assert_outcomes(passed=1, skipped=1)
    report = _only_report(tmp_path / "reports")
    extended = next(p for p in report["profiles"] if p["name"] == "extended")
    assert extended["result"] == "skipped"
    assert extended["unsupportedTests"] == [{"id": "RetriesHold", "reason": "core-only does not claim PromotionRetriesAndTimeouts"}]
    core = next(p for p in report["profiles"] if p["name"] == "core")
    assert core["result"] == "success"


CATALOGUE = textwrap.dedent("""
    Feature: Claims
      @id:OrderingHolds @feature:PromotionOrdering @core
      Scenario: An ordering scenario
        Given nothing

      @id:RetriesHold @feature:PromotionRetriesAndTimeouts @extended
      Scenario: A retries scenario
        Given nothing
""")
STEPS = textwrap.dedent("""
    from pytest_bdd import given, scenarios
    scenarios("catalogue.feature")

    @given("nothing")
    def nothing():
        pass
""")


def _only_report(reports: Path) -> dict:
    (run_dir,) = reports.iterdir()
    return yaml.safe_load((run_dir / "conformance-report.yaml").read_text())


def test_a_scenario_skipped_at_run_time_is_not_run_and_the_profile_is_not_a_success(pytester, tmp_path):
    """A claimed, selected scenario that skips itself (the harness could not run it) is `notRun`."""
    pytester.makefile(".feature", catalogue=CATALOGUE)
    pytester.makepyfile(test_catalogue=STEPS.replace("pass", "import pytest; pytest.skip('no second replica here')"))
    result = pytester.runpytest("-p", "harness.plugin", "-p", "no:cacheprovider", "--report-dir",
                                str(tmp_path / "reports"), "--provider", "simulated")
    result.assert_outcomes(skipped=2)
    report = _only_report(tmp_path / "reports")
    core = next(p for p in report["profiles"] if p["name"] == "core")
    assert core["result"] == "partial" and core["notRunTests"] == [{"id": "OrderingHolds", "reason": "no second replica here"}]


def test_the_run_exits_1_when_a_claimed_scenario_could_not_run(tmp_path):
    from harness.run import exit_code
    from harness.signals import Stopped

    report = {"profiles": [{"statistics": {"failed": 0}, "notRunTests": [{"id": "ExactlyOnceWithTwoReplicas", "reason": "x"}]},
                           {"statistics": {"failed": 0}, "notRunTests": []}]}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(report))
    assert exit_code(0, tmp_path / "r.yaml", Stopped()) == 1
    report["profiles"][0]["notRunTests"] = []
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(report))
    assert exit_code(0, tmp_path / "r.yaml", Stopped()) == 0
    assert exit_code(2, tmp_path / "r.yaml", Stopped(15)) == 143
    assert exit_code(0, tmp_path / "missing.yaml", Stopped()) == 1


def test_timeouts_come_from_the_options_overrides_and_scale():
    options = RunOptions(timeouts={"lifecycle": 7}, timeout_scale=2)
    assert options.effective_timeouts.lifecycle == 14 and options.effective_timeouts.poll_interval == 0.2
    assert RunOptions().effective_timeouts.lifecycle == 120


@pytest.mark.parametrize(("flags", "message"), [
    ({"workers": 0}, "-n/workers: 0 workers; expected at least 1"),
    ({"workers": -1}, "-n/workers: -1 workers"),
    ({"skip": ("NoSuchScenario",)}, "--skip: unknown scenario ID\\(s\\) NoSuchScenario"),
    ({"scenarios": ("PromotionTaskContext", "Nope")}, "--scenarios: unknown scenario ID\\(s\\) Nope"),
    ({"timeout_scale": 0.0}, "timeoutScale: 0.0; expected a number above 0"),
    ({"provider": "existing"}, "--provider existing needs --kubeconfig"),
])
def test_options_that_make_no_sense_are_configuration_errors(flags, message):
    with pytest.raises(ConfigError, match=message):
        resolve_options(None, flags)


def test_options_travel_to_workers_unchanged():
    options = RunOptions(provider="simulated", scenarios=("PromotionTaskContext",), skip=("PromotionJobShape",),
                         timeouts={"lifecycle": 30}, seed=7, run_dir="/tmp/x")
    assert RunOptions.from_json(options.to_json()) == options


def test_two_shards_run_each_scenario_once_and_their_reports_merge_into_the_whole(pytester, tmp_path):
    from harness.report.merge import merge

    pytester.makefile(".feature", catalogue=CATALOGUE)
    pytester.makepyfile(test_catalogue=STEPS)
    ran = {}
    for index in (1, 2):
        reports = tmp_path / f"shard-{index}"
        result = pytester.runpytest("-p", "harness.plugin", "-p", "no:cacheprovider", "--report-dir", str(reports),
                                    "--provider", "simulated", "--shard", f"{index}/2")
        result.assert_outcomes(passed=1, deselected=1)
        (run_dir,) = reports.iterdir()
        ran[index] = run_dir
        assert yaml.safe_load((run_dir / "conformance-report.yaml").read_text())["shard"]["index"] == index
    merged = yaml.safe_load(merge(list(ran.values()), tmp_path / "merged").read_text())
    assert [(p["name"], p["result"], p["statistics"]["passed"]) for p in merged["profiles"]] == [
        ("core", "success", 1), ("extended", "success", 1)]
