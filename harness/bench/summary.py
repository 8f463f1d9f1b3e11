"""The text summary of a BenchmarkReport (printed, and written beside the JSON): the implementations
side by side with ratios first, then each implementation's stages in detail."""
from __future__ import annotations

_GIB = 2**30


def render(report: dict) -> str:
    machine = report["machine"]
    lines = [
        f"promotion-conformance bench · run {report['runId']} · {report['mode']} · {report['started']} → {report['finished']}",
        f"command: {report['command']}",
        f"code: commit {report['source']['commit'] or 'unknown'}"
        + (f", with {len(report['source']['changedFiles'])} changed file(s) under harness/ in the working tree"
           if report["source"]["changedFiles"] else ""),
        f"machine: {machine['cpus']} CPUs ({machine['cpuModel']}), {machine['memoryBytes'] / _GIB:.1f} GiB; "
        f"load average {machine['loadAverage']['start']:g} at start, {machine['loadAverage']['end']:g} at end",
        "  (a shared machine: other work ran at the same time, so every figure is noisy; compare within the run)",
        _plan(report["plan"]),
        f"each implementation on a fresh {report['provider']} cluster: "
        + "; ".join(f"{impl['name']} ({impl['mode']}, load {impl['loadAverage']['start']:g} → {impl['loadAverage']['end']:g})"
                    for impl in report["implementations"]),
        "",
        *side_by_side(report),
    ]
    for impl in report["implementations"]:
        lines += ["", f"=== {impl['name']} — {impl['implementation'].get('name', '')} {impl['implementation'].get('version', '')}"
                      f" ({impl['mode']}; adapter {impl['adapter']})"]
        lines += _implementation(impl)
    lines += [""] + [f"note: {note}" for note in report["notes"]]
    return "\n".join(lines) + "\n"


def _plan(plan: dict) -> str:
    return (f"plan: overhead up to {plan.get('overhead_versions')} versions per setting, latency up to "
            f"{plan.get('latency_versions')}, N = {', '.join(map(str, plan['parallel_tasks']))}, scale "
            f"{', '.join(map(str, plan['scale_versions']))} versions; one-by-one stages stop starting versions after "
            f"{plan.get('stage_timeout', 0):g} s, a scale run waits {plan.get('scale_timeout', 0):g} s")


def side_by_side(report: dict) -> list[str]:
    """One row per figure: each implementation's value (or n/a with a numbered reason) and the
    ratio of each other implementation to the first."""
    comparison = report["comparison"]
    names = [impl["name"] for impl in report["implementations"]]
    others = [name for name in names if name != comparison["baseline"]]
    reasons: list[str] = []
    width = max(len(row["figure"]) + len(row["unit"]) + 3 for row in comparison["figures"]) if comparison["figures"] else 20
    header = f"{'figure':<{width}}" + "".join(f"{name[:16]:>17}" for name in names)
    header += "".join(f"{(name[:10] + ' ÷ ' + comparison['baseline'][:10]):>25}" for name in others)
    lines = ["Side by side (ratios: ÷ the first implementation, same run):", header]
    for row in comparison["figures"]:
        label = f"{row['figure']} ({row['unit']})" if row["unit"] else row["figure"]
        text = f"{label:<{width}}"
        for name in names:
            cell = row["cells"][name]
            if cell["value"] is None:
                if cell["why"] not in reasons:
                    reasons.append(cell["why"])
                text += f"{'n/a [' + str(reasons.index(cell['why']) + 1) + ']':>17}"
            else:
                text += f"{_number(cell['value']):>17}"
        for name in others:
            ratio = row["ratios"].get(name)
            text += f"{'—' if ratio is None else format(ratio, '.2f') + '×':>25}"
        lines.append(text)
    lines += [f"  [{number}] {why}" for number, why in enumerate(reasons, 1)]
    return lines


def _implementation(impl: dict) -> list[str]:
    lines = []
    if impl.get("error"):
        lines.append(f"could not be measured: {impl['error']}")
    cluster = impl.get("cluster")
    if cluster:
        lines.append(f"cluster: {cluster['provider']}"
                     + (f" (Kubernetes {cluster['kubernetesVersion']})" if cluster.get("kubernetesVersion") else "")
                     + f", create → ready {cluster['createToReadySeconds']:.1f} s")
    stages = impl["stages"]
    sections = (("1. Promotion overhead", "overhead", _overhead), ("2. Phase latency", "latency", _latency),
                ("3. Parallelism against the cluster's floor", "parallelism", _parallelism),
                ("4. Scale", "scale", _scale), ("5. Ceiling", "ceiling", _ceiling))
    for title, key, write in sections:
        lines.append("")
        if key not in stages:
            lines.append(f"{title}: not run")
        elif "error" in stages[key]:
            lines.append(f"{title}: the stage stopped with an error: {stages[key]['error']}")
        elif "notMeasurable" in stages[key]:
            lines.append(f"{title}: not measurable: {stages[key]['notMeasurable']}")
        else:
            lines += write(title, stages[key], impl)
    lines += ["", "Goals (reported, never enforced):"]
    for row in impl["targets"]:
        verdict = {True: "met", False: "missed", None: "not measured"}[row["met"]]
        value = "n/a" if row["value"] is None else f"{row['value']:g}"
        lines.append(f"  {row['figure']:<52} {value:>9}   goal {row['target']:<10} {verdict}")
    return lines


def seconds(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f} s" if signed else f"{value:.3f} s"


def _stats_row(label: str, stats: dict | None, first: str = "median") -> str:
    if stats is None:
        return f"   {label:<44} no measurement"
    return f"   {label:<44} {seconds(stats[first]):>10} {seconds(stats['p99']):>10}   (n={stats['count']})"


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
        lines.append(f"     failed: {', '.join(versions['failed'][:20])}")
    if stuck["count"]:
        lines.append("     stuck: " + ", ".join(f"{v['app']} (in {v['phase']})" for v in stuck["versions"][:20]))
    return lines


def _unmeasured(unmeasured: list[dict]) -> list[str]:
    return [f"     not measured: {u['app']}: {u['why']}" for u in unmeasured[:5]]


def _overhead(title: str, section: dict, _impl: dict) -> list[str]:
    off, on, difference = section["flagOff"], section["flagOnEmptyPhase"], section["difference"]
    return [
        f"{title} — up to {section['versionsPerSetting']} versions per setting, {section.get('tasks', '')}",
        f"   {'':<44} {'median':>10} {'p99':>10}",
        _stats_row("lifecycle (KeptnApp sent → ended), flag off", off["lifecycleSeconds"]),
        _stats_row("lifecycle, flag on, empty promotion phase", on["lifecycleSeconds"]),
        f"   {'difference of medians':<44} {seconds(difference['lifecycleSeconds'], signed=True):>10}",
        _stats_row("tail (post Job finished → ended), flag off", off["tailSeconds"]),
        _stats_row("tail, flag on", on["tailSeconds"]),
        f"   {'difference of medians':<44} {seconds(difference['tailSeconds'], signed=True):>10}",
        *[line.replace("versions:", "flag off:") for line in _versions(off["versions"])],
        *[line.replace("versions:", "flag on: ") for line in _versions(on["versions"])],
        *_unmeasured(off["unmeasured"] + on["unmeasured"]),
    ]


def _latency(title: str, section: dict, _impl: dict) -> list[str]:
    return [
        f"{title} — post-deployment Job finished → promotion objects seen "
        f"({section.get('promotionTasksPerVersion', '?')} promotion tasks per version; the harness's watch)",
        f"   {'':<44} {'p50':>10} {'p99':>10}",
        _stats_row("first promotion KeptnTask (reported)", section["postJobFinishedToFirstTaskSeconds"], "p50"),
        _stats_row("last promotion Job", section["postJobFinishedToLastJobSeconds"], "p50"),
        *_versions(section["versions"]),
        *_unmeasured(section.get("unmeasured") or []),
    ]


def _parallelism(title: str, section: dict, _impl: dict) -> list[str]:
    task = section["taskSeconds"]
    lines = [f"{title} — one version per N, N promotion tasks of {task:g} s; floor: N bare Jobs, no implementation",
             f"   {'N':>4} {'phase':>10} {'floor':>10} {'÷ floor':>8} {'÷ ' + format(task, 'g') + ' s':>7}"
             "   seen after the phase could start: first task, last task, last Job created, last Job finished, ended"]
    for run in section["runs"]:
        if "error" in run:
            lines.append(f"   {run['tasks']:>4} the run stopped: {run['error']}")
            continue
        over = "n/a" if run["overFloor"] is None else f"{run['overFloor']:.3f}"
        ratio = "n/a" if run["ratio"] is None else f"{run['ratio']:.2f}"
        steps = run.get("breakdown")
        lines.append(f"   {run['tasks']:>4} {seconds(run['phaseSeconds']):>10} {seconds(run['floorSeconds']):>10} "
                     f"{over:>8} {ratio:>7}"
                     + ("   " + ", ".join(f"{steps[key]:.2f}" for key in
                                          ("firstTask", "lastTask", "lastJob", "lastJobFinished", "versionEnded"))
                        if steps else ""))
        if run.get("floorLastCreated") is not None:
            lines.append(f"        floor: the last of its {run['tasks']} Jobs created {run['floorLastCreated']:.2f} s after the first")
        if run.get("unmeasured"):
            lines.append(f"        not measured: {run['unmeasured']}")
        if run["versions"]["succeeded"] == 0:
            lines += _versions(run["versions"])
    return lines


def _scale(title: str, section: dict, impl: dict) -> list[str]:
    lines = []
    shares = {row["versions"]: row["share"] for row in impl.get("throughput", [])}
    for run in section["runs"]:
        if "error" in run:
            lines.append(f"{title} — {run['versionsStarted']} versions: the run stopped: {run['error']}")
            continue
        lines += _scale_run(title, run, shares.get(run["versionsStarted"]))
    return lines


def _scale_run(title: str, run: dict, share: float | None) -> list[str]:
    usage, requests = run["implementation"], run["apiRequests"]
    tasks = run.get("tasksPerVersion") or {}
    started = run["versionsStarted"]
    per_version = sorted(requests["writes"].items(), key=lambda item: -item[1])
    lines = [
        f"{title} — {started} versions started together, each {tasks.get('pre', '?')} pre, {tasks.get('post', '?')} post, "
        f"{tasks.get('promotion', '?')} promotion tasks of {tasks.get('seconds', '?')} s"
        + (f"; load {run['loadAverage']['start']:g} → {run['loadAverage']['end']:g}" if run.get("loadAverage") else ""),
        *_versions(run["versions"]),
        f"   versions completed per minute: {'n/a' if run['versionsPerMinute'] is None else format(run['versionsPerMinute'], '.1f')} "
        f"(window {run['windowSeconds']:.1f} s, KeptnApps sent in {run.get('createSeconds', 0):.1f} s)",
    ]
    if run.get("lifecycleSeconds"):
        stats = run["lifecycleSeconds"]
        lines.append(f"   lifecycle under load: median {seconds(stats['median'])}, p99 {seconds(stats['p99'])}")
    if "notMeasurable" in usage:
        lines.append(f"   CPU and memory: not measurable: {usage['notMeasurable']}")
    else:
        lines.append(f"   implementation: {usage['cpuSeconds']:.1f} CPU s ({usage['cpuSecondsPerVersion']:.3f} per version), "
                     f"peak RSS {usage['peakRssMiB']:.1f} MiB (idle at start {usage.get('rssAtStartMiB', 0):.1f} MiB)"
                     + (" — profiled while measured" if usage["profiled"] else ""))
    lines += [
        f"   API writes per version {requests['writesPerVersion']:.1f} (Events {requests['events'] / started:.1f} of them), "
        f"reads (LIST) per version {requests['readsPerVersion']:.1f}, 409 conflicts {requests['conflicts']}",
        "   writes per version: " + ", ".join(f"{label} {count / started:.2f}" for label, count in per_version),
        f"   writes per second: {run['writesPerSecond']:.1f}"
        + (f" = {share:.2f} of the ceiling" if share is not None else ""),
    ]
    if run.get("harnessCpuSeconds") is not None:
        lines.append(f"   the harness itself (sending, watching) used {run['harnessCpuSeconds']:.1f} CPU s in the window")
    profile = run.get("profile")
    if profile and profile["samples"]:
        lines.append(f"   profile (py-spy, {profile['samples']} non-idle samples) — innermost functions:")
        lines += [f"     {frame['share']:6.1%}  {frame['function']}" for frame in profile["self"][:5]]
        lines.append("   the project's code on those stacks:")
        lines += [f"     {frame['share']:6.1%}  {frame['function']}" for frame in profile["project"][:5]]
    return lines


def _ceiling(title: str, section: dict, _impl: dict) -> list[str]:
    return [
        f"{title} — one Python client, implementation stopped, {section['objects']} KeptnTasks",
        f"   creates {section['createsPerSecond']:.1f}/s, status updates {section['statusUpdatesPerSecond']:.1f}/s, "
        f"both {section['writesPerSecond']:.1f}/s",
    ]


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
