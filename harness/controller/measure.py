"""Measure a running promotion controller: `python -m harness.controller.measure [flags]`.

Rolls out `--versions` versions of one KeptnApp, one after the other, each with one post-deployment
task and two promotion tasks whose simulated containers run `--task-seconds` (SPEC §7), and reports:
- promotion latency: last post-deployment item `endTime` → first promotion KeptnTask, measured at
  the moment this client's watch sees the task (microseconds; the controller must run on the same
  machine, it stamps endTime with its own clock) and from the task's `creationTimestamp` (which the
  API server truncates to whole seconds, so that figure is only good to ±1 s);
- lifecycle time of a version: status.startTime → status.endTime, and the part of it spent outside
  the task Jobs (each phase's first Job creation → last result recorded is subtracted);
- the controller's resident memory, read from its Prometheus endpoint (`--metrics-url`).
It works in its own namespace (created, and deleted at the end unless `--keep`).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.request
from datetime import datetime

from kubernetes import client, config, watch

from harness.controller.durations import DurationError, parse_duration
from harness.contract.kinds import APP, APP_CONTEXT, APP_VERSION, TASK, TASK_DEFINITION, Kind
from harness.contract.timestamps import now, parse_time

POST, PROMOTION = "measure-post", "measure-promote"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        task_seconds = parse_duration(args.task_duration)
    except DurationError as error:
        print(f"measure: error: --task-duration: {error}", file=sys.stderr)
        return 2
    config.load_kube_config(config_file=args.kubeconfig, context=args.context)
    api, core = client.CustomObjectsApi(), client.CoreV1Api()
    namespace = args.namespace
    core.create_namespace({"metadata": {"name": namespace}})
    seen = _TaskWatch(namespace)
    try:
        for definition in (POST, PROMOTION, f"{PROMOTION}-2"):
            _create(api, TASK_DEFINITION, namespace, definition, _task_definition(task_seconds))
        _create(api, APP_CONTEXT, namespace, "measured",
                {"postDeploymentTasks": [POST], "promotionTasks": [PROMOTION, f"{PROMOTION}-2"]})
        seen.start()
        versions = []
        for number in range(1, args.versions + 1):
            body = {"version": f"v{number}"}
            if number == 1:
                _create(api, APP, namespace, "measured", body)
            else:
                api.patch_namespaced_custom_object(APP.group, APP.version, namespace, APP.plural, "measured",
                                                   {"spec": body})
            versions.append(_wait_completed(api, namespace, f"v{number}", args.timeout))
        result = _summarise(api, namespace, versions, seen)
        result["controller_rss_mib"] = _rss_mib(args.metrics_url)
    finally:
        seen.stop()
        if not args.keep:
            core.delete_namespace(namespace)
    print(json.dumps(result, indent=2) if args.json else _text(result, args))
    return 0


class _TaskWatch:
    """When this client first saw each KeptnTask of the namespace."""

    def __init__(self, namespace: str):
        self.first_seen: dict[str, datetime] = {}
        self._namespace = namespace
        self._watch = watch.Watch()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._watch.stop()

    def _run(self) -> None:
        api = client.CustomObjectsApi()
        try:
            for event in self._watch.stream(api.list_namespaced_custom_object, TASK.group, TASK.version,
                                            self._namespace, TASK.plural):
                self.first_seen.setdefault(event["raw_object"]["metadata"]["name"], now())
        except Exception:
            if not self._stopped.is_set():  # stop() closes the connection under the reading thread
                raise


def _wait_completed(api: client.CustomObjectsApi, namespace: str, version: str, timeout: float) -> dict:
    """The KeptnAppVersion of `version` once its status is Succeeded or Failed (watched, not polled)."""
    stream = watch.Watch()
    for event in stream.stream(api.list_namespaced_custom_object, APP_VERSION.group, APP_VERSION.version, namespace,
                               APP_VERSION.plural, timeout_seconds=int(timeout)):
        kav = event["raw_object"]
        if kav["spec"].get("version") == version and (kav.get("status") or {}).get("status") in ("Succeeded", "Failed"):
            stream.stop()
            return kav
    raise TimeoutError(f"KeptnAppVersion of version {version} did not complete within {timeout:g}s")


def _summarise(api: client.CustomObjectsApi, namespace: str, versions: list[dict], seen: _TaskWatch) -> dict:
    tasks = api.list_namespaced_custom_object(TASK.group, TASK.version, namespace, TASK.plural)["items"]
    promotion_tasks: dict[str, list[dict]] = {}
    for task in tasks:
        if task["spec"].get("checkType") == "promotion":
            owner = task["metadata"]["ownerReferences"][0]["uid"]
            promotion_tasks.setdefault(owner, []).append(task)
    by_watch, by_creation, lifecycle, outside_jobs = [], [], [], []
    for kav in versions:
        status = kav["status"]
        lifecycle.append((parse_time(status["endTime"]) - parse_time(status["startTime"])).total_seconds())
        outside_jobs.append(lifecycle[-1] - sum(_job_span(tasks, kav, check_type) for check_type in ("post", "promotion")))
        post_end = max(parse_time(item["endTime"]) for item in status["postDeploymentTaskStatus"])
        own = promotion_tasks.get(kav["metadata"]["uid"], [])
        by_watch.append(min((seen.first_seen[t["metadata"]["name"]] - post_end).total_seconds() for t in own))
        by_creation.append(min((parse_time(t["metadata"]["creationTimestamp"]) - post_end).total_seconds() for t in own))
    return {"versions": len(versions), "statuses": sorted({kav["status"]["status"] for kav in versions}),
            "promotion_latency_seconds_watch": _stats(by_watch),
            "promotion_latency_seconds_creation_timestamp": _stats(by_creation),
            "lifecycle_seconds": _stats(lifecycle), "lifecycle_outside_jobs_seconds": _stats(outside_jobs)}


def _job_span(tasks: list[dict], kav: dict, check_type: str) -> float:
    """From the first Job of the phase created to the last Job result recorded (task status times)."""
    own = [t["status"] for t in tasks if t["metadata"]["ownerReferences"][0]["uid"] == kav["metadata"]["uid"]
           and t["spec"].get("checkType") == check_type]
    return (max(parse_time(s["endTime"]) for s in own) - min(parse_time(s["startTime"]) for s in own)).total_seconds()


def _stats(values: list[float]) -> dict:
    ordered = sorted(values)
    # p99 by the nearest-rank method: with fewer than 100 samples it is the largest one
    p99 = ordered[max(0, -(-99 * len(ordered) // 100) - 1)]
    return {"median": round(statistics.median(ordered), 4), "p99": round(p99, 4), "min": round(ordered[0], 4),
            "max": round(ordered[-1], 4)}


def _rss_mib(url: str) -> float | None:
    try:
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return None
    line = next((line for line in text.splitlines() if line.startswith("process_resident_memory_bytes ")), None)
    return round(float(line.split()[1]) / 2**20, 1) if line else None


def _task_definition(seconds: float) -> dict:
    return {"container": {
        "name": "task", "image": "busybox:1.36", "command": ["sh", "-c", "sleep ${SIM_RUN_FOR%s}; exit ${SIM_EXIT_CODE}"],
        "env": [{"name": "SIM_RUN_FOR", "value": f"{seconds:g}s"}, {"name": "SIM_EXIT_CODE", "value": "0"}]}}


def _create(api: client.CustomObjectsApi, kind: Kind, namespace: str, name: str, spec: dict) -> None:
    api.create_namespaced_custom_object(kind.group, kind.version, namespace, kind.plural, {
        "apiVersion": kind.api_version, "kind": kind.kind, "metadata": {"name": name}, "spec": spec})


def _text(result: dict, args: argparse.Namespace) -> str:
    def line(label: str, stats: dict) -> str:
        return (f"{label:<58} median {stats['median']:.4f}s  p99 {stats['p99']:.4f}s  "
                f"(min {stats['min']:.4f}s, max {stats['max']:.4f}s)")

    return "\n".join([
        f"{result['versions']} versions, tasks of {args.task_duration}, statuses {result['statuses']}",
        line("post endTime -> first promotion KeptnTask seen (watch)", result["promotion_latency_seconds_watch"]),
        line("post endTime -> first promotion creationTimestamp (±1s)",
             result["promotion_latency_seconds_creation_timestamp"]),
        line("version lifecycle (status.startTime -> endTime)", result["lifecycle_seconds"]),
        line("  of which outside the task Jobs (the controller's share)", result["lifecycle_outside_jobs_seconds"]),
        f"controller RSS: {result['controller_rss_mib']} MiB" if result["controller_rss_mib"] is not None
        else f"controller RSS: not available at {args.metrics_url}",
    ])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness.controller.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig")
    parser.add_argument("--context")
    parser.add_argument("--namespace", default=f"promotion-measure-{int(time.time())}")
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--task-duration", default="0s", help="how long each simulated task runs (Go duration)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one version may take")
    parser.add_argument("--metrics-url", default="http://127.0.0.1:8080/metrics")
    parser.add_argument("--keep", action="store_true", help="keep the namespace")
    parser.add_argument("--json", action="store_true")
    return parser


if __name__ == "__main__":
    sys.exit(main())
