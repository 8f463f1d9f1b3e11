"""The options of a conformance run, as one typed object.

They come from built-in defaults, then an options file (`--options`), then flags, in that order of
precedence (`resolve_options`). `promotion-conformance run` hands the object to its pytest session
(harness.plugin.session_options); a plain `pytest steps ...` builds the same object from pytest's own
command-line options. Under pytest-xdist the controlling process ships it to every worker, so no
process reads the run's options from environment variables.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from harness.paths import REPORTS
from harness.profiles import FEATURES
from harness.timeouts import Timeouts, timeouts_of
from harness.validated_yaml import ConfigError, load_validated

SCHEMA = json.loads((Path(__file__).parent / "options.schema.json").read_text())
PROVIDERS = ("auto", "simulated", "kind", "existing")
PROFILES = ("core", "extended", "all")


@dataclass(frozen=True)
class RunOptions:
    provider: str = "auto"
    kubeconfig: str | None = None
    context: str | None = None
    implementation: str = "reference"
    profile: str = "all"
    features: tuple[str, ...] = ()  # only these conformance features (empty: every claimed one)
    scenarios: tuple[str, ...] = ()  # only these scenario IDs (empty: every one)
    skip: tuple[str, ...] = ()  # scenario IDs skipped on request
    report_dir: str = str(REPORTS)  # a run writes <report_dir>/<run id>/
    keep_cluster: bool = False
    workers: int | None = None  # pytest-xdist workers (None: chosen from the machine, harness.workers)
    timeouts: dict = field(default_factory=dict)  # overrides, camelCase keys as in examples/options.yaml
    timeout_scale: float = 1.0  # multiplies every timeout (a slow machine)
    seed: int | None = None  # of every random choice of the reliability scenarios (None: a new one)
    soak: bool = False  # the long kill scenario (30 versions, 20 kills)
    shard: str = ""  # "K/N": only the K-th of N balanced parts of the catalogue (harness.shards)
    shard_durations: str = ""  # what the shards are balanced by: a scenarios.json (default: harness/shard_durations.json)
    run_dir: str | None = None  # this run's report folder, set once when the run starts

    @property
    def effective_timeouts(self) -> Timeouts:
        return timeouts_of(self.timeouts, self.timeout_scale)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "RunOptions":
        values = json.loads(text)
        for name in ("features", "scenarios", "skip"):
            values[name] = tuple(values[name])
        return cls(**values)


def new_run_dir(report_dir: str) -> str:
    """The report folder of a run that starts now: <report_dir>/<date-time>-<pid>."""
    return str(Path(report_dir).resolve() / (time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"))


# Options file keys (camelCase) → RunOptions fields.
_FILE_KEYS = {"reportDir": "report_dir", "keepCluster": "keep_cluster", "timeoutScale": "timeout_scale",
              "shardDurations": "shard_durations"}


def from_file(path: Path) -> dict:
    document = load_validated(path, SCHEMA, "options file") or {}
    values = {_FILE_KEYS.get(key, key): value for key, value in document.items()}
    for key in ("features", "scenarios", "skip"):
        if key in values:
            values[key] = tuple(values[key])
    if "implementation" in values and not Path(values["implementation"]).is_absolute():
        # a path in the options file is relative to that file, a built-in name stays a name
        candidate = Path(path).parent / values["implementation"]
        values["implementation"] = str(candidate) if candidate.exists() else values["implementation"]
    return values


def resolve_options(options_file: str | None, flags: dict) -> RunOptions:
    """defaults < options file < flags (a flag left at None does not override); a value that makes
    no sense is a ConfigError naming the option."""
    options = RunOptions()
    if options_file:
        options = replace(options, **from_file(Path(options_file)))
    given = {k: v for k, v in flags.items() if v is not None and k in {f.name for f in fields(RunOptions)}}
    options = replace(options, **given)
    check(options)
    return options


def check(options: RunOptions) -> None:
    """What the schema of the options file cannot say about flags and their combination."""
    if options.provider not in PROVIDERS:
        raise ConfigError(f"--provider: {options.provider!r} is not a provider; expected one of {', '.join(PROVIDERS)}")
    if options.profile not in PROFILES:
        raise ConfigError(f"--profile: {options.profile!r} is not a profile; expected one of {', '.join(PROFILES)}")
    unknown = [f for f in options.features if f not in FEATURES]
    if unknown:
        raise ConfigError(f"--features: unknown conformance feature(s) {', '.join(unknown)}; known: {', '.join(FEATURES)}")
    if options.scenarios or options.skip:
        from harness.catalogue import scenario_ids

        known = scenario_ids()
        for option, ids in (("--scenarios", options.scenarios), ("--skip", options.skip)):
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise ConfigError(f"{option}: unknown scenario ID(s) {', '.join(unknown)}; `promotion-conformance list` "
                                  "shows every ID")
    if options.shard:
        from harness import shards

        shards.parse(options.shard)
        if options.shard_durations:
            shards.durations(Path(options.shard_durations))
    elif options.shard_durations:
        raise ConfigError("--shard-durations balances shards: it goes with --shard K/N")
    if options.workers is not None and options.workers < 1:
        raise ConfigError(f"-n/workers: {options.workers} workers; expected at least 1")
    if options.timeout_scale <= 0:
        raise ConfigError(f"--timeout-scale/timeoutScale: {options.timeout_scale}; expected a number above 0")
    if options.provider == "existing" and not options.kubeconfig:
        raise ConfigError("--provider existing needs --kubeconfig (or kubeconfig: in the options file)")
    if options.provider != "existing" and options.kubeconfig:
        raise ConfigError(f"--kubeconfig is for --provider existing; the {options.provider} provider creates its own cluster")
