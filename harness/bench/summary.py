"""The one-page text summary of a BenchmarkReport (printed, and written beside the JSON)."""
from __future__ import annotations

_GIB = 2**30


def render(report: dict) -> str:
    machine, cluster, stages = report["machine"], report["cluster"], report["stages"]
    lines = [
        f"promotion-conformance bench · run {report['runId']} · {report['mode']} · {report['started']} → {report['finished']}",
        f"command: {report['command']}",
        f"code: commit {report['source']['commit'] or 'unknown'}"
        + (f", with {len(report['source']['changedFiles'])} changed file(s) under harness/ in the working tree"
           if report["source"]["changedFiles"] else ""),
        f"machine: {machine['cpus']} CPUs ({machine['cpuModel']}), {machine['memoryBytes'] / _GIB:.1f} GiB; "
        f"load average {machine['loadAverage']['start']:g} at start, {machine['loadAverage']['end']:g} at end",
        "  (a shared machine: other work ran at the same time, so every figure is noisy)",
        f"cluster: {cluster['provider']}"
        + (f" (Kubernetes {cluster['kubernetesVersion']})" if cluster.get("kubernetesVersion") else "")
        + f", create → ready {cluster['createToReadySeconds']:.1f} s",
    ]
    sections = (("1. Promotion overhead", "overhead", _overhead), ("2. Phase latency", "latency", _latency),
                ("3. Parallelism", "parallelism", _parallelism), ("4. Scale", "scale", _scale),
                ("5. Ceiling", "ceiling", _ceiling))
    for title, key, write in sections:
        lines.append("")
        if key not in stages:
            lines.append(f"{title}: not run")
        elif "error" in stages[key]:
            lines.append(f"{title}: the stage stopped with an error: {stages[key]['error']}")
        else:
            lines += write(title, stages[key], report)
    lines += ["", "Targets (reported, never enforced):"]
    for row in report["targets"]:
        verdict = {True: "met", False: "missed", None: "not measured"}[row["met"]]
        value = "n/a" if row["value"] is None else f"{row['value']:g}"
        lines.append(f"  {row['figure']:<52} {value:>9}   target {row['target']:<10} {verdict}")
    lines += [f"note: {note}" for note in report["notes"]]
    return "\n".join(lines) + "\n"


def seconds(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f} s" if signed else f"{value:.3f} s"


def _stats_row(label: str, stats: dict | None, first: str = "median") -> str:
    if stats is None:
        return f"   {label:<40} no measurement"
    return f"   {label:<40} {seconds(stats[first]):>10} {seconds(stats['p99']):>10}   (n={stats['count']})"


def _versions(versions: dict) -> list[str]:
    stuck = versions["stuck"]
    line = f"   versions: {versions['succeeded']} succeeded, {len(versions['failed'])} failed, {stuck['count']} stuck"
    if versions["notStarted"]:
        line += f", {versions['notStarted']} not started (stage time up)"
    lines = [line]
    if versions["withoutContext"]:
        lines.append(f"     {len(versions['withoutContext'])} more succeeded without their KeptnAppContext's lists "
                     "(not measured): " + ", ".join(f"{v['app']} (no {', '.join(v['missing'])})"
                                                    for v in versions["withoutContext"]))
    if versions["failed"]:
        lines.append(f"     failed: {', '.join(versions['failed'])}")
    if stuck["count"]:
        lines.append("     stuck: " + ", ".join(f"{v['app']} (in {v['phase']})" for v in stuck["versions"]))
    return lines


def _overhead(title: str, section: dict, _report: dict) -> list[str]:
    off, on, difference = section["flagOff"], section["flagOnEmptyPhase"], section["difference"]
    return [
        f"{title} — {section['versionsPerSetting']} versions per setting, {section.get('tasks', '')}",
        f"   {'':<40} {'median':>10} {'p99':>10}",
        _stats_row("lifecycle, flag off", off["lifecycleSeconds"]),
        _stats_row("lifecycle, flag on, empty promotion phase", on["lifecycleSeconds"]),
        f"   {'difference of medians':<40} {seconds(difference['lifecycleSeconds'], signed=True):>10}",
        _stats_row("tail (post task end → end), flag off", off["tailSeconds"]),
        _stats_row("tail (post task end → end), flag on", on["tailSeconds"]),
        f"   {'difference of medians':<40} {seconds(difference['tailSeconds'], signed=True):>10}",
        *[line.replace("versions:", "flag off:") for line in _versions(off["versions"])],
        *[line.replace("versions:", "flag on: ") for line in _versions(on["versions"])],
    ]


def _latency(title: str, section: dict, _report: dict) -> list[str]:
    return [
        f"{title} — post-deployment evaluation end → promotion Jobs created "
        f"({section.get('promotionTasksPerVersion', '?')} per version)",
        f"   {'':<40} {'p50':>10} {'p99':>10}",
        _stats_row("last Job seen by a watch (reported)", section["evaluationEndToLastJobWatchSeconds"], "p50"),
        _stats_row("first KeptnTask seen by a watch", section["evaluationEndToFirstTaskWatchSeconds"], "p50"),
        _stats_row("last Job creationTimestamp (±1 s)", section["evaluationEndToLastJobCreationTimestampSeconds"], "p50"),
        *_versions(section["versions"]),
    ]


def _parallelism(title: str, section: dict, _report: dict) -> list[str]:
    task = section["taskSeconds"]
    lines = [f"{title} — one version per N, N promotion tasks of {task:g} s each; floor: N bare Jobs, no controller",
             f"   {'N':>4} {'phase':>10} {'÷ ' + format(task, 'g') + ' s':>8} {'floor':>6} {'controller histogram':>22}"
             "   after the phase could start: last task seen, last Job seen, last Job finished, last task ended"]
    for run in section["runs"]:
        ratio = "n/a" if run["ratio"] is None else f"{run['ratio']:.2f}"
        floor = "n/a" if run.get("floorRatio") is None else f"{run['floorRatio']:.2f}"
        steps = run.get("breakdown")
        lines.append(f"   {run['tasks']:>4} {seconds(run['phaseSeconds']):>10} {ratio:>8} {floor:>6} "
                     f"{seconds(run['controllerPhaseSeconds']):>22}"
                     + (f"   {steps['lastTaskSeen']:.2f} s, {steps['lastJobSeen']:.2f} s, "
                        + (f"{steps['lastJobFinished']:.2f} s, " if steps.get("lastJobFinished") is not None else "")
                        + f"{steps['lastTaskEnded']:.2f} s" if steps else ""))
        if run["versions"]["succeeded"] == 0:
            lines += _versions(run["versions"])
    return lines


def _scale(title: str, section: dict, _report: dict) -> list[str]:
    controller, requests = section["controller"], section["apiRequests"]
    tasks = section.get("tasksPerVersion") or {}
    started = section["versionsStarted"]
    per_version = sorted(requests["writes"].items(), key=lambda item: -item[1])
    lines = [
        f"{title} — {started} versions started together, each {tasks.get('pre', '?')} pre, {tasks.get('post', '?')} post, "
        f"{tasks.get('promotion', '?')} promotion tasks of {tasks.get('seconds', '?')} s",
        *_versions(section["versions"]),
        f"   versions completed per minute: {_number(section['versionsPerMinute'])} "
        f"(window {section['windowSeconds']:.1f} s, KeptnApps created in {section.get('createSeconds', 0):.1f} s)",
    ]
    if section.get("lifecycleSeconds"):
        stats = section["lifecycleSeconds"]
        lines.append(f"   lifecycle under load: median {seconds(stats['median'])}, p99 {seconds(stats['p99'])}")
    lines += [
        f"   controller: {controller['cpuSeconds']:.1f} CPU s ({controller['cpuSecondsPerVersion']:.3f} per version), "
        f"peak RSS {controller['peakRssMiB']:.1f} MiB (idle at start {controller.get('rssAtStartMiB', 0):.1f} MiB)"
        + (" — profiled while measured" if controller["profiled"] else ""),
        f"   API writes per version {requests['writesPerVersion']:.1f} (Events {requests['events'] / started:.1f} of them), "
        f"reads per version {requests['readsPerVersion']:.1f}, 409 conflicts {requests['conflicts']}",
        "   writes per version: " + ", ".join(f"{label} {count / started:.2f}" for label, count in per_version),
        f"   controller writes per second: {section['controllerWritesPerSecond']:.1f}",
    ]
    profile = section.get("profile")
    if profile and profile["samples"]:
        lines.append(f"   profile (py-spy, {profile['samples']} non-idle samples) — innermost functions:")
        lines += [f"     {frame['share']:6.1%}  {frame['function']}" for frame in profile["self"][:5]]
        lines.append("   the controller's code on those stacks:")
        lines += [f"     {frame['share']:6.1%}  {frame['function']}" for frame in profile["project"][:5]]
    return lines


def _ceiling(title: str, section: dict, report: dict) -> list[str]:
    throughput = report["throughput"]
    lines = [
        f"{title} — one Python client, controller stopped, {section['objects']} KeptnTasks",
        f"   creates {section['createsPerSecond']:.1f}/s, status updates {section['statusUpdatesPerSecond']:.1f}/s, "
        f"both {section['writesPerSecond']:.1f}/s",
    ]
    if throughput["ratio"] is not None:
        lines.append(f"   the controller wrote {throughput['controllerWritesPerSecond']:.1f}/s in the scale stage: "
                     f"{throughput['ratio']:.2f} of this ceiling")
    return lines


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"
