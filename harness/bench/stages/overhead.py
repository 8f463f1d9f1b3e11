"""Promotion overhead: what the promotion phase costs a version that has nothing to promote.

The same versions (a 0-second pre- and post-deployment task, an empty `promotionTasks` list) run
one by one with the feature flag off and on, in alternating blocks so that the drift of a shared
machine falls on both settings alike. Two differences of medians are reported, both from clocks
the implementation does not write (harness/bench/moments.py):
- lifecycle: the harness sends the KeptnApp → its watch sees the version end; it carries the
  jitter of two Jobs run by kube-controller-manager and kwok, which is larger than the effect;
- tail: the watch sees the post-deployment Job finish → it sees the version end: the part of the
  lifecycle where the promotion phase is passed or skipped, without the Jobs' jitter.
An implementation whose adapter cannot turn promotion off is not measurable here.
"""
from __future__ import annotations

import time

from harness.bench import moments
from harness.bench.stage_inputs import Bench
from harness.bench.stats import summarize
from harness.bench.workload import Outcome, Space, run_one_by_one, uid

PRE, POST = "pre-0s", "post-0s"
LISTS = {"preDeploymentTasks": [PRE], "postDeploymentTasks": [POST], "promotionTasks": []}
SETTINGS = {False: "flagOff", True: "flagOnEmptyPhase"}


def run(bench: Bench) -> dict:
    unavailable = bench.implementation.flag_unavailable()
    if unavailable:
        return {"notMeasurable": unavailable}
    plan = bench.plan
    deadline = time.monotonic() + plan.stage_timeout
    outcomes = {enabled: Outcome() for enabled in SETTINGS}
    names = {enabled: [f"{'on' if enabled else 'off'}-{i:03d}" for i in range(plan.overhead_versions)]
             for enabled in SETTINGS}
    with bench.space("overhead") as space:
        space.task_definitions([PRE, POST])
        space.contexts_for([app for apps in names.values() for app in apps], LISTS)
        while any(o.started < plan.overhead_versions for o in outcomes.values()) and time.monotonic() < deadline:
            for enabled, setting in SETTINGS.items():
                apps = names[enabled][outcomes[enabled].started:][:plan.overhead_block]
                if not apps:
                    continue
                bench.say(f"  {len(apps)} version(s) with {setting} ({outcomes[enabled].started} done)")
                bench.implementation.start(promotion=enabled)
                outcomes[enabled].extend(run_one_by_one(space, apps, plan.version_timeout, deadline))
        for enabled, outcome in outcomes.items():
            outcome.not_started = names[enabled][outcome.started:]
        figures = {setting: _figures(space, outcomes[enabled]) for enabled, setting in SETTINGS.items()}
    bench.implementation.start(promotion=True)  # as the next stages expect it
    return {
        "versionsPerSetting": plan.overhead_versions,
        "tasks": "one 0-second pre- and one post-deployment task",
        **figures,
        "difference": {
            metric: _difference(figures["flagOff"][metric], figures["flagOnEmptyPhase"][metric])
            for metric in ("lifecycleSeconds", "tailSeconds")
        },
    }


def _figures(space: Space, outcome: Outcome) -> dict:
    lifecycle, tail, unmeasured = [], [], []
    for version in outcome.succeeded:
        app = version["spec"]["appName"]
        try:
            ended = moments.version_ended(space.record, uid(version))
            post = moments.post_jobs_finished(space.record, uid(version))
        except moments.Unmeasured as error:  # the watch missed a moment: say so, never time half of it
            unmeasured.append({"app": app, "why": str(error)})
            continue
        lifecycle.append(ended - space.created[app])
        tail.append(ended - post)
    return {"lifecycleSeconds": summarize(lifecycle), "tailSeconds": summarize(tail),
            "versions": outcome.report(), "unmeasured": unmeasured}


def _difference(off: dict | None, on: dict | None) -> float | None:
    """Median with the phase minus median without it, in seconds."""
    return None if off is None or on is None else round(on["median"] - off["median"], 4)
