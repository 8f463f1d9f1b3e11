"""The harness cleans up after itself (end to end, on a simulated cluster of its own per test):

- Ctrl-C, SIGTERM or SIGHUP during `promotion-conformance run` removes the run's cluster and every
  process it started, and the report of the interrupted run says `interrupted: true`;
- a run killed with SIGKILL leaves its cluster behind, but not its implementation (it is stopped
  when the harness that started it dies), and the next run removes the cluster
  (`registry.remove_stale`, which a run calls before it creates its own).

Each test starts a real run in a subprocess (its own session, like a command in a terminal), so
they take a minute or so; they are skipped where the simulated cluster's binaries are not built.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config

from harness.clusters import registry, toolchain
from harness.clusters.simulated import BINARIES, SimulatedProvider
from harness.eventually import NotYet, eventually
from harness.paths import REPO
from harness.report.validation import problems_of

pytestmark = [pytest.mark.cluster, pytest.mark.skipif(any(toolchain.locate(b) is None for b in BINARIES),
                                reason="the simulated cluster's binaries are not built (make toolchain)")]

RUN_TIMEOUT = 300  # a whole run: cluster, install, a few scenarios, teardown


def _start_run(report_dir: Path) -> subprocess.Popen:
    """`promotion-conformance run` of the PromotionParallelism scenarios (three, ~10 s each)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMOTION_", "PYTEST_", "PROVIDER"))}
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "--provider", "simulated", "--features", "PromotionParallelism",
         "--report-dir", str(report_dir), "-n", "1"],  # one worker whatever the machine's load
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
        # and Ctrl-C's and a closed terminal's default actions, as in a terminal: a suite started in
        # the background by a non-interactive shell (a CI job, `make test &`) inherits SIGINT
        # ignored, one started under `nohup` SIGHUP ignored, and so would the run
        preexec_fn=_terminal_signals)


def _terminal_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _cluster_of(run: subprocess.Popen) -> registry.Record:
    def recorded() -> registry.Record:
        if run.poll() is not None:
            raise AssertionError(f"the run ended early (exit {run.returncode}):\n{run.stdout.read()[-3000:]}")
        for path in registry.records_dir().glob("*.json"):
            try:  # read one record at a time: the run may be writing its own right now
                entry = registry.Record(**json.loads(path.read_text()))
            except (OSError, ValueError, TypeError):
                continue
            if entry.owner_pid == run.pid:
                return entry
        raise NotYet(f"no cluster record owned by process {run.pid}")

    return eventually(recorded, "the run to record its cluster", RUN_TIMEOUT)


def _stop(run: subprocess.Popen) -> None:
    """After a failed check: let the run clean up (Ctrl-C), kill it only if it does not end."""
    if run.poll() is not None:
        return
    os.killpg(run.pid, signal.SIGINT)
    try:
        run.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)


def _processes_mentioning(text: str) -> dict[int, str]:
    """pid → command line of every process whose command line contains `text`."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found[int(proc.name)] = cmdline.strip()
    return found


def _implementation_running(kubeconfig: Path) -> int:
    def running() -> int:
        found = [pid for pid, cmd in _processes_mentioning(str(kubeconfig)).items() if "harness.controller" in cmd]
        if not found:
            raise NotYet(f"no reference controller with --kubeconfig {kubeconfig}")
        return found[0]

    return eventually(running, "the run's implementation to run", RUN_TIMEOUT)


def _second_scenario_started(kubeconfig: Path) -> None:
    """Wait until the run's second scenario made its namespace: the first one has finished, teardown
    included, so the interrupted run has an outcome to report."""
    core = client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))
    seen: set[str] = set()

    def two_scenarios() -> None:
        for namespace in core.list_namespace(label_selector="promotion-conformance/test").items:
            seen.add(namespace.metadata.labels["promotion-conformance/test"])
        if len(seen) < 2:
            raise NotYet(f"scenario namespaces seen: {sorted(seen)}")

    eventually(two_scenarios, "the run's second scenario to start", RUN_TIMEOUT)


def _nothing_left_of(cluster: SimulatedProvider) -> None:
    assert registry.lookup(cluster.name) is None, f"the record of cluster {cluster.name} is still there"
    left = {**_processes_mentioning(str(cluster.cluster_dir)), **_processes_mentioning(str(cluster.kubeconfig))}
    assert not left, f"processes of cluster {cluster.name} still run: {left}"
    assert not cluster.cluster_dir.exists(), f"{cluster.cluster_dir} is still there"


@pytest.mark.parametrize(("sig", "to_group"), [
    (signal.SIGINT, True),  # Ctrl-C in a terminal: the whole foreground process group
    (signal.SIGTERM, False),  # `timeout`, systemd, a CI's cancel: the run's process
    (signal.SIGHUP, True),  # the terminal was closed
], ids=["ctrl-c", "sigterm", "sighup"])
def test_a_signal_during_a_run_removes_its_cluster_and_processes_and_its_report_says_interrupted(tmp_path, sig, to_group):
    run = _start_run(tmp_path)
    try:
        cluster = SimulatedProvider(_cluster_of(run).name)
        eventually(lambda: _must_exist(cluster.kubeconfig), "the run's cluster to exist", RUN_TIMEOUT)
        _implementation_running(cluster.kubeconfig)
        _second_scenario_started(cluster.kubeconfig)
        (os.killpg if to_group else os.kill)(run.pid, sig)
        output, _ = run.communicate(timeout=RUN_TIMEOUT)
    finally:
        _stop(run)
    assert run.returncode == 128 + sig, f"a run stopped by {sig.name} exits {128 + sig}, this one {run.returncode}:\n{output[-3000:]}"
    _nothing_left_of(cluster)
    [report_file] = tmp_path.glob("*/conformance-report.yaml")
    report = yaml.safe_load(report_file.read_text())
    assert not problems_of(report), problems_of(report)
    assert report["interrupted"] is True, f"{report_file}: interrupted is {report['interrupted']!r}"
    assert all(profile["result"] != "success" for profile in report["profiles"]), report["profiles"]
    assert f"the run was stopped by {sig.name}" in output


def test_a_run_killed_with_sigkill_leaves_no_implementation_and_the_next_run_removes_its_cluster(tmp_path):
    run = _start_run(tmp_path)
    try:
        cluster = SimulatedProvider(_cluster_of(run).name)
        eventually(lambda: _must_exist(cluster.kubeconfig), "the run's cluster to exist", RUN_TIMEOUT)
        implementation = _implementation_running(cluster.kubeconfig)
    except BaseException:
        _stop(run)
        raise
    os.kill(run.pid, signal.SIGKILL)  # a crash: nobody tears anything down
    run.communicate(timeout=30)
    eventually(lambda: _gone(implementation), f"the implementation (pid {implementation}) to stop with its harness", 30)
    assert _processes_mentioning(str(cluster.cluster_dir)), "the crashed run's cluster should still run"
    assert registry.lookup(cluster.name).owner_pid == run.pid

    said = []
    removed = registry.remove_stale(say=said.append)  # what the next run does before it creates its cluster
    assert cluster.name in removed, f"remove_stale removed {removed}, not {cluster.name}; it said {said}"
    assert any(cluster.name in line and str(run.pid) in line for line in said), said
    _nothing_left_of(cluster)


def _gone(pid: int) -> None:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return
    if state != "Z":
        raise NotYet(f"process {pid} still runs")


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise NotYet(f"{path} does not exist yet")
