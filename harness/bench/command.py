"""`promotion-conformance bench [--impl ADAPTER]...`: for each implementation in turn, bring up a
fresh cluster of the chosen provider, install and start the implementation through its adapter,
run the stages, remove the cluster; then write one report with every implementation side by side.

Exit codes: 0 the report was written; 1 a cluster or an implementation could not be brought up, or
a stage stopped with an error (the report is still written when possible); 2 bad usage or a bad
adapter file; 130 / 143 stopped by Ctrl-C / SIGTERM (the cluster is removed, and the report of
what was measured until then is written). Never 1 because of a figure.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import time
import traceback
import uuid
from datetime import datetime, timezone
from pathlib import Path

from kubernetes import client

from harness import environment
from harness.bench import machine, benchmark_report, source, summary
from harness.bench.stage_inputs import Bench
from harness.bench.measured_implementation import Measured
from harness.bench.plan import FULL, QUICK, Plan
from harness.bench.profile import ProfilerMissing, py_spy
from harness.bench.stages import ceiling, latency, overhead, parallelism, scale
from harness.clusters.provider import ProviderError
from harness.console import speaker
from harness.eventually import WaitTimedOut
from harness.heartbeat import heartbeat
from harness.implementations import adapter as adapters
from harness.implementations.runner import ImplementationError
from harness.kube import Kube
from harness.paths import REPORTS
from harness.validated_yaml import ConfigError

# In this order: the ceiling stops the implementation, so it runs last.
STAGES = {"overhead": overhead.run, "latency": latency.run, "parallelism": parallelism.run, "scale": scale.run,
          "ceiling": ceiling.run}
PROVIDERS = ("simulated", "kind")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        chosen_adapters = _adapters(args.impl or ["reference"], args.provider)
        if args.profile:
            py_spy()
    except (ConfigError, ProfilerMissing) as error:
        print(f"promotion-conformance bench: {error}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminated)  # so that `finally` removes the cluster on SIGTERM too
    plan = QUICK if args.quick else FULL
    limits = {field: value for field, value in (("stage_timeout", args.stage_timeout),
                                                ("scale_timeout", args.scale_timeout)) if value is not None}
    plan = dataclasses.replace(plan, **limits)
    chosen = [stage for stage in STAGES if stage in (args.only or STAGES)]
    run_id = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    folder = Path(args.output)
    started, load_at_start, code = _now(), machine.load_average(), source.describe()
    say(f"run {run_id} ({plan.mode}): {', '.join(chosen)} for {', '.join(a.name for a in chosen_adapters)}; "
        f"reports in {folder}")

    columns, interrupted = [], None
    for adapter, name in zip(chosen_adapters, column_names([a.name for a in chosen_adapters])):
        say(f"implementation {name} ({adapter.path})")
        column = _column(adapter, name)
        columns.append(column)
        try:
            _measure(column, adapter, args.provider, plan, chosen, folder / run_id / name,
                     folder / run_id if args.profile else None)
        except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM: the cluster is gone; keep what was measured
            interrupted = str(stop) or "SIGINT"
            column["error"] = f"interrupted ({interrupted}) during the run"
            column["loadAverage"]["end"] = machine.load_average()
            break

    result = benchmark_report.build(
        run_id=run_id, plan=plan, command=" ".join(["promotion-conformance", "bench", *argv]),
        started=started, finished=_now(), source=code,
        machine={**machine.describe(), "loadAverage": {"start": load_at_start, "end": machine.load_average()}},
        provider=args.provider, implementations=columns,
    )
    data, text = benchmark_report.write(result, folder)
    print(summary.render(result), end="")
    say(f"wrote {data} and {text}")
    if interrupted:
        return 143 if interrupted == "SIGTERM" else 130
    failed = any(column.get("error") or any("error" in s for s in column["stages"].values()) for column in columns)
    return 1 if failed else 0


def _adapters(names: list[str], provider: str) -> list[adapters.Adapter]:
    """The adapter files, checked before any cluster exists (a bad one is exit 2)."""
    loaded = [adapters.load(adapters.resolve(name)) for name in names]
    for adapter in loaded:
        adapter.must_run_on(provider)
    return loaded


def column_names(names: list[str]) -> list[str]:
    """The adapters' names, made unique (two adapters may call themselves the same)."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return unique


def _column(adapter: adapters.Adapter, name: str) -> dict:
    return {"name": name, "adapter": str(adapter.path), "mode": adapter.mode, "implementation": dict(adapter.metadata),
            "cluster": None, "loadAverage": {"start": machine.load_average(), "end": 0.0}, "stages": {}}


def _measure(column: dict, adapter: adapters.Adapter, provider: str, plan: Plan, chosen: list[str], log_dir: Path,
             profile_dir: Path | None) -> None:
    """One implementation on a cluster of its own, filling its column of the report as it goes
    (so that an interrupted run still reports what was measured)."""
    name = column["name"]
    try:
        began = time.monotonic()
        # deleted at the end, also on Ctrl-C and SIGTERM; by the next run if this one dies
        with environment.owned_cluster(environment.provider(provider, f"bench-{uuid.uuid4().hex[:6]}"), say=say) as cluster:
            api_client = environment.client_of(cluster.kubeconfig)
            column["cluster"] = {"provider": provider, "name": cluster.name,
                                 "kubernetesVersion": client.VersionApi(api_client).get_code().git_version,
                                 "createToReadySeconds": round(time.monotonic() - began, 2)}
            implementation = Measured(adapter, cluster.kubeconfig, log_dir, Kube(api_client), say)
            with heartbeat(say, f"installing {name}"):
                implementation.install()
            try:
                implementation.start(promotion=True)  # stages that need another setting restart it
                bench = Bench(api_client, implementation, plan, say, profile_dir=profile_dir)
                for stage in chosen:
                    try:
                        column["stages"][stage] = _run_stage(stage, bench)
                    except KeyboardInterrupt:
                        column["stages"][stage] = {"error": "interrupted"}
                        raise
            finally:
                implementation.stop()
    except (ProviderError, ImplementationError, WaitTimedOut) as error:
        print(f"promotion-conformance bench: {name}: {error}", file=sys.stderr)
        column["error"] = str(error)
    column["loadAverage"]["end"] = machine.load_average()


def _run_stage(stage: str, bench: Bench) -> dict:
    say(f"stage {stage}")
    began = time.monotonic()
    try:
        gone = bench.implementation.exited()
        if gone:  # in an earlier stage: that stage says so; this one gets a fresh process
            say(f"  starting it again: {gone}")
            bench.implementation.start(promotion=True)
        with heartbeat(say, f"running stage {stage}"):
            section = STAGES[stage](bench)
    except Exception as error:  # noqa: BLE001 - one broken stage must not cost the others' figures
        traceback.print_exc()
        section = {"error": f"{type(error).__name__}: {error}"}
    say(f"stage {stage} took {time.monotonic() - began:.0f}s")
    return section


def _terminated(_signum, _frame) -> None:
    raise KeyboardInterrupt("SIGTERM")


say = speaker("bench")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f'"{text}": expected a number of seconds above 0')
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="promotion-conformance bench",
        description="Benchmarks of promotion-phase implementations, each on a fresh cluster, side by side; "
                    "figures are printed, never enforced.")
    parser.add_argument("--impl", action="append", metavar="ADAPTER",
                        help="an implementation's adapter file, or a built-in name (reference, keptn); repeatable: "
                             "the first is the one the others are compared with (default: reference)")
    parser.add_argument("--provider", choices=PROVIDERS, default="simulated",
                        help="the cluster provider of every implementation's cluster (default simulated)")
    parser.add_argument("--quick", action="store_true",
                        help=f"small counts for a smoke run ({QUICK.overhead_versions} versions per setting, "
                             f"N={','.join(map(str, QUICK.parallel_tasks))}, "
                             f"{','.join(map(str, QUICK.scale_versions))} scale versions)")
    parser.add_argument("--only", action="append", choices=STAGES, metavar="STAGE",
                        help=f"run only this stage (repeatable): {', '.join(STAGES)}")
    parser.add_argument("--stage-timeout", type=_seconds, metavar="SECONDS",
                        help=f"a stage that runs versions one by one starts none after this (default "
                             f"{FULL.stage_timeout:g}; an implementation that polls gets fewer versions, and the "
                             "report says how many were not started)")
    parser.add_argument("--scale-timeout", type=_seconds, metavar="SECONDS",
                        help=f"how long a scale run waits for its versions (default {FULL.scale_timeout:g}; those "
                             "not ended by then are reported with their phase)")
    parser.add_argument("--profile", action="store_true",
                        help="sample a local implementation with py-spy during the scale stage "
                             "(its figures then carry py-spy's cost)")
    parser.add_argument("--output", default=str(REPORTS / "bench"), help="folder of the reports (default reports/bench)")
    return parser
