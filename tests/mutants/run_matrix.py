"""`make mutants` / `make mutants-ci`: run every mutant, variant and the reference of matrix.yaml
against the scenarios the matrix names, and write the kill matrix.

    python tests/mutants/run_matrix.py [--ci] [--only NAME,NAME] [--report-dir reports/mutants] [-n N]

One simulated cluster serves the matrix: each entry is one `promotion-conformance run
--provider existing` against it, one after another (the implementation of the previous one is
gone before the next starts; every scenario has a namespace of its own). A scenario tagged
`@provider:simulated` (it restarts the API server, or runs Flux and a cluster per stage) does not
apply to an existing cluster: once the shared cluster is deleted, the scenarios of an entry that
need it run in one `promotion-conformance run --provider simulated` of their own (a cluster of its
own, never two at once). Outcomes are read from each run's scenarios.json, an entry's runs together. Writes reports/mutants/<run-id>/matrix.json and matrix.md, and, after a
full run of every entry, docs/mutants.md. Progress at least every 30 s. Ctrl-C or SIGTERM stop the
current run (which cleans up after itself), then the cluster is deleted.

Exit codes: 0 every entry as the matrix expects, 1 not (a mutant survived, a scenario failed that
the matrix does not expect, a scenario did not run), 2 a bad matrix.yaml, 128+N stopped by signal N.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, where `mutants` lives

from pytest_bdd.feature import get_features  # noqa: E402 - after the path is set

from harness import coverage  # noqa: E402
from harness.catalogue import entries as entries_of_catalogue  # noqa: E402
from harness.console import speaker  # noqa: E402
from harness import environment  # noqa: E402
from harness.eventually import NotYet, eventually  # noqa: E402
from harness.heartbeat import heartbeat, last_line  # noqa: E402
from harness.paths import FEATURES, REPO, REPORTS  # noqa: E402
from harness.report.conformance import SCENARIOS_FILE  # noqa: E402
from harness.signals import stop_on_signals  # noqa: E402
from mutants import adapters, matrix, matrix_report  # noqa: E402

DOCS = REPO / "docs" / "mutants.md"
OWN_CLUSTER = "own-cluster"  # the report folder of an entry's run on a simulated cluster of its own
_STOP_SECONDS = 60  # a stopped run cleans up (its implementation, its report) within this


say = speaker("mutants")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_matrix.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ci", action="store_true", help="only the entries marked ci: true (make mutants-ci)")
    parser.add_argument("--only", default="", metavar="NAME,NAME", help="only these entries (and no docs/mutants.md)")
    parser.add_argument("--report-dir", default=str(REPORTS / "mutants"))
    parser.add_argument("-n", dest="workers", type=int, default=1, help="pytest-xdist workers of each run")
    args = parser.parse_args(argv)
    try:
        entries = _chosen(matrix.load(), args)
    except ValueError as error:  # matrix.yaml, a mutant's first line, or --only
        print(f"run_matrix.py: error: {error}", file=sys.stderr)
        return 2
    full = not args.ci and not args.only
    run_id = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    run_dir = Path(args.report_dir).resolve() / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    command = "make mutants" if full else ("make mutants-ci" if args.ci and not args.only else "run_matrix.py --only")
    run = {"id": run_id, "command": command, "date": time.strftime("%Y-%m-%d %H:%M %Z"), "commit": _commit(),
           "machine": _machine(), "load_before": _load(), "entries": [e.name for e in entries]}
    say(f"{len(entries)} entries, {sum(len(e.scenarios) for e in entries)} scenario runs; reports in {run_dir}")
    started = time.monotonic()
    parts = split_by_cluster(entries, simulated_only_scenarios())
    runs: dict[str, list[Run]] = {entry.name: [] for entry in entries}
    with stop_on_signals() as stopped:
        try:
            shared = [(entry, scenarios) for entry, (scenarios, _) in zip(entries, parts) if scenarios]
            if shared:
                with _cluster_up(f"mutants-{os.getpid()}") as cluster:
                    for number, (entry, scenarios) in enumerate(shared, 1):
                        say(f"{number}/{len(shared)} {entry.kind} {entry.name}: {', '.join(scenarios)}")
                        runs[entry.name].append(_run(entry, scenarios, run_dir / entry.name, args.workers,
                                                     kubeconfig=cluster.kubeconfig))
                        say(f"{entry.name}: ran in {runs[entry.name][-1].seconds:.0f}s")
            own = [(entry, scenarios) for entry, (_, scenarios) in zip(entries, parts) if scenarios]
            for number, (entry, scenarios) in enumerate(own, 1):
                say(f"{number}/{len(own)} {entry.kind} {entry.name} on a simulated cluster of its own: {', '.join(scenarios)}")
                runs[entry.name].append(_run(entry, scenarios, run_dir / entry.name / OWN_CLUSTER, args.workers))
                say(f"{entry.name}: ran in {runs[entry.name][-1].seconds:.0f}s")
        except KeyboardInterrupt:
            say(f"stopped by {stopped.name or 'Ctrl-C'}; the cluster and every process are gone")
            return 128 + (stopped.signal or signal.SIGINT)
    verdicts = [entry_verdict(entry, runs[entry.name]) for entry in entries]
    for v in verdicts:
        say(f"{v.entry}: {v.verdict} in {v.seconds:.0f}s" + "".join(f"\n    {p}" for p in v.problems))
    run |= {"seconds": time.monotonic() - started, "load_after": _load()}
    (run_dir / "matrix.json").write_text(matrix_report.as_json(run, entries, verdicts))
    markdown = matrix_report.as_markdown(run, entries, verdicts)
    (run_dir / "matrix.md").write_text(markdown)
    if full:
        DOCS.write_text(markdown)
    _remember(run, verdicts)
    bad = [v for v in verdicts if not v.good]
    say(f"{len(verdicts) - len(bad)} of {len(verdicts)} entries as expected in {run['seconds'] / 60:.1f} min; "
        f"matrix: {run_dir / 'matrix.md'}" + (f", {DOCS}" if full else ""))
    for v in bad:
        say(f"NOT AS EXPECTED: {v.entry} {v.verdict}: {'; '.join(v.problems)}")
    say(f"rule coverage: {coverage.summary(coverage.measure(entries_of_catalogue()))}")
    return 1 if bad else 0


def _remember(run: dict, verdicts: list[matrix.Verdict]) -> None:
    """docs/mutants.json: each mutant's verdict in the last run that ran it (with that run's commit
    and date), which `promotion-conformance coverage` reads; a partial run updates its entries only."""
    known = json.loads(coverage.VERDICTS_FILE.read_text()) if coverage.VERDICTS_FILE.is_file() else {}
    for v in verdicts:
        if v.kind == matrix.MUTANT:
            known[v.entry] = {"verdict": v.verdict, "seconds": round(v.seconds), "run": run["id"], "commit": run["commit"],
                              "date": run["date"]}
    coverage.VERDICTS_FILE.write_text(json.dumps(dict(sorted(known.items())), indent=1) + "\n")


def _chosen(entries: list[matrix.Entry], args) -> list[matrix.Entry]:
    if args.ci:
        entries = matrix.ci_subset(entries)
    if args.only:
        names = [n for n in args.only.split(",") if n]
        unknown = [n for n in names if n not in {e.name for e in entries}]
        if unknown:
            raise ValueError(f"--only: no entry {', '.join(unknown)} in {matrix.MATRIX_FILE}; "
                             f"known: {', '.join(e.name for e in entries)}")
        entries = [e for e in entries if e.name in names]
    return entries


def simulated_only_scenarios(root: Path = FEATURES) -> set[str]:
    """The IDs of the scenarios tagged `@provider:simulated` and no other provider: they apply only
    to a simulated cluster the run creates itself, never to the matrix's shared (existing) one."""
    found = set()
    for feature in get_features([str(root)]):
        for scenario in feature.scenarios.values():
            tags = scenario.tags | feature.tags
            providers = {t.split(":", 1)[1] for t in tags if t.startswith("provider:")}
            if providers == {"simulated"}:
                found |= {t.split(":", 1)[1] for t in tags if t.startswith("id:")}
    return found


def split_by_cluster(entries: list[matrix.Entry], simulated_only: set[str]) -> list[tuple[list[str], list[str]]]:
    """Per entry: (the scenarios run on the shared cluster, those run on a simulated cluster of their own)."""
    return [([s for s in e.scenarios if matrix.base_id(s) not in simulated_only],
             [s for s in e.scenarios if matrix.base_id(s) in simulated_only]) for e in entries]


@dataclass(frozen=True)
class Run:
    """One `promotion-conformance run` of some of an entry's scenarios."""

    scenarios: tuple[str, ...]  # the scenarios it was asked to run
    outcomes: list[dict] | None  # its scenarios.json; None when it wrote none
    seconds: float
    problem: str = ""  # why there are no outcomes

    def own_outcomes(self) -> list[dict]:
        """The outcomes of its scenarios: its scenarios.json lists every scenario, the others as
        skipped (not selected), which another run of the entry ran."""
        asked = {matrix.base_id(s) for s in self.scenarios}
        return [o for o in self.outcomes or [] if matrix.base_id(o["id"]) in asked]


def entry_verdict(entry: matrix.Entry, runs: list[Run]) -> matrix.Verdict:
    """The verdict on an entry from the outcomes of its runs (one, or one per kind of cluster)."""
    seconds = sum(r.seconds for r in runs)
    lost = [r.problem for r in runs if r.outcomes is None]
    if lost:
        return matrix.Verdict(entry.name, entry.kind, matrix.NOT_RUN, (), tuple(lost), seconds)
    return replace(matrix.verdict(entry, [o for r in runs for o in r.own_outcomes()]), seconds=seconds)


@contextmanager
def _cluster_up(name: str):
    """A simulated cluster owned by this process for the block (harness.environment: deleted after
    it, also on Ctrl-C and SIGTERM; a crash leaves a record the next run removes)."""
    with ExitStack() as stack:
        with heartbeat(say, f"creating the simulated cluster {name}"):
            cluster = stack.enter_context(environment.owned_cluster(environment.provider("simulated", name), say=say))
        yield cluster


def _run(entry: matrix.Entry, scenarios: list[str], out: Path, workers: int, kubeconfig: Path | None = None) -> Run:
    """One `promotion-conformance run` of some of the entry's scenarios: on the shared cluster
    (`kubeconfig`), or, without one, on a simulated cluster the run creates and deletes itself."""
    out.mkdir(parents=True, exist_ok=True)
    log = out / "run.log"
    adapter = adapters.write(entry.name, entry.change, entry.crd_change, out / "adapter") if entry.kind == matrix.MUTANT \
        else entry.adapter
    where = ["--provider", "existing", "--kubeconfig", str(kubeconfig)] if kubeconfig else ["--provider", "simulated"]
    command = [sys.executable, "-m", "harness.cli", "run", "--impl", str(adapter), *where,
               "--scenarios", ",".join(scenarios), "--report-dir", str(out), "-n", str(workers)]
    started = time.monotonic()
    with open(log, "w") as output, heartbeat(say, f"running {entry.name}", detail=last_line(log)):
        # its own session: a Ctrl-C in the terminal reaches this process only, which then stops the
        # run with SIGTERM and waits for it to clean up (its implementation, its report)
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)
        try:
            process.wait()
        except KeyboardInterrupt:
            _stop(process)
            raise
    if kubeconfig:
        _implementation_gone(kubeconfig)
    seconds = time.monotonic() - started
    outcomes = _outcomes(out)
    if outcomes is None:
        return Run(tuple(scenarios), None, seconds,
                   f"the run wrote no {SCENARIOS_FILE} (exit {process.returncode}); {log}: {last_line(log)()}")
    return Run(tuple(scenarios), outcomes, seconds)


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _outcomes(out: Path) -> list[dict] | None:
    """The outcomes of the run that wrote into `out` (one run folder per entry)."""
    found = sorted(out.glob(f"*/{SCENARIOS_FILE}"))
    return json.loads(found[-1].read_text()) if found else None


def _implementation_gone(kubeconfig: Path) -> None:
    """No process of an implementation still acts on the cluster (the run stops its implementation;
    this makes sure before the next entry starts, and kills one left behind, by its pid)."""
    def processes() -> list[int]:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                args = cmdline.read_bytes().split(b"\0")
            except OSError:
                continue
            if str(kubeconfig).encode() in args and any(a.endswith((b"launch.py", b"harness.controller")) for a in args):
                found.append(int(cmdline.parent.name))
        return found

    def none_left() -> None:
        if left := processes():
            raise NotYet(f"implementation processes {left} still run")

    try:
        eventually(none_left, "the implementation of the last run to exit", timeout=15)
    except AssertionError:
        for pid in processes():
            say(f"killing implementation process {pid}, left behind by the last run")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def _machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} vCPUs ({model}), {memory / 2**20:.1f} GiB, {platform.system()} {platform.release()}"


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
