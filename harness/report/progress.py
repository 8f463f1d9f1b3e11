"""What `promotion-conformance run` prints while it runs and when it ends: plain lines, for a
terminal and a CI log alike.

    [ 3/36] passed   PromotionRunsAfterPostDeployment             11.9 s   (3 passed)
    [ 4/36] FAILED   PromotionTaskFailureFailsVersion             20.4 s   (3 passed, 1 failed)  promotionStatus: ...
    [ 9/36] 5 not run: 4 skipped, 1 unsupported (listed at the end)
    still running the suite (90s so far): 9/36 done; running ExactlyOnceUnderRandomKills (41 s)

One line per scenario that ran (its ID as the reports name it, its result, seconds, how many are
done of how many, the running count); scenarios that were not run by choice (left out, not claimed,
not applicable) are counted in one line instead of one each; every 30 s a line says what is
running (harness.heartbeat). At the end, a table of the profiles' verdicts and every failed or
unrun scenario with its one-line reason, read from the ConformanceReport the collector wrote.

A pytest plugin for the controlling process only: under pytest-xdist it receives every worker's
reports. It takes each scenario's outcome from the collector (harness.report.collector), which has
already seen the same report, so both agree. pytest's own dots are silenced; its counts stay.
Written by hand: rich and tqdm draw for a terminal, and a CI log must get the same plain lines.
"""
from __future__ import annotations

import os
import shutil
import sys
import textwrap
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

import pytest
import yaml

from harness.heartbeat import heartbeat
from harness.report.collector import PLUGIN_NAME, ConformanceCollector
from harness.report.conformance import REPORT_FILE
from harness.report.outcome import STATUSES, Outcome, reason_apart_from

BY_CHOICE = ("skipped", "unsupported", "notApplicable")  # decided before the scenario ran: counted, not listed
# pytest's own output while these lines are printed: quiet, no percentages, no summary naming
# functions, no tracebacks (the end table names scenario IDs and reasons; diagnostics/<ID>/failure.txt
# holds the whole failure); nothing captured, so that what the harness says while it sets up a
# cluster or a scenario (`[simulated] creating cluster ...`) shows when it happens.
PYTEST_ARGS = ("-q", "-o", "console_output_style=classic", "-rN", "--tb=no", "--capture=no")
LOG_WIDTH = 200  # a line's length where the output is no terminal (a CI log); the end table has every reason whole
WORDS = {"passed": "passed", "failed": "FAILED", "notRun": "NOT RUN"}
ID_WIDTH = 50  # the longest scenario ID of the catalogue


def outcome_line(outcome: Outcome, done: int, total: int | None, counts: dict[str, int], width: int | None) -> str:
    """`[ n/total] result  ID  seconds  running count[: reason]`, cut to `width` columns if given."""
    of = f"{done:>{len(str(total))}}/{total}" if total else str(done)
    line = (f"[{of}] {WORDS.get(outcome.status, outcome.status):<8} {outcome.id:<{ID_WIDTH}} "
            f"{outcome.duration:6.1f} s   ({running_count(counts)})")
    if outcome.reason and outcome.status in ("failed", "notRun"):
        line += f"  {outcome.reason}"
    return line if width is None or len(line) <= width else line[: width - 1] + "…"


def running_count(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[status]} {'not run' if status == 'notRun' else status}"
                     for status in ("passed", "failed", "notRun") if counts.get(status))


def not_run_line(outcomes: list[Outcome], done: int, total: int | None) -> str:
    of = f"{done:>{len(str(total))}}/{total}" if total else str(done)
    by_status = {status: sum(o.status == status for o in outcomes) for status in BY_CHOICE}
    kinds = ", ".join(f"{count} {status}" for status, count in by_status.items() if count)
    return f"[{of}] {len(outcomes)} not run: {kinds} (listed at the end)"


def verdict_table(report: dict, report_dir: Path) -> list[str]:
    """The end of a run: each profile's result and statistics, then every failed and unrun scenario
    with its reason (and its diagnostics folder when there is one)."""
    columns = ("profile", "result", *STATUSES)
    rows = [columns] + [(p["name"], p["result"], *(str(p["statistics"][s]) for s in STATUSES)) for p in report["profiles"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = [""] + ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
                    for row in rows]
    if report.get("interrupted"):
        lines.append("the run was interrupted: scenarios it had not reached are not in these counts")
    sections = (("failedTests", "failed"), ("notRunTests", "claimed but could not run"),
                ("notApplicableTests", "not applicable here"), ("unsupportedTests", "not claimed by the implementation"),
                ("skippedTests", "left out on request"))
    for key, title in sections:
        tests = [test for profile in report["profiles"] for test in profile[key]]
        if not tests:
            continue
        lines += ["", f"{title} ({len(tests)}):"]
        for test in tests if key in ("failedTests", "notRunTests") else ():
            lines += [f"  {test['id']}", f"      {test['reason']}"]
            diagnostics = report_dir / "diagnostics" / test["id"]
            if diagnostics.is_dir():
                lines.append(f"      diagnostics: {diagnostics}")
        if key in ("failedTests", "notRunTests"):
            continue
        # not run by choice: most share a reason (`X not selected (--features)`), so one line per reason
        by_reason: dict[str, list[str]] = {}
        for test in tests:
            by_reason.setdefault(reason_apart_from(test["id"], test["reason"]), []).append(test["id"])
        for reason, ids in by_reason.items():
            lines += textwrap.wrap(", ".join(ids), width=100, initial_indent=f"  {reason}: ", subsequent_indent="      ",
                                   break_on_hyphens=False, break_long_words=False)
    return lines


class Progress:
    """The pytest plugin `run` registers in its own (the controlling) process, writing to `stream`."""

    def __init__(self, stream: TextIO, every: float = 30.0):
        self.stream = stream
        self.every = every
        self.width = shutil.get_terminal_size().columns if stream.isatty() else LOG_WIDTH
        self.total: int | None = None
        self.done = 0
        self.counts: dict[str, int] = {}
        self.not_run: list[Outcome] = []  # by choice, not printed yet
        self.not_run_at = 0  # how many were done when the last of them came in
        self.running: dict[str, tuple[str, float]] = {}  # node ID → (scenario ID, started)
        self.lock = threading.Lock()
        self.beats = ExitStack()

    def say(self, line: str) -> None:
        with self.lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    # -- how many -------------------------------------------------------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        if self.total is None:
            self.total = len(ids)

    # -- while it runs --------------------------------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.beats.enter_context(heartbeat(self.beat, "running the suite", every=self.every, detail=self.where))

    def beat(self, line: str) -> None:
        """The heartbeat's line, after what was counted but not printed yet (so the counts agree)."""
        self.flush_not_run()
        self.say(line)

    def where(self) -> str:
        with self.lock:
            of = f"{self.done}/{self.total}" if self.total else str(self.done)
            now = time.monotonic()
            running = ", ".join(f"{scenario} ({now - started:.0f} s)" for scenario, started in self.running.values())
        if running:
            return f"{of} done; running {running}"
        if not self.done:
            return f"{of} done; setting up"
        return f"{of} done; finishing" if self.total and self.done >= self.total else f"{of} done"

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report, config):
        """Keep pytest's counts (the category), drop its dots and letters: these lines replace them."""
        category, _letter, _word = yield
        return category, "", ""

    @pytest.hookimpl(trylast=True)  # after the collector has recorded the outcome
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        collector = self.collector
        if collector is None:
            return
        if report.when == "setup":
            scenario = collector.running.get(report.nodeid)
            if scenario is not None:
                with self.lock:
                    self.running[report.nodeid] = (scenario.id, time.monotonic() - report.duration)
            return
        outcome = collector.outcomes.get(report.nodeid) if report.when == "teardown" else None
        if outcome is None:
            return
        with self.lock:
            self.running.pop(report.nodeid, None)
            self.done += 1
            if outcome.status in BY_CHOICE:
                self.not_run.append(outcome)
                self.not_run_at = self.done
                return
        self.flush_not_run()
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        self.say(outcome_line(outcome, self.done, self.total, self.counts, self.width))

    def flush_not_run(self) -> None:
        with self.lock:
            pending, self.not_run, at = self.not_run, [], self.not_run_at
        if pending:
            self.say(not_run_line(pending, at, self.total))

    @property
    def collector(self) -> ConformanceCollector | None:
        return self.config.pluginmanager.get_plugin(PLUGIN_NAME)

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    # -- the end --------------------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        self.beats.close()
        self.flush_not_run()

    @pytest.hookimpl(trylast=True)  # after the collector's own lines
    def pytest_terminal_summary(self) -> None:
        collector = self.collector
        path = collector.report_dir / REPORT_FILE if collector else None
        if path is None or not path.exists():
            self.say("no ConformanceReport was written, so there are no verdicts to show (see above)")
            return
        for line in verdict_table(yaml.safe_load(path.read_text()), collector.report_dir):
            self.say(line)


def terminal() -> TextIO:
    """The process's standard output as it is now, before pytest captures it: the progress thread
    writes while scenarios run, and pytest redirects file descriptor 1 while a test runs in-process."""
    try:
        return os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, closefd=True)
    except (AttributeError, OSError, ValueError):  # a stdout without a file descriptor (pytester, a notebook)
        return sys.stdout
