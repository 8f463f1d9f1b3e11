"""Which scenarios run, and what each gets: a namespace of its own, its isolation, and the
timeline and diagnostics written after it.

A scenario runs when the implementation claims its conformance feature, it is selected (profile,
`--features`, `--scenarios`, not `--skip`), and it applies on the run's provider. With `--shard K/N`
the scenarios of the other shards are deselected first. The others are
skipped at collection with a label the report reads: `unsupported` (feature not claimed),
`skipped` (left out on request) or `notApplicable` (the provider cannot do what it needs).
"""
from __future__ import annotations

import fcntl
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import session
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.library.recorder import Recorder
from harness.plugin.session_cluster import chosen_provider, makes_clusters, say
from harness.plugin.session_options import adapter_of, options_of
from harness.report.collector import SKIP_LABEL, scenario_labels

_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def _why_not(item: pytest.Item, config: pytest.Config, adapter: adapters.Adapter) -> tuple[str, str] | None:
    """(label, reason) when the scenario does not run, else None."""
    options = options_of(config)
    scenario_id = next((m.args[0] for m in item.iter_markers("id")), None)
    features = [m.args[0] for m in item.iter_markers("feature")]
    if not features:
        return None  # not a conformance scenario (unit tests, the cluster's own features)
    unclaimed = [f for f in features if f not in adapter.features]
    if unclaimed:
        return "unsupported", f"{adapter.name} does not claim {', '.join(unclaimed)}"
    if options.features and not set(features) <= set(options.features):
        return "skipped", f"{', '.join(features)} not selected (--features)"
    # --scenarios and --skip take a scenario's ID or one example's of an outline (`ID[2-listed]`)
    run_id = (scenario_labels(item) or {}).get("id", scenario_id)
    if options.scenarios and not {scenario_id, run_id} & set(options.scenarios):
        return "skipped", f"{run_id} not selected (--scenarios)"
    if {scenario_id, run_id} & set(options.skip):
        return "skipped", f"{run_id} skipped on request (--skip)"
    needed = [m.args[0] for m in item.iter_markers("provider")]
    if needed and chosen_provider(config) not in needed:
        return "notApplicable", (f"needs the {' or '.join(needed)} provider (its control plane runs as local processes); "
                                 f"this run uses {chosen_provider(config)}")
    return not_applicable_for(adapter, features, _steps_of(item))


def _steps_of(item: pytest.Item) -> list[str]:
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    template = scenario_wrapper_template_registry.get(getattr(item, "function", None))
    return [step.name for step in template.steps] if template is not None else []


def not_applicable_for(adapter: adapters.Adapter, features: list[str], steps: list[str] = ()) -> tuple[str, str] | None:
    """What the adapter lacks for a scenario of `features` to apply. The CRD compatibility scenarios
    upgrade from the implementation's own previous release: without one named, there is nothing to
    compare with (another project's release would charge it with differences it never shipped); a
    scenario about objects the previous release stored as one version applies only when it stores that
    version (`steps`: the scenario's step texts)."""
    if "CRDCompatibility" not in features:
        return None
    if not adapter.previous_crd_paths:
        return "notApplicable", (f"{adapter.name} names no previous release (spec.previousRelease.crds): the CRD "
                                 "compatibility scenarios check the upgrade from it")
    from harness.library.crds import crd_sets

    previous = crd_sets.of_adapters_previous_release(adapter)
    if why := crd_sets.premise_of_steps(crd_sets.previous_release(previous, previous), list(steps)):
        return "notApplicable", why
    return None


def _outside_the_shard(config, items: list[pytest.Item]) -> list[pytest.Item]:
    """With `--shard K/N`: the conformance scenarios that belong to another shard (harness.shards),
    split from those collected and selected (`-m`), which every shard of a run shares; they are
    deselected, so each shard's report holds its own part and `report merge` the whole."""
    options = options_of(config)
    if not options.shard:
        return []
    from harness import shards

    run_ids = {item: labels["id"] for item in items if (labels := scenario_labels(item))}
    seconds = shards.durations(Path(options.shard_durations) if options.shard_durations else None)
    mine = shards.members(shards.parse(options.shard), list(run_ids.values()), seconds)
    return [item for item, run_id in run_ids.items() if run_id not in mine]


@pytest.hookimpl(trylast=True)  # after `-m` deselected what the run does not select
def pytest_collection_modifyitems(config, items):
    adapter = adapter_of(config)
    elsewhere = _outside_the_shard(config, items)
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        gone = set(elsewhere)
        items[:] = [item for item in items if item not in gone]
    for item in items:
        why = _why_not(item, config, adapter)
        if why is not None:
            label, reason = why
            item.user_properties.append((SKIP_LABEL, label))
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag, function):
    """Gherkin tags `@key:value` become the marker `key("value")`; plain tags stay plain markers."""
    key, sep, value = tag.partition(":")
    marker = getattr(pytest.mark, key)(value) if sep else getattr(pytest.mark, tag)
    marker(function)
    return True


@pytest.fixture
def namespace(kube, request) -> str:
    """A fresh namespace per scenario, deleted afterwards (through the dynamic client the steps
    use: building CoreV1Api's typed models cost each worker about a CPU second)."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": name,
        "labels": {"promotion-conformance/test": re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:63].strip("-_.")
                   or "scenario"},
        "annotations": {"keptn.sh/lifecycle-toolkit": "enabled"},
    }})
    yield name
    kube.delete("Namespace", name)


@pytest.fixture(autouse=True)
def _isolation(request, pytestconfig):
    """Scenarios tagged @exclusive change cluster-wide settings (the feature flag, KeptnConfig, the
    implementation killed, the API server restarted). Where the provider can make clusters, each
    gets an environment of its own (harness.plugin.session_cluster) and nothing is locked; on a cluster
    the run was given (`--provider existing`) they hold an exclusive lock, every other test a
    shared one, across all xdist workers."""
    if makes_clusters(pytestconfig):
        yield
        return
    folder = session.shared_dir(pytestconfig)
    folder.mkdir(parents=True, exist_ok=True)
    exclusive = request.node.get_closest_marker("exclusive") is not None
    with open(folder / "isolation.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report_ = yield
    if report_.when == "call":
        item.stash[_CALL_REPORT] = report_
    return report_


def call_report(item) -> pytest.TestReport | None:
    """The report of a scenario's call phase (None before it ran), for what is written after it."""
    return item.stash.get(_CALL_REPORT, None)


def after_scenario(item, kube, namespace: str, implementation: Implementation, recorder: Recorder) -> None:
    """Write the scenario's timeline from what its watch saw, and its diagnostics if it failed
    (called from its fixture teardown)."""
    from harness.library.diagnostics import write_scenario_timeline

    labels = scenario_labels(item)
    call = call_report(item)
    if labels is None or call is None:
        return
    write_scenario_timeline(recorder, Path(options_of(item.config).run_dir), labels["id"],
                            "failed" if call.failed else "passed")
    diagnostics_if_failed(item, kube, namespace, implementation.log_tail)


def diagnostics_if_failed(item, kube, namespace: str | None, log_tail: Callable[[], str],
                          collect: Callable[[Path], None] | None = None) -> Path | None:
    """The diagnostics folder of a failed scenario (None when it passed): every lifecycle object of
    its namespace (if it had one), its Jobs, pods and events, the implementation's log tail, and what the feature's
    own collector adds (`collect(folder)`, e.g. the CRDs of a CRD scenario's cluster). Written once
    here for every feature, from its fixture teardown."""
    from harness.library.diagnostics import write_diagnostics

    labels = scenario_labels(item)
    call = call_report(item)
    if labels is None or call is None or not call.failed:
        return None
    folder = write_diagnostics(kube, namespace, Path(options_of(item.config).run_dir) / "diagnostics" / labels["id"],
                               call.longreprtext, log_tail())
    if collect is not None:
        collect(folder)
    say(f"diagnostics of {labels['id']}: {folder}")
    return folder
