"""`promotion-conformance run`: the suite against one implementation, with reports.

Options come from built-in defaults, then an options file (--options), then flags, in that order
of precedence. The run is one pytest session: the harness's pytest plugin brings up the cluster,
installs and starts the implementation, and the report collector writes the ConformanceReport;
pytest writes JUnit XML and pytest-bdd cucumber JSON beside it.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import pytest

from harness.implementations import adapter as adapters
from harness.paths import REPO, REPORTS
from harness.profiles import FEATURES
from harness.validated_yaml import ConfigError, load_validated

SCHEMA = json.loads((Path(__file__).parent / "options.schema.json").read_text())


@dataclass(frozen=True)
class RunOptions:
    provider: str = "auto"
    kubeconfig: str | None = None
    context: str | None = None
    implementation: str = "reference"
    profile: str = "all"
    features: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    report_dir: str = str(REPORTS)
    keep_cluster: bool = False
    workers: int = 1
    timeouts: dict = field(default_factory=dict)


_FILE_KEYS = {"reportDir": "report_dir", "keepCluster": "keep_cluster"}


def from_file(path: Path) -> dict:
    document = load_validated(path, SCHEMA, "options file") or {}
    values = {_FILE_KEYS.get(key, key): value for key, value in document.items()}
    for key in ("features", "skip"):
        if key in values:
            values[key] = tuple(values[key])
    if "implementation" in values and not Path(values["implementation"]).is_absolute():
        # a path in the options file is relative to that file, a built-in name stays a name
        candidate = Path(path).parent / values["implementation"]
        values["implementation"] = str(candidate) if candidate.exists() else values["implementation"]
    return values


def resolve_options(options_file: str | None, flags: dict) -> RunOptions:
    """defaults < options file < flags (a flag left at None does not override)."""
    options = RunOptions()
    if options_file:
        options = replace(options, **from_file(Path(options_file)))
    given = {k: v for k, v in flags.items() if v is not None and k in {f.name for f in fields(RunOptions)}}
    options = replace(options, **given)
    unknown = [f for f in options.features if f not in FEATURES]
    if unknown:
        raise ConfigError(f"--features: unknown conformance feature(s) {', '.join(unknown)}; known: {', '.join(FEATURES)}")
    return options


def pytest_args(options: RunOptions, report_dir: Path) -> list[str]:
    marker = "feature" if options.profile == "all" else f"feature and {options.profile}"
    args = [
        str(REPO / "steps"), "-m", marker, "-q", "-p", "no:cacheprovider",
        f"--junitxml={report_dir / 'junit.xml'}", f"--cucumberjson={report_dir / 'cucumber.json'}",
        f"--rootdir={REPO}", "-c", str(REPO / "pyproject.toml"),
    ]
    if options.workers > 1:
        # loadgroup keeps the CRD compatibility scenarios (one cluster of their own) on one worker
        args += ["-n", str(options.workers), "--dist", "loadgroup"]
    return args


def environment(options: RunOptions, adapter_path: Path, report_dir: Path) -> dict[str, str]:
    env = {
        "PROVIDER": options.provider,
        "PROMOTION_IMPL": str(adapter_path),
        "PROMOTION_REPORT_DIR": str(report_dir),
        "PROMOTION_SKIP": ",".join(options.skip),
        "PROMOTION_FEATURES": ",".join(options.features),
        "PROMOTION_KEEP_CLUSTER": "1" if options.keep_cluster else "0",
        "PROMOTION_TIMEOUTS": json.dumps(options.timeouts),
    }
    if options.provider == "existing":
        env["PROMOTION_KUBECONFIG"] = str(Path(options.kubeconfig).expanduser()) if options.kubeconfig else ""
        env["PROMOTION_CONTEXT"] = options.context or ""
    return env


def run(options: RunOptions) -> int:
    adapter_path = adapters.resolve(options.implementation)
    adapter = adapters.load(adapter_path)  # ConfigError → exit 2, naming file, line and field
    if options.provider == "existing" and not options.kubeconfig:
        raise ConfigError("--provider existing needs --kubeconfig (or kubeconfig: in the options file)")
    report_dir = Path(options.report_dir).resolve() / (time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}")
    report_dir.mkdir(parents=True, exist_ok=True)
    print(f"running the {options.profile} profile(s) against {adapter.metadata['name']} {adapter.metadata['version']} "
          f"({adapter_path}); reports in {report_dir}", flush=True)
    if options.provider == "auto":
        from harness.clusters.choice import choose_provider

        chosen, reason = choose_provider("auto")
        print(reason, flush=True)
        options = replace(options, provider=chosen)
    os.environ.update(environment(options, adapter_path, report_dir))
    code = pytest.main(pytest_args(options, report_dir))
    print(f"reports: {report_dir} (conformance-report.yaml, junit.xml, cucumber.json, index.html)", flush=True)
    if code == pytest.ExitCode.OK:
        return 0
    if code == pytest.ExitCode.INTERRUPTED:
        print("the run was interrupted; the report says so", file=sys.stderr)
        return 1
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("no scenario was selected: check --profile, --features and the adapter's features", file=sys.stderr)
        return 2
    return 1 if code == pytest.ExitCode.TESTS_FAILED else 2
