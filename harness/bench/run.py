"""`promotion-conformance bench`: bring up a simulated cluster, run the stages against the
reference controller, write the report, remove the cluster.

Exit codes: 0 the report was written; 1 the cluster could not be made or a stage stopped with an
error (the report is still written when possible); 2 bad usage. Never 1 because of a figure.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
import uuid
from datetime import datetime, timezone
from pathlib import Path

from kubernetes import client, config

from harness.bench import machine, report, source, summary
from harness.bench.context import Bench
from harness.bench.controller import Controller
from harness.bench.plan import FULL, QUICK
from harness.bench.profile import ProfilerMissing, py_spy
from harness.bench.stages import ceiling, latency, overhead, parallelism, scale
from harness.clusters import registry
from harness.clusters.provider import ProviderError
from harness.clusters.simulated import SimulatedProvider
from harness.implementations.runner import ImplementationError
from harness.library.kube import Kube
from harness.paths import REPORTS
from harness.settings import TIMEOUTS

# In this order: the ceiling stops the controller, so it runs last.
STAGES = {"overhead": overhead.run, "latency": latency.run, "parallelism": parallelism.run, "scale": scale.run,
          "ceiling": ceiling.run}


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.profile:
        try:
            py_spy()
        except ProfilerMissing as error:
            print(f"promotion-conformance bench: {error}", file=sys.stderr)
            return 2
    signal.signal(signal.SIGTERM, _terminated)  # so that `finally` removes the cluster on SIGTERM too
    plan = QUICK if args.quick else FULL
    chosen = [stage for stage in STAGES if stage in (args.only or STAGES)]
    run_id = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    folder = Path(args.output)
    started, load_at_start, code = _now(), machine.load_average(), source.describe()
    say(f"run {run_id} ({plan.mode}): {', '.join(chosen)}; reports in {folder}")

    cluster = SimulatedProvider(f"bench-{uuid.uuid4().hex[:6]}", ready_timeout=TIMEOUTS.cluster_ready)
    registry.record(cluster, owner_pid=os.getpid())  # deleted by the next run if this one dies
    stages: dict[str, dict] = {}
    try:
        began = time.monotonic()
        cluster.create()
        ready_seconds = time.monotonic() - began
        api_client = config.new_client_from_config(config_file=str(cluster.kubeconfig))
        cluster_figures = {"provider": "simulated", "name": cluster.name,
                           "kubernetesVersion": client.VersionApi(api_client).get_code().git_version,
                           "createToReadySeconds": round(ready_seconds, 2)}
        controller = Controller(cluster.kubeconfig, folder / run_id, Kube(api_client), say)
        controller.install()
        try:
            controller.start(promotion=True)  # stages that need another setting restart it
            bench = Bench(api_client, controller, plan, say, profile_dir=folder / run_id if args.profile else None)
            for stage in chosen:
                stages[stage] = _run_stage(stage, bench)
        finally:
            controller.stop()
    except (ProviderError, ImplementationError) as error:
        print(f"promotion-conformance bench: {error}", file=sys.stderr)
        return 1
    finally:
        say(f"deleting cluster {cluster.name!r}")
        cluster.delete()
        registry.forget(cluster.name)

    result = report.build(
        run_id=run_id, mode=plan.mode, command=" ".join(["promotion-conformance", "bench", *argv]),
        started=started, finished=_now(), source=code,
        machine={**machine.describe(), "loadAverage": {"start": load_at_start, "end": machine.load_average()}},
        cluster=cluster_figures, stages=stages,
    )
    data, text = report.write(result, folder)
    print(summary.render(result), end="")
    say(f"wrote {data} and {text}")
    return 1 if any("error" in section for section in stages.values()) else 0


def _run_stage(stage: str, bench: Bench) -> dict:
    say(f"stage {stage}")
    began = time.monotonic()
    try:
        section = STAGES[stage](bench)
    except Exception as error:  # noqa: BLE001 - one broken stage must not cost the others' figures
        traceback.print_exc()
        section = {"error": f"{type(error).__name__}: {error}"}
    say(f"stage {stage} took {time.monotonic() - began:.0f}s")
    return section


def _terminated(_signum, _frame) -> None:
    raise KeyboardInterrupt("SIGTERM")


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="promotion-conformance bench",
        description="Benchmarks of the reference controller on a simulated cluster; figures are printed, never enforced.")
    parser.add_argument("--quick", action="store_true",
                        help=f"small counts for a smoke run ({QUICK.overhead_versions} versions per setting, "
                             f"N={','.join(map(str, QUICK.parallel_tasks))}, {QUICK.scale_versions} scale versions)")
    parser.add_argument("--only", action="append", choices=STAGES, metavar="STAGE",
                        help=f"run only this stage (repeatable): {', '.join(STAGES)}")
    parser.add_argument("--profile", action="store_true",
                        help="sample the controller with py-spy during the scale stage "
                             "(its figures then carry py-spy's cost)")
    parser.add_argument("--output", default=str(REPORTS / "bench"), help="folder of the reports (default reports/bench)")
    return parser
