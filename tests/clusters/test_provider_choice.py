"""choose_provider and the `docker info` probe behind `auto`."""
from __future__ import annotations

import pytest

from harness.clusters.choice import DockerAnswer, choose_provider, docker_info_answers


def never_called():
    pytest.fail("docker was probed for an explicitly requested provider")


def test_auto_uses_kind_when_docker_answers_and_a_node_image_is_at_hand():
    assert choose_provider("auto", lambda: True, lambda: (True, "the pinned kindest/node:v1 is present")) == (
        "kind", "auto: `docker info` answered and the pinned kindest/node:v1 is present, using kind")


def test_auto_does_not_pick_a_kind_that_cannot_come_up():
    """Docker answers but no node image can be had (no registry, offline image not buildable)."""
    name, reason = choose_provider("auto", lambda: True, lambda: (False, "cannot be pulled (no such host); missing root"))
    assert name == "simulated"
    assert reason == ("auto: `docker info` answered but kind cannot come up: cannot be pulled (no such host); "
                      "missing root; using the simulated cluster")


def test_auto_does_not_look_for_a_node_image_without_docker():
    assert choose_provider("auto", lambda: False, never_called)[0] == "simulated"


def test_auto_uses_the_simulated_cluster_when_docker_does_not_answer_and_says_why():
    name, reason = choose_provider("auto", lambda: DockerAnswer(False, "docker: command not found"))
    assert name == "simulated"
    assert reason == (
        "auto: no Docker engine answered `docker info` (docker: command not found), using the simulated cluster"
    )


def test_auto_accepts_a_plain_false_from_the_probe():
    assert choose_provider("auto", lambda: False) == (
        "simulated",
        "auto: no Docker engine answered `docker info`, using the simulated cluster",
    )


@pytest.mark.parametrize("requested", ["kind", "simulated", "existing"])
def test_explicit_names_pass_through_without_probing_docker(requested):
    name, reason = choose_provider(requested, never_called, never_called)
    assert name == requested
    assert reason == f"{requested}: requested explicitly"


def test_unknown_name_raises_listing_the_valid_names():
    with pytest.raises(ValueError) as error:
        choose_provider("minikube", never_called)
    assert "'minikube'" in str(error.value)
    assert "auto, kind, simulated, existing" in str(error.value)


@pytest.fixture
def path_with(tmp_path, monkeypatch):
    """Make PATH a single tmp folder holding a fake `docker` with the given shell body."""

    def install(body: str | None):
        folder = tmp_path / "bin"
        folder.mkdir()
        if body is not None:
            docker = folder / "docker"
            docker.write_text(f"#!/bin/sh\n{body}\n")
            docker.chmod(0o755)
        monkeypatch.setenv("PATH", str(folder))

    return install


def test_docker_info_answers_when_docker_exits_0(path_with):
    path_with('[ "$1" = info ] && exit 0; exit 9')
    assert docker_info_answers() == DockerAnswer(True)
    assert bool(docker_info_answers()) is True


def test_docker_info_does_not_answer_when_docker_exits_1(path_with):
    path_with('echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1')
    answer = docker_info_answers()
    assert bool(answer) is False
    assert answer.detail == "exit 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock."


def test_docker_info_does_not_answer_without_docker_on_path(path_with):
    path_with(None)
    assert docker_info_answers() == DockerAnswer(False, "docker: command not found")


def test_docker_info_does_not_answer_when_it_hangs(path_with):
    path_with("exec /bin/sleep 30")
    assert docker_info_answers(timeout_s=0.2) == DockerAnswer(False, "no answer within 0.2 s")
