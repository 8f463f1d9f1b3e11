"""Which cluster provider a run uses: the one asked for, or for `auto`, kind when Docker answers and
a kind node image is at hand (the pinned one present or pullable, or the offline one built or
buildable), else the simulated cluster; the sentence returned says which and why."""
from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass

PROVIDER_NAMES = ("auto", "kind", "simulated", "existing")
# Seconds `docker info` may take before the engine counts as absent.
DOCKER_INFO_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class DockerAnswer:
    """The outcome of `docker info`: truthy only if it exited 0; `detail` says why not."""

    answered: bool
    detail: str = ""

    def __bool__(self) -> bool:
        return self.answered


def docker_info_answers(timeout_s: float = DOCKER_INFO_TIMEOUT_S) -> DockerAnswer:
    """Run `docker info`; the answer is truthy only when it exits 0 within the timeout."""
    try:
        proc = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=timeout_s)
    except FileNotFoundError:
        return DockerAnswer(False, "docker: command not found")
    except subprocess.TimeoutExpired:
        return DockerAnswer(False, f"no answer within {timeout_s:g} s")
    if proc.returncode != 0:
        last_line = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return DockerAnswer(False, f"exit {proc.returncode}: {last_line}")
    return DockerAnswer(True)


def kind_node_image_at_hand() -> tuple[bool, str]:
    """Whether a kind cluster's node image is at hand (without building it), and which or why not."""
    from harness.clusters import kind_image
    from harness.clusters.kind import KindProvider

    try:
        return True, kind_image.select(KindProvider("auto").pinned_image()).reason
    except ValueError as error:
        return False, str(error)


def choose_provider(
    requested: str,
    docker_answers: Callable[[], DockerAnswer | bool] = docker_info_answers,
    kind_image_at_hand: Callable[[], tuple[bool, str]] = kind_node_image_at_hand,
) -> tuple[str, str]:
    """Return (provider name, the sentence explaining the choice).

    `docker_answers` and then `kind_image_at_hand` are only called for `auto`; when the first
    returns a DockerAnswer, the sentence quotes its detail.
    """
    if requested not in PROVIDER_NAMES:
        raise ValueError(f"unknown cluster provider {requested!r}; expected one of: {', '.join(PROVIDER_NAMES)}")
    if requested != "auto":
        return requested, f"{requested}: requested explicitly"
    answer = docker_answers()
    if answer:
        at_hand, which = kind_image_at_hand()
        if at_hand:
            return "kind", f"auto: `docker info` answered and {which}, using kind"
        return "simulated", f"auto: `docker info` answered but kind cannot come up: {which}; using the simulated cluster"
    detail = getattr(answer, "detail", "")
    because = f" ({detail})" if detail else ""
    return "simulated", f"auto: no Docker engine answered `docker info`{because}, using the simulated cluster"
