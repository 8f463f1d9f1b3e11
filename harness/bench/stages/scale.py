"""Scale: many versions started together, each with a pre-, a post- and three promotion tasks of 0 s,
once per count of the plan (e.g. 200, then 1,000), to see how CPU and memory grow with it.

Before each run the implementation is restarted, so that a local process's kernel high-water mark
of resident memory (VmHWM) is that run's peak and its CPU time starts from a synced, idle
process. The window runs from the first KeptnApp sent to the moment no Job of the namespace holds
a finalizer any more (an implementation that keeps a Job's result with one, as the reference does,
has then made its last write for the run; one that adds none is done when its versions are).
Versions per minute count from the first KeptnApp sent to the last version the watch saw end.

API requests are the API server's own counters (`apiserver_request_total`) over the window,
attributed by resource (see harness/bench/apiserver.py) minus the harness's own requests, plus the
Events about Keptn objects (counted by listing them afterwards: kube-controller-manager writes
Events too, but about Jobs and Pods).
"""
from __future__ import annotations

import json
import time

from kubernetes import client

from harness.bench import apiserver, machine, moments
from harness.bench.stage_inputs import Bench
from harness.bench.measured_implementation import Exited, NotMeasurable
from harness.bench.profile import Sampler, hot_spots
from harness.bench.stats import summarize
from harness.bench.workload import Outcome, Space
from harness.contract.kinds import JOB
from harness.eventually import NotYet, WaitTimedOut, eventually
from harness.library import api_requests

PRE, POST = "pre-0s", "post-0s"
KEPTN_API = "lifecycle.keptn.sh/"
_SETTLE_SECONDS = 60  # after the last version ended, for the last Job finalizer to go
_MIB = 2**20
_ASK_EVERY = 1.0  # seconds between two reads of the whole record while waiting (the window's resolution)


def run(bench: Bench) -> dict:
    return {"runs": [_run_or_error(bench, count) for count in bench.plan.scale_versions]}


def _run_or_error(bench: Bench, count: int) -> dict:
    """One run; an implementation that exited during it, or anything else that broke it, costs this
    run, not the runs measured before or after it."""
    try:
        return _run(bench, count)
    except Exited as error:
        bench.say(f"  {error}")
        return {"versionsStarted": count, "error": str(error)}
    except Exception as error:  # noqa: BLE001 - one broken run must not cost the others' figures
        bench.say(f"  {count} versions stopped: {type(error).__name__}: {error}")
        return {"versionsStarted": count, "error": f"{type(error).__name__}: {error}"}


def _run(bench: Bench, count: int) -> dict:
    plan = bench.plan
    bench.say(f"  {count} versions started together")
    promotion = [f"promote-{i}" for i in range(1, plan.scale_promotion_tasks + 1)]
    apps = [f"scale-{i:04d}" for i in range(count)]
    bench.implementation.start(promotion=True)
    with bench.space(f"scale-{count}") as space:
        space.task_definitions([PRE, POST, *promotion])
        space.contexts_for(apps, {"preDeploymentTasks": [PRE], "postDeploymentTasks": [POST],
                                  "promotionTasks": promotion})
        idle, why_not = _usage(bench)
        sampler = _sampler(bench, count)
        requests_before = api_requests.read(bench.api_client)
        own_before = space.sent + space.lists
        load_before, harness_cpu = machine.load_average(), time.process_time()
        started_at, started = time.time(), time.monotonic()
        if sampler:
            sampler.start()
        for app in apps:
            space.app(app)
        created_in = time.monotonic() - started
        space.wait(lambda: len(moments.versions_ended(space.record)) >= len(apps),
                   f"all {len(apps)} KeptnAppVersions to end", plan.scale_timeout, every=_ASK_EVERY)
        space.wait(lambda: _jobs_released(space), "every Job of the namespace to be without finalizers",
                   _SETTLE_SECONDS, every=_ASK_EVERY)
        window = time.monotonic() - started
        harness_cpu = time.process_time() - harness_cpu
        collapsed = sampler.stop() if sampler else None
        requests_after = api_requests.read(bench.api_client)
        busy, _ = _usage(bench)
        own = (space.sent + space.lists) - own_before
        outcome = Outcome()
        for app in apps:
            outcome.add_final(space, app)
        seen_ending = moments.versions_ended(space.record)
        ended = {v["spec"]["appName"]: seen_ending[v["metadata"]["uid"]] for v in outcome.succeeded}
    served = api_requests.grown(requests_before, requests_after)
    requests = apiserver.controller_requests(served, own)
    events = _keptn_events(bench.api_client, space.name)
    writes = sum(requests["writes"].values()) + events
    return {
        "versionsStarted": count,
        "versions": outcome.report(),
        "tasksPerVersion": {"pre": 1, "post": 1, "promotion": len(promotion), "seconds": 0},
        "createSeconds": round(created_in, 3),
        "windowSeconds": round(window, 3),
        "loadAverage": {"start": load_before, "end": machine.load_average()},
        "harnessCpuSeconds": round(harness_cpu, 2),
        "versionsPerMinute": round(len(ended) / (max(ended.values()) - started_at) * 60, 2) if ended else None,
        "lifecycleSeconds": summarize([at - space.created[app] for app, at in ended.items()]),
        "implementation": _usage_figures(idle, busy, count, sampler is not None) if why_not is None
        else {"notMeasurable": why_not},
        "apiRequests": {
            "writesPerVersion": round(writes / count, 2),
            "readsPerVersion": round(sum(requests["reads"].values()) / count, 2),
            "events": events,
            "conflicts": requests["conflicts"],
            "refused": requests["refused"],
            "writes": requests["writes"],
            "reads": requests["reads"],
            "harnessOwnSubtracted": dict(sorted(own.items())),
        },
        "writesPerSecond": round(writes / window, 2),
        "profile": hot_spots(collapsed) if collapsed is not None else None,
    }


def _usage(bench: Bench):
    try:
        return bench.implementation.usage(), None
    except (NotMeasurable, ProcessLookupError) as error:
        return None, str(error)


def _usage_figures(idle, busy, count: int, profiled: bool) -> dict:
    cpu = busy.cpu_seconds - idle.cpu_seconds
    return {"cpuSeconds": round(cpu, 2), "cpuSecondsPerVersion": round(cpu / count, 4),
            "rssAtStartMiB": round(idle.rss_bytes / _MIB, 1), "peakRssMiB": round(busy.peak_rss_bytes / _MIB, 1),
            "processes": busy.processes, "profiled": profiled}


def _sampler(bench: Bench, count: int) -> Sampler | None:
    if not bench.profile_dir:
        return None
    try:
        group = bench.implementation.process_group()
    except NotMeasurable as error:
        bench.say(f"  not profiled: {error}")
        return None
    return Sampler(group, bench.profile_dir / f"{bench.implementation.name}-scale-{count}.pyspy.txt")


def _jobs_released(space: Space) -> bool:
    return not any(job["metadata"].get("finalizers") for job in space.record.latest(JOB.kind))


def _keptn_events(api_client: client.ApiClient, namespace: str) -> int:
    """Events about Keptn objects in the namespace, once their count stops growing: an
    implementation may write them off its reconcile path (the reference does), so the last ones
    may still be on their way when the last version ends."""
    seen = [-1]

    def settled() -> int:
        count = _events_now(api_client, namespace)
        if count != seen[0]:
            seen[0] = count
            raise NotYet(f"{count} Events so far")
        return count

    try:
        return eventually(settled, "the Events about Keptn objects to stop growing", _SETTLE_SECONDS)
    except WaitTimedOut:
        return seen[0]


def _events_now(api_client: client.ApiClient, namespace: str) -> int:
    answer = client.CoreV1Api(api_client).list_namespaced_event(namespace, _preload_content=False)
    return sum(1 for event in json.loads(answer.data)["items"]
               if (event.get("involvedObject") or {}).get("apiVersion", "").startswith(KEPTN_API))
