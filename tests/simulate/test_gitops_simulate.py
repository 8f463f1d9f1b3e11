"""`promotion-conformance simulate` end to end on a simulated cluster of its own (about a minute):
a small pipeline with every kind of fault runs to its end, writes its report and its picture
(checked in headless Chromium), and removes everything it started."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from harness.clusters import registry, toolchain
from harness.clusters.simulated import BINARIES
from harness.gitops.flux import CONTROLLERS
from harness.paths import FIXTURES, REPO

pytestmark = [pytest.mark.cluster, pytest.mark.skipif(
    any(toolchain.locate(b) is None for b in (*BINARIES, *CONTROLLERS)) or shutil.which("chromium") is None,
    reason="needs the simulated cluster's and Flux's binaries (make toolchain) and headless Chromium")]
RUN_TIMEOUT = 420  # cluster, implementation, Flux, the pipeline (at most --timeout after its last release), teardown


def test_simulate_runs_a_pipeline_with_faults_to_its_end_and_reports_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMOTION_", "PYTEST_", "PROVIDER"))}
    run = subprocess.Popen([sys.executable, "-m", "harness.cli", "simulate", str(FIXTURES / "gitops" / "two-stages.yaml"),
                            "--report-dir", str(tmp_path), "--timeout", "180"], cwd=REPO, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = run.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGTERM)  # simulate removes what it started, as on Ctrl-C
        stdout, stderr = run.communicate()
    assert run.returncode == 0, f"exit {run.returncode}:\n{stdout[-2000:]}\n{stderr[-3000:]}"
    folder = next(tmp_path.iterdir())
    report = json.loads((folder / "simulation.json").read_text())
    ends = {v["version"]: v["ended"] for v in report["versions"]}
    assert ends["1.0.0"] in ("Succeeded in prod", "overtaken in prod by 1.2.0"), ends
    assert ends["1.1.0"].startswith(("failed in dev", "overtaken in dev")), ends  # prod refused it
    assert ends["1.2.0"] == "failed in dev (AppPostDeployEvaluations)", ends
    assert report["settled"] and report["kills"] >= 1 and all(check["passed"] for check in report["checks"])
    assert report["boundaries"] == [{"from": "dev", "to": "prod", "commits": {"1.0.0": 1, "1.1.0": 0, "1.2.0": 0}}]
    assert report["leadTimeSeconds"]["count"] == 1 and report["leadTimeSeconds"]["median"] > 0
    assert "Chromium rendered all" in stderr and (folder / "lanes.png").exists() and (folder / "git-log.txt").exists()
    assert not [r for r in registry.all_records() if r.name.startswith("sim-")], "simulate left a cluster record"
