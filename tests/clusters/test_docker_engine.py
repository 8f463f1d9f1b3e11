"""The Docker engine's decisions, without Docker: when the runc wrapper is needed, what it does to
an OCI spec, and which iptables rules `down` removes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from harness.clusters import docker_engine
from harness.clusters.choice import DockerAnswer
from harness.clusters.docker_engine import EngineError, docker_rules_to_delete, lacks_cap_sys_resource

# CapBnd of this project's VM (bit 24, CAP_SYS_RESOURCE, missing) and of a usual host.
WITHOUT = "Name:\tpython\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n"
WITH = "Name:\tpython\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n"


def test_the_wrapper_is_needed_only_without_cap_sys_resource():
    assert lacks_cap_sys_resource(WITHOUT) is True
    assert lacks_cap_sys_resource(WITH) is False


def test_a_status_without_capbnd_is_an_error():
    with pytest.raises(EngineError, match="CapBnd"):
        lacks_cap_sys_resource("Name:\tpython\n")


CAPS = ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_SYS_RESOURCE", "CAP_NET_ADMIN"]


@pytest.fixture
def wrapper(tmp_path):
    """The wrapper with a fake runc that records its arguments; returns (wrapper, record file)."""
    if not shutil.which("jq"):
        pytest.skip("jq is not installed (docker-engine up installs it with docker.io)")
    record = tmp_path / "runc-args"
    fake_runc = tmp_path / "runc"
    fake_runc.write_text(f'#!/bin/sh\necho "$@" > {record}\n')
    fake_runc.chmod(0o755)
    installed = tmp_path / "runc-without-sys-resource"
    installed.write_text(docker_engine.RUNC_WRAPPER.read_text().replace("@REAL_RUNC@", str(fake_runc))
                         .replace("@JQ@", shutil.which("jq")))
    installed.chmod(0o755)
    return installed, record


def test_create_drops_cap_sys_resource_from_the_bundle_and_calls_runc_with_the_same_arguments(wrapper, tmp_path):
    installed, record = wrapper
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    spec = {"ociVersion": "1.0.2", "process": {"args": ["sh"], "capabilities": {
        "bounding": CAPS, "effective": CAPS, "permitted": CAPS, "inheritable": CAPS}}}
    (bundle / "config.json").write_text(json.dumps(spec))
    args = ["--root", "/run/x", "--log", "/tmp/log.json", "create", "--bundle", str(bundle), "--pid-file", "p", "c1"]
    subprocess.run([str(installed), *args], check=True)

    written = json.loads((bundle / "config.json").read_text())
    for kind in ("bounding", "effective", "permitted", "inheritable"):
        assert written["process"]["capabilities"][kind] == ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_ADMIN"]
    assert written["process"]["args"] == ["sh"]
    assert record.read_text().split() == args


def test_exec_drops_it_from_the_process_file(wrapper, tmp_path):
    installed, record = wrapper
    process = tmp_path / "process.json"
    process.write_text(json.dumps({"args": ["ls"], "capabilities": {"bounding": CAPS, "ambient": None}}))
    subprocess.run([str(installed), "exec", f"--process={process}", "--detach", "c1"], check=True)
    written = json.loads(process.read_text())
    assert written["capabilities"] == {"bounding": ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_ADMIN"], "ambient": None}


def test_other_commands_pass_through_untouched(wrapper):
    installed, record = wrapper
    subprocess.run([str(installed), "--version"], check=True)
    assert record.read_text().split() == ["--version"]


BEFORE = [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    "-A INPUT -i lo -j ACCEPT",
    "COMMIT",
]
AFTER = [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD DROP [0:0]",
    ":DOCKER - [0:0]",
    ":DOCKER-ISOLATION-STAGE-1 - [0:0]",
    ":DOCKER-USER - [0:0]",
    "-A INPUT -i lo -j ACCEPT",
    "-A FORWARD -j DOCKER-USER",
    "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A FORWARD -i br-0123456789ab ! -o br-0123456789ab -j ACCEPT",
    "-A FORWARD -i eth0 -j ACCEPT",
    "-A DOCKER-USER -j RETURN",
    "-A DOCKER-ISOLATION-STAGE-1 -j RETURN",
    "COMMIT",
]


def test_down_removes_the_rules_docker_added_and_its_chains_only():
    deletions, chains = docker_rules_to_delete(AFTER, BEFORE)
    assert deletions == [
        ["-D", "FORWARD", "-j", "DOCKER-USER"],
        ["-D", "FORWARD", "-o", "docker0", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
        ["-D", "FORWARD", "-i", "br-0123456789ab", "!", "-o", "br-0123456789ab", "-j", "ACCEPT"],
        ["-D", "DOCKER-USER", "-j", "RETURN"],
        ["-D", "DOCKER-ISOLATION-STAGE-1", "-j", "RETURN"],
    ]
    assert chains == ["DOCKER", "DOCKER-ISOLATION-STAGE-1", "DOCKER-USER"]


def test_a_rule_that_was_there_before_stays():
    rule = "-A FORWARD -o docker0 -j ACCEPT"
    deletions, _ = docker_rules_to_delete([*AFTER[:-1], rule, "COMMIT"], [*BEFORE[:-1], rule, "COMMIT"])
    assert ["-D", "FORWARD", "-o", "docker0", "-j", "ACCEPT"] not in deletions


def test_up_leaves_an_answering_engine_alone(monkeypatch):
    monkeypatch.setattr(docker_engine, "docker_info_answers", lambda: True)
    monkeypatch.setattr(docker_engine, "read_state", lambda: None)
    monkeypatch.setattr(docker_engine, "_install_packages", lambda say: pytest.fail("installed packages"))
    said = []
    assert docker_engine.up(say=said.append) is False
    assert said == ["a Docker engine already answers `docker info` (not started by promotion-conformance); "
                    "leaving it as it is"]


def test_down_without_a_recorded_engine_touches_nothing(monkeypatch):
    monkeypatch.setattr(docker_engine, "read_state", lambda: None)
    monkeypatch.setattr(docker_engine, "_stop", lambda pid, say: pytest.fail("stopped something"))
    said = []
    assert docker_engine.down(say=said.append) is False
    assert said == ["no engine started by `docker-engine up` is recorded; nothing to stop"]


def test_up_without_root_says_it_needs_root(monkeypatch):
    monkeypatch.setattr(docker_engine, "docker_info_answers", lambda: DockerAnswer(False, "docker: command not found"))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(EngineError, match=r"needs root .*\(docker: command not found\)"):
        docker_engine.up(say=lambda m: None)
