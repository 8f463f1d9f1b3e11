"""Scale: many versions started together, each with a pre-, a post- and three promotion tasks of 0 s.

The controller is restarted first, so that its kernel high-water mark of resident memory (VmHWM)
is this stage's peak and its CPU time starts from a synced, idle process. The window runs from
the first KeptnApp created to the moment the controller released every Job it made (removed its
result finalizer), which is the last write a version costs it.

API requests are the API server's own counters (`apiserver_request_total`) over the window,
attributed by resource (see harness/bench/apiserver.py) minus the harness's own requests, plus the
Events the controller recorded (counted by listing them afterwards: kube-controller-manager writes
Events too, so the counter cannot tell them apart).
"""
from __future__ import annotations

import json
import time

from kubernetes import client

from harness.bench import apiserver, process
from harness.bench.context import Bench
from harness.bench.profile import Sampler, hot_spots
from harness.bench.stats import summarize
from harness.bench.workload import FINAL, Outcome, seconds
from harness.controller.events import COMPONENT
from harness.controller.jobs import JOB_RESULT_FINALIZER
from harness.contract.kinds import APP_VERSION, JOB
from harness.eventually import NotYet, WaitTimedOut, eventually
from harness.library import api_requests

PRE, POST = "pre-0s", "post-0s"
_SETTLE_SECONDS = 60  # after the last version ended, for the last Job finalizer to go
_MIB = 2**20


def run(bench: Bench) -> dict:
    plan = bench.plan
    promotion = [f"promote-{i}" for i in range(1, plan.scale_promotion_tasks + 1)]
    apps = [f"scale-{i:03d}" for i in range(plan.scale_versions)]
    bench.controller.start(promotion=True)
    pid = bench.controller.pid
    space = bench.space("scale", plan.scale_timeout + _SETTLE_SECONDS + 120)
    space.task_definitions([PRE, POST, *promotion])
    space.contexts_for(apps, {"preDeploymentTasks": [PRE], "postDeploymentTasks": [POST], "promotionTasks": promotion})

    idle = process.usage(pid)
    sampler = Sampler(pid, bench.profile_dir / "scale.pyspy.txt") if bench.profile_dir else None
    requests_before = api_requests.read(bench.api_client)
    own_before = space.sent + space.watcher.lists
    started_at, started = time.time(), time.monotonic()
    if sampler:
        sampler.start()
    for app in apps:
        space.app(app)
    created_in = time.monotonic() - started
    space.watcher.wait_until(lambda w: _final_count(w) >= len(apps),
                             f"all {len(apps)} KeptnAppVersions of the scale stage to end", plan.scale_timeout)
    space.watcher.wait_until(_jobs_released, f"the controller to remove {JOB_RESULT_FINALIZER} from every Job",
                             _SETTLE_SECONDS)
    window = time.monotonic() - started
    collapsed = sampler.stop() if sampler else None
    requests_after = api_requests.read(bench.api_client)
    busy = process.usage(pid)
    own = (space.sent + space.watcher.lists) - own_before
    space.watcher.stop()

    outcome = Outcome()
    for app in apps:
        outcome.add_final(space, app)
    served = api_requests.grown(requests_before, requests_after)
    requests = apiserver.controller_requests(served, own)
    events = _controller_events(bench.api_client, space.name)
    writes = sum(requests["writes"].values()) + events
    cpu = busy.cpu_seconds - idle.cpu_seconds
    last_end = max((seconds(v, "endTime") for v in outcome.succeeded), default=None)
    return {
        "versions": outcome.report(),
        "versionsStarted": len(apps),
        "tasksPerVersion": {"pre": 1, "post": 1, "promotion": len(promotion), "seconds": 0},
        "createSeconds": round(created_in, 3),
        "windowSeconds": round(window, 3),
        "versionsPerMinute": round(len(outcome.succeeded) / (last_end - started_at) * 60, 2) if last_end else None,
        "lifecycleSeconds": summarize([seconds(v, "endTime") - seconds(v, "startTime") for v in outcome.succeeded]),
        "controller": {
            "cpuSeconds": round(cpu, 2),
            "cpuSecondsPerVersion": round(cpu / len(apps), 4),
            "rssAtStartMiB": round(idle.rss_bytes / _MIB, 1),
            "peakRssMiB": round(busy.peak_rss_bytes / _MIB, 1),
            "profiled": sampler is not None,
        },
        "apiRequests": {
            "writesPerVersion": round(writes / len(apps), 2),
            "readsPerVersion": round(sum(requests["reads"].values()) / len(apps), 2),
            "events": events,
            "conflicts": requests["conflicts"],
            "refused": requests["refused"],
            "writes": requests["writes"],
            "reads": requests["reads"],
            "harnessOwnSubtracted": dict(sorted(own.items())),
        },
        "controllerWritesPerSecond": round(writes / window, 2),
        "profile": hot_spots(collapsed) if collapsed is not None else None,
    }


def _final_count(watcher) -> int:
    return sum(1 for v in watcher.objects(APP_VERSION) if (v.get("status") or {}).get("status") in FINAL)


def _jobs_released(watcher) -> bool:
    return not any(JOB_RESULT_FINALIZER in (j["metadata"].get("finalizers") or []) for j in watcher.objects(JOB))


def _controller_events(api_client: client.ApiClient, namespace: str) -> int:
    """Events the controller created in the namespace, once their count stops growing: it writes
    them off its reconcile path, so the last ones are still on their way when the last version
    ends (it creates each once and never updates it)."""
    seen = [-1]

    def settled() -> int:
        count = _events_now(api_client, namespace)
        if count != seen[0]:
            seen[0] = count
            raise NotYet(f"{count} Events so far")
        return count

    try:
        return eventually(settled, "the controller's Events to stop growing", _SETTLE_SECONDS)
    except WaitTimedOut:
        return seen[0]


def _events_now(api_client: client.ApiClient, namespace: str) -> int:
    answer = client.CoreV1Api(api_client).list_namespaced_event(
        namespace, field_selector=f"reportingComponent={COMPONENT}", _preload_content=False)
    return len(json.loads(answer.data)["items"])
