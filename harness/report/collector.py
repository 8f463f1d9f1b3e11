"""pytest plugin: collect the outcome of every conformance scenario and write the ConformanceReport.

A conformance scenario is a test with an `id(...)` and a `feature(...)` marker (from its Gherkin
tags); its profile is its `core` / `extended` marker, or else the profile of its feature. Other
tests (unit tests, the cluster's own features) are not part of the report.

Under pytest-xdist the workers run the tests and the controlling process writes the report, so
the scenario's labels travel with its reports: `pytest_runtest_makereport` puts them into
`item.user_properties` (as `conformance.id`, `conformance.feature`, `conformance.profile`; they
also show as properties in the JUnit XML), and the controller, which receives every worker's
report through `pytest_runtest_logreport`, reads them back.

Coupling with the rest of the harness is one call, made by harness.plugin.session_options in every process
(workers included, since they must label the reports):

    report.configure(config, implementation={...}, provider={...} or a function returning it)

The report folder is the run's (harness.plugin.session_options).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from harness import coverage
from harness.catalogue import entries
from harness.clusters.provider import ProviderError
from harness.profiles import FEATURES
from harness.session import CreationFailed
from harness.report.conformance import build_report, write_report
from harness.report.html import write_html
from harness.report.outcome import Outcome, short_reason
from harness.timeouts import Timeouts

PLUGIN_NAME = "promotion-conformance-report"
PROPERTY = "conformance."  # prefix of the user_properties that carry a scenario's labels
OBSERVATION = "observation"  # the user_property of one cluster observation (harness.report.observe)
CLUSTER_FAILED = "cluster-failed"  # the user_property of a scenario the cluster failed (a ProviderError): notRun
NOT_STARTED = "not-started"  # of a scenario whose cluster or implementation could not be made (CreationFailed): notRun
SKIP_LABEL = "skip-label"  # why a scenario was skipped at collection (harness.plugin.scenarios): an Outcome status


def observe(item: pytest.Item, text: str) -> None:
    """Report what a scenario saw of the cluster beside its verdict (never as a failure)."""
    item.user_properties.append((OBSERVATION, text))


def scenario_labels(item: pytest.Item) -> dict[str, str] | None:
    """id, feature and profile of a conformance scenario; None for any other test."""
    scenario_id, feature = item.get_closest_marker("id"), item.get_closest_marker("feature")
    if scenario_id is None or feature is None:
        return None
    profiles = [profile for profile in ("core", "extended") if item.get_closest_marker(profile)]
    example = getattr(getattr(item, "callspec", None), "id", None)  # one outcome per example of an outline
    return {
        "id": scenario_id.args[0] + (f"[{example}]" if example else ""),
        "feature": feature.args[0],
        # a missing or doubled profile tag is reported by build_report, naming the scenario
        "profile": ",".join(profiles) or FEATURES.get(feature.args[0], "unknown"),
    }


def _failure_reason(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        message = crash.message
    else:  # e.g. a missing fixture: no crash entry, the message is on the `E ` lines
        lines = report.longreprtext.splitlines()
        message = next((line[1:] for line in lines if line.startswith("E ")), report.longreprtext)
    reason = short_reason(message)
    return reason if report.when == "call" else short_reason(f"error in {report.when}: {reason}")


def _skip_reason(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return short_reason(f"expected to fail: {report.wasxfail}")
    if isinstance(report.longrepr, tuple):  # (path, line, "Skipped: why")
        return short_reason(report.longrepr[2].removeprefix("Skipped: "))
    return short_reason(report.longreprtext)


class ConformanceCollector:
    def __init__(self, report_dir: Path, implementation: dict, provider: dict | Callable[[], dict],
                 claimed_features: Iterable[str] | None, mode: str, timeouts: Timeouts, timeout_scale: float,
                 shard: dict | None = None):
        self.report_dir = report_dir
        self.implementation = implementation
        self.provider = provider
        self.claimed_features = None if claimed_features is None else list(claimed_features)
        self.mode = mode
        self.timeouts = timeouts
        self.timeout_scale = timeout_scale
        self.shard = shard
        self.running: dict[str, Outcome] = {}  # by node ID, until its teardown is reported
        self.outcomes: dict[str, Outcome] = {}  # by node ID, in the order scenarios finished
        self.started = time.monotonic()
        self.written: list[str] = []  # what the terminal summary says at the end

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        labels = scenario_labels(item)
        if call.when == "setup" and labels:
            item.user_properties.extend((PROPERTY + key, value) for key, value in labels.items())
        report = yield
        if labels and call.excinfo is not None and call.excinfo.errisinstance(ProviderError):
            report.user_properties.append((CLUSTER_FAILED, call.when))  # travels to the xdist controller
        if labels and call.excinfo is not None and call.excinfo.errisinstance(CreationFailed):
            report.user_properties.append((NOT_STARTED, str(call.excinfo.value)))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        labels = {key.removeprefix(PROPERTY): value for key, value in report.user_properties
                  if isinstance(key, str) and key.startswith(PROPERTY)}
        if not labels:
            return
        observations = tuple(dict.fromkeys(value for key, value in report.user_properties if key == OBSERVATION))
        previous = self.running.pop(report.nodeid, None)
        duration = report.duration + (previous.duration if previous else 0.0)
        if previous and previous.status == "failed":  # the first failure is the reason
            status, reason = "failed", previous.reason
        elif report.failed and (why := next((value for key, value in report.user_properties if key == NOT_STARTED), None)):
            status, reason = "notRun", short_reason(why)
        elif report.failed and any(key == CLUSTER_FAILED for key, _ in report.user_properties):
            # the cluster, not the implementation (e.g. kube-apiserver not back after a restart)
            status, reason = "notRun", f"the cluster failed, not the implementation: {_failure_reason(report)}"
        elif report.failed:
            status, reason = "failed", _failure_reason(report)
        elif report.skipped:
            label = next((value for key, value in report.user_properties if key == SKIP_LABEL), "notRun")
            status, reason = label, _skip_reason(report)
        elif previous:
            status, reason = previous.status, previous.reason
        else:
            status, reason = "passed", ""
        outcome = Outcome(labels["id"], labels["feature"], labels["profile"], status, reason, duration, report.nodeid,
                          observations)
        # A scenario counts once its teardown is reported: one stopped by Ctrl-C mid-way is not counted as passed.
        (self.outcomes if report.when == "teardown" else self.running)[report.nodeid] = outcome

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(session.config, "workerinput") or not self.outcomes:
            return  # xdist workers only label; a run without conformance scenarios writes no report
        try:
            report = build_report(
                self.outcomes.values(),
                implementation=self.implementation,
                provider=self.provider() if callable(self.provider) else self.provider,
                claimed_features=self.claimed_features,
                mode=self.mode,
                interrupted=exitstatus == pytest.ExitCode.INTERRUPTED,
                wall_seconds=time.monotonic() - self.started,
                timeouts=self.timeouts,
                timeout_scale=self.timeout_scale,
                rule_coverage=coverage.measure(entries()),
                shard=self.shard,
            )
            self.written.append(f"conformance report: {write_report(report, self.report_dir, self.outcomes.values())}")
            self.written.append(f"conformance report page: {write_html(self.report_dir)}")
        except ValueError as exc:  # ReportInvalid, a mis-tagged scenario, a bad timeline file
            self.written.append(f"ERROR: the conformance report was not written: {exc}")
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.INTERNAL_ERROR

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for line in self.written:
            terminalreporter.write_line(line, red=line.startswith("ERROR"))


def describe_provider(config: pytest.Config, provider: Callable[[], dict]) -> None:
    """Name the run's cluster in the report with `provider()`, called when the report is written
    (the cluster plugin knows it only once the cluster exists: its Kubernetes version)."""
    collector = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if collector is not None:
        collector.provider = provider


def configure(config: pytest.Config, *, implementation: dict, provider: dict | Callable[[], dict],
              report_dir: str | Path, claimed_features: Iterable[str] | None = None, mode: str = "default",
              timeouts: Timeouts = Timeouts(), timeout_scale: float = 1.0, shard: dict | None = None) -> ConformanceCollector:
    """Register the collector for this pytest run (call it from pytest_configure, in every process).

    `provider` may be a function, called when the report is written, for what is only known once
    the cluster exists (its Kubernetes version). `claimed_features` None claims every feature.
    `timeouts` and `timeout_scale` are the run's effective ones, written into the report; `shard`
    says which part of a sharded run this is (harness.shards).
    """
    collector = ConformanceCollector(Path(report_dir), implementation, provider, claimed_features, mode, timeouts,
                                     timeout_scale, shard)
    config.pluginmanager.register(collector, PLUGIN_NAME)
    return collector
