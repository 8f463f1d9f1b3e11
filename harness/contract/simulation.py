"""How a scenario's task says how long it runs and how it exits (docs/contract.md §7), written once.

The task container carries SIM_RUN_FOR and SIM_EXIT_CODE in its env and a command that obeys
them in a real container; the simulated cluster's kwok stages (clusters/kwok/stages.yaml) read
the same env from the pod. Any implementation that runs the task's container as written behaves
the same on kind and in the simulated cluster.

Unset or empty, SIM_RUN_FOR means 0s and SIM_EXIT_CODE 0, in the command (`${VAR:-default}`) as in
the stages: a task whose env lost them (a random spec, a hand-written definition) succeeds at once
on both, instead of `sleep ""; exit ""` failing with exit code 2 in a real shell.
"""
from __future__ import annotations

TASK_IMAGE = "busybox:1.36"
# busybox `sleep` takes a duration with an s/m/h/d suffix, as SIM_RUN_FOR is written ("1.5s").
TASK_COMMAND = 'sleep "${SIM_RUN_FOR:-0s}"; exit "${SIM_EXIT_CODE:-0}"'


def task_container(name: str = "task", run_for: str = "0s", exit_code: int = 0) -> dict:
    """A core/v1 Container that runs for `run_for` (a duration like "5s") and exits `exit_code`."""
    return {
        "name": name,
        "image": TASK_IMAGE,
        "command": ["sh", "-c", TASK_COMMAND],
        "env": [
            {"name": "SIM_RUN_FOR", "value": run_for},
            {"name": "SIM_EXIT_CODE", "value": str(exit_code)},
        ],
    }
