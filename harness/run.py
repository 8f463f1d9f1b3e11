"""`promotion-conformance run`: the suite against one implementation, with reports.

The run is one pytest session, handed its RunOptions (harness.options) as an object: the
harness's pytest plugin brings up the cluster, installs and starts the implementation, and the
report collector writes the ConformanceReport; pytest writes JUnit XML and pytest-bdd cucumber
JSON beside it. The exit code comes from that report:

    0  every claimed scenario that applies to this provider passed (the report says which did not
       apply, or were left out on request, and such a profile is `partial`, never `success`)
    1  a scenario failed, a claimed scenario could not run, or no report could be written
    2  a usage or configuration error (options, adapter file), named with file, line and field
    128+N  stopped by signal N (Ctrl-C 130, SIGTERM 143, SIGHUP 129), after cleaning up
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from harness.implementations import adapter as adapters
from harness.options import RunOptions, new_run_dir
from harness.paths import REPO
from harness.plugin.session_options import Carrier
from harness.report.conformance import REPORT_FILE
from harness.report.progress import PYTEST_ARGS as PROGRESS_PYTEST_ARGS
from harness.report.progress import Progress, terminal
from harness.signals import Stopped, stop_on_signals
from harness.workers import choose as choose_workers
from harness.workers import measure as measure_machine


def pytest_args(options: RunOptions) -> list[str]:
    """pytest's arguments for `options`, whose workers are decided (`workers_of`)."""
    marker = "feature" if options.profile == "all" else f"feature and {options.profile}"
    report_dir = Path(options.run_dir)
    args = [
        str(REPO / "steps"), "-m", marker, *PROGRESS_PYTEST_ARGS, "-p", "no:cacheprovider",
        f"--junitxml={report_dir / 'junit.xml'}", f"--cucumberjson={report_dir / 'cucumber.json'}",
        f"--rootdir={REPO}", "-c", str(REPO / "pyproject.toml"),
    ]
    # A person reads harness.report.progress's lines, and no warning about modules this process imported before pytest
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if options.workers > 1:
        # loadgroup keeps the CRD compatibility scenarios (one cluster of their own) on one worker
        args += ["-n", str(options.workers), "--dist", "loadgroup"]
    return args


def run(options: RunOptions) -> int:
    adapter_path = adapters.resolve(options.implementation)
    adapter = adapters.load(adapter_path)  # ConfigError → exit 2, naming file, line and field
    if options.provider == "auto":
        from harness.clusters.choice import choose_provider

        chosen, reason = choose_provider("auto")
        print(reason, flush=True)
        options = replace(options, provider=chosen)
    adapter.must_run_on(options.provider)
    workers, reason = workers_of(options)
    print(reason, flush=True)
    options = replace(options, workers=workers)
    run_dir = Path(new_run_dir(options.report_dir))
    run_dir.mkdir(parents=True, exist_ok=True)
    options = replace(options, implementation=str(adapter_path), run_dir=str(run_dir))
    print(f"running the {options.profile} profile(s) against {adapter.metadata['name']} {adapter.metadata['version']} "
          f"({adapter_path}) on the {options.provider} provider; reports in {run_dir}", flush=True)
    with stop_on_signals() as stopped:
        code = pytest.main(pytest_args(options), plugins=[Carrier(options), Progress(terminal())])
    print(f"reports: {run_dir} (conformance-report.yaml, junit.xml, cucumber.json, index.html)", flush=True)
    return exit_code(code, run_dir / REPORT_FILE, stopped)


def workers_of(options: RunOptions) -> tuple[int, str]:
    """The run's workers and one line saying why: as set (-n, or `workers:` in the options file), or
    chosen from what this machine has free."""
    if options.workers is not None:
        return options.workers, f"workers: {options.workers} (set by -n or the options file)"
    return choose_workers(measure_machine())


def exit_code(code: int, report_file: Path, stopped: Stopped) -> int:
    """The run's exit code from pytest's and from the ConformanceReport (see the module's docstring)."""
    if stopped.signal is not None:
        print(f"the run was stopped by {stopped.name}; what it started is removed and the report says so", file=sys.stderr)
        return 128 + stopped.signal
    if code == pytest.ExitCode.USAGE_ERROR:
        return 2
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("no scenario was selected: check --profile, --features, --scenarios and the adapter's features",
              file=sys.stderr)
        return 2
    if not report_file.exists():
        print(f"no ConformanceReport was written ({report_file})", file=sys.stderr)
        return 1
    report = yaml.safe_load(report_file.read_text())
    failed = sum(p["statistics"]["failed"] for p in report["profiles"])
    not_run = [t["id"] for p in report["profiles"] for t in p["notRunTests"]]
    if not_run:
        print(f"{len(not_run)} claimed scenario(s) could not run: {', '.join(not_run)}", file=sys.stderr)
    return 1 if failed or not_run or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) else 0
