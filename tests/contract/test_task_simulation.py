"""The task container's command in a real shell, and the kwok stages' reading of the same env:
unset and empty SIM_RUN_FOR / SIM_EXIT_CODE mean 0s and 0 in both (docs/contract.md §7)."""
from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
import yaml

from harness.contract.simulation import TASK_COMMAND, task_container
from harness.paths import CLUSTER_CONFIGS

# busybox is the task image's shell; the host's sh (dash) must agree with it.
SHELLS = [["sh", "-c"]] + ([["busybox", "sh", "-c"]] if shutil.which("busybox") else [])


def run_task(shell: list[str], env: dict[str, str]) -> tuple[int, float]:
    started = time.monotonic()
    proc = subprocess.run([*shell, TASK_COMMAND], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, timeout=30)
    return proc.returncode, time.monotonic() - started


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
@pytest.mark.parametrize("env", [{}, {"SIM_RUN_FOR": "", "SIM_EXIT_CODE": ""}, {"SIM_RUN_FOR": "0s", "SIM_EXIT_CODE": "0"}],
                         ids=["unset", "empty", "zero"])
def test_a_task_without_its_values_succeeds_at_once(shell, env):
    code, took = run_task(shell, env)
    assert code == 0
    assert took < 5


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
def test_a_task_exits_with_its_code_after_its_duration(shell):
    code, took = run_task(shell, {"SIM_RUN_FOR": "0.3s", "SIM_EXIT_CODE": "3"})
    assert code == 3
    assert took >= 0.3


def test_the_container_carries_the_command_and_its_values():
    container = task_container(run_for="1.5s", exit_code=4)
    assert container["command"] == ["sh", "-c", TASK_COMMAND]
    assert {e["name"]: e["value"] for e in container["env"]} == {"SIM_RUN_FOR": "1.5s", "SIM_EXIT_CODE": "4"}


def _job_stages() -> dict[str, dict]:
    stages = yaml.safe_load_all((CLUSTER_CONFIGS / "kwok" / "stages.yaml").read_text())
    return {s["metadata"]["name"]: s["spec"] for s in stages if s["metadata"]["name"].startswith("job-pod-")}


def _jq(expression: str, pod: dict) -> list:
    out = subprocess.run(["jq", "-c", expression], input=json.dumps(pod), capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def _matches(spec: dict, pod: dict) -> bool:
    """A selector as kwok reads it: an empty or null result is `DoesNotExist`."""
    for expression in spec["selector"]["matchExpressions"]:
        if "SIM_EXIT_CODE" not in expression["key"]:
            continue
        exists = any(value is not None for value in _jq(expression["key"], pod))
        if exists != (expression["operator"] == "Exists"):
            return False
    return True


def _pod(env: list[dict]) -> dict:
    return {"spec": {"containers": [{"name": "task", "env": env}]}}


@pytest.mark.cluster
@pytest.mark.skipif(not shutil.which("jq"), reason="jq (the expression language of kwok's stages) is not installed")
@pytest.mark.parametrize(("env", "stage", "delay"), [
    ([], "job-pod-succeed", []),
    ([{"name": "SIM_EXIT_CODE", "value": ""}, {"name": "SIM_RUN_FOR", "value": ""}], "job-pod-succeed", []),
    ([{"name": "SIM_EXIT_CODE", "value": "0"}, {"name": "SIM_RUN_FOR", "value": "2s"}], "job-pod-succeed", ["2s"]),
    ([{"name": "SIM_EXIT_CODE", "value": "3"}], "job-pod-fail", []),
])
def test_the_stages_read_unset_and_empty_values_as_the_command_does(env, stage, delay):
    stages = _job_stages()
    pod = _pod(env)
    assert [name for name, spec in stages.items() if _matches(spec, pod)] == [stage]
    assert _jq(stages[stage]["delay"]["durationFrom"]["expressionFrom"], pod) == delay
