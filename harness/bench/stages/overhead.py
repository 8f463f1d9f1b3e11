"""Promotion overhead: what the promotion phase costs a version that has nothing to promote.

The same versions (a 0-second pre- and post-deployment task, an empty `promotionTasks` list) run
one by one with the feature flag off and on, in alternating blocks so that the drift of a shared
machine falls on both settings alike. Two differences of medians are reported:
- lifecycle: status.startTime → status.endTime, the issue's figure; it carries the jitter of two
  Jobs run by kube-controller-manager and kwok, which is larger than the effect measured;
- tail: last post-deployment task endTime → status.endTime, the part of the lifecycle where the
  promotion phase is passed or skipped, without the Jobs' jitter.
All times are the controller's own microsecond stamps.
"""
from __future__ import annotations

import time

from harness.bench.context import Bench
from harness.bench.stats import summarize
from harness.bench.workload import Outcome, item_end, run_one_by_one, seconds

PRE, POST = "pre-0s", "post-0s"
LISTS = {"preDeploymentTasks": [PRE], "postDeploymentTasks": [POST], "promotionTasks": []}
SETTINGS = {False: "flagOff", True: "flagOnEmptyPhase"}


def run(bench: Bench) -> dict:
    plan = bench.plan
    deadline = time.monotonic() + plan.stage_timeout
    space = bench.space("overhead", plan.stage_timeout + 60)
    space.task_definitions([PRE, POST])
    outcomes = {enabled: Outcome() for enabled in SETTINGS}
    names = {enabled: [f"{'on' if enabled else 'off'}-{i:03d}" for i in range(plan.overhead_versions)]
             for enabled in SETTINGS}
    space.contexts_for([app for apps in names.values() for app in apps], LISTS)
    while any(o.started < plan.overhead_versions for o in outcomes.values()) and time.monotonic() < deadline:
        for enabled, setting in SETTINGS.items():
            apps = names[enabled][outcomes[enabled].started:][:plan.overhead_block]
            if not apps:
                continue
            bench.say(f"  {len(apps)} version(s) with {setting} ({outcomes[enabled].started} done)")
            bench.controller.start(promotion=enabled)
            outcomes[enabled].extend(run_one_by_one(space, apps, plan.version_timeout, deadline))
    for enabled, outcome in outcomes.items():
        outcome.not_started = names[enabled][outcome.started:]
    space.watcher.stop()

    figures = {setting: _figures(outcomes[enabled]) for enabled, setting in SETTINGS.items()}
    return {
        "versionsPerSetting": plan.overhead_versions,
        "tasks": "one 0-second pre- and one post-deployment task",
        **figures,
        "difference": {
            metric: _difference(figures["flagOff"][metric], figures["flagOnEmptyPhase"][metric])
            for metric in ("lifecycleSeconds", "tailSeconds")
        },
    }


def _figures(outcome: Outcome) -> dict:
    lifecycle = [seconds(v, "endTime") - seconds(v, "startTime") for v in outcome.succeeded]
    tail, no_post_end = [], []
    for version in outcome.succeeded:
        post_end = item_end(version, "postDeploymentTaskStatus")
        if post_end is None:  # a Succeeded version should never be like this: keep the evidence
            no_post_end.append({"app": version["spec"]["appName"],
                                "postDeploymentTaskStatus": version["status"].get("postDeploymentTaskStatus")})
        else:
            tail.append(seconds(version, "endTime") - post_end)
    return {"lifecycleSeconds": summarize(lifecycle), "tailSeconds": summarize(tail),
            "versions": outcome.report(), "withoutPostTaskEnd": no_post_end}


def _difference(off: dict | None, on: dict | None) -> float | None:
    """Median with the phase minus median without it, in seconds."""
    return None if off is None or on is None else round(on["median"] - off["median"], 4)

