"""A Docker engine for Debian hosts that have none (CI machines run as root): `docker-engine up|down`.

`up` leaves a host alone whose engine already answers `docker info`. Otherwise it installs Debian's
docker.io (with iptables and jq) when dockerd is missing, registers a runc wrapper as the default
runtime only when the capability bounding set lacks CAP_SYS_RESOURCE (see
clusters/docker/runc-without-sys-resource), and starts dockerd in a session of its own, logging to
<cache>/logs/dockerd.log. What it started and what the host looked like before is written to
STATE_DIR/engine.json, so that `down` stops exactly that dockerd, by its PID, and removes what it
left: containers, the `kind` network, iptables rules and DOCKER* chains, the docker0 and br-* links,
mounts and run-time directories, cgroup folders, and `net.ipv4.ip_forward` as it was. Images stay in
dockerd's data root (/var/lib/docker) as the cache of built node images; `down --purge` removes it too.

Written by hand: there is no library for running dockerd without systemd; each step is a plain
command of docker.io or iproute2/iptables, as KIND-OFFLINE.md §1 lists them.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness import processes
from harness.clusters.choice import docker_info_answers
from harness.clusters.host import unmount_below
from harness.clusters.provider import ProviderError
from harness.console import speaker
from harness.eventually import NotYet, eventually
from harness.heartbeat import heartbeat, last_line
from harness.paths import CLUSTER_CONFIGS, cache_dir
from harness.signals import stop_on_signals

STATE_DIR = Path("/run/promotion-conformance/docker-engine")
EXEC_ROOT = STATE_DIR / "exec"
DATA_ROOT = Path("/var/lib/docker")
SOCKET = Path("/var/run/docker.sock")
# dockerd makes this (plugins/) whatever its --exec-root; removed by `down` unless it was there before.
PLUGINS_ROOT = Path("/run/docker")
PACKAGES = ("docker.io", "iptables", "jq")
RUNC_WRAPPER = CLUSTER_CONFIGS / "docker" / "runc-without-sys-resource"
RUNTIME_NAME = "runc-without-sys-resource"
CAP_SYS_RESOURCE = 24
IP_FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
# Links and iptables rules dockerd makes: its default bridge and one bridge per user network.
DOCKER_LINK = re.compile(r"^(docker0|br-[0-9a-f]{12})$")
DOCKER_RULE = re.compile(r"(-j DOCKER\S*|docker0|br-[0-9a-f]{12})(\s|$)")
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class EngineError(RuntimeError):
    """The engine could not be installed, started or stopped; the message says what and why."""


@dataclass
class EngineState:
    """What `up` started and what the host looked like before it (for `down`)."""

    pid: int
    runtime_wrapper: bool
    ip_forward_before: str
    links_before: list[str] = field(default_factory=list)
    rules_before: dict[str, list[str]] = field(default_factory=dict)
    plugins_root_before: bool = False


_say = speaker("docker-engine")


def state_file() -> Path:
    return STATE_DIR / "engine.json"


def read_state() -> EngineState | None:
    try:
        return EngineState(**json.loads(state_file().read_text()))
    except FileNotFoundError:
        return None


def lacks_cap_sys_resource(status: str | None = None) -> bool:
    """Whether this process's capability bounding set (CapBnd in /proc/self/status) lacks
    CAP_SYS_RESOURCE, so that a --privileged container cannot be given it."""
    status = Path("/proc/self/status").read_text() if status is None else status
    match = re.search(r"^CapBnd:\s*([0-9a-f]+)$", status, re.MULTILINE)
    if not match:
        raise EngineError("/proc/self/status has no CapBnd line: cannot tell which capabilities containers may get")
    return not int(match.group(1), 16) >> CAP_SYS_RESOURCE & 1


def _run(command: list[str], check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check and proc.returncode != 0:
        raise EngineError(f"`{shlex.join(command)}` failed with exit code {proc.returncode}: "
                          f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
    return proc


def up(say=_say) -> bool:
    """Start an engine unless one answers; return whether this call started one."""
    answer = docker_info_answers()
    if answer:
        owner = "started by `docker-engine up`" if read_state() else "not started by promotion-conformance"
        say(f"a Docker engine already answers `docker info` ({owner}); leaving it as it is")
        return False
    if os.geteuid() != 0:
        raise EngineError("starting a Docker engine needs root (it installs docker.io and runs dockerd); "
                          f"no engine answered `docker info` ({answer.detail})")
    if read_state():
        say("a previous engine of `docker-engine up` is recorded but does not answer; removing what it left first")
        down(say=say)
    _install_packages(say)
    wrapper = lacks_cap_sys_resource()
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    command = ["dockerd", "--host", f"unix://{SOCKET}", "--exec-root", str(EXEC_ROOT),
               "--pidfile", str(STATE_DIR / "dockerd.pid"), "--data-root", str(DATA_ROOT)]
    if wrapper:
        installed = STATE_DIR / RUNTIME_NAME
        installed.write_text(RUNC_WRAPPER.read_text().replace("@REAL_RUNC@", shutil.which("runc") or "runc")
                             .replace("@JQ@", shutil.which("jq") or "jq"))
        installed.chmod(0o755)
        command += ["--add-runtime", f"{RUNTIME_NAME}={installed}", "--default-runtime", RUNTIME_NAME]
        say("this host's capability bounding set lacks CAP_SYS_RESOURCE: registering a runc wrapper that "
            "drops it from every container's spec (kind's --privileged nodes need that)")
    log = cache_dir() / "logs" / "dockerd.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    before = EngineState(pid=0, runtime_wrapper=wrapper, ip_forward_before=IP_FORWARD.read_text().strip(),
                         links_before=_links(), rules_before={t: _rules(t) for t in ("filter", "nat")},
                         plugins_root_before=PLUGINS_ROOT.exists())
    say(f"starting dockerd (log: {log})")
    with open(log, "a") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own session: a Ctrl-C of the caller is not its
    before.pid = process.pid
    state_file().write_text(json.dumps(asdict(before)))
    try:
        def answers() -> None:
            if process.poll() is not None:
                raise EngineError(f"dockerd exited with code {process.returncode} while starting; end of {log}:\n"
                                  + "\n".join(log.read_text().splitlines()[-15:]))
            if not (reply := docker_info_answers()):
                raise NotYet(reply.detail)

        with heartbeat(say, "waiting for dockerd to answer", detail=last_line(log)):
            eventually(answers, "dockerd to answer `docker info`", timeout=START_TIMEOUT_S)
    except BaseException:
        down(say=say)
        raise
    say(f"dockerd {process.pid} answers; stop it with `promotion-conformance docker-engine down`")
    return True


def _install_packages(say) -> None:
    missing = [p for p in PACKAGES if _run(["dpkg-query", "-W", "-f=${Status}", p], check=False).stdout
               != "install ok installed"]
    if not missing:
        return
    if not shutil.which("apt-get"):
        raise EngineError(f"{', '.join(missing)} missing and no apt-get: this command needs a Debian host")
    say(f"installing {', '.join(missing)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    with heartbeat(say, f"installing {', '.join(missing)}"):
        if _run(["apt-get", "install", "-y", "-q", *missing], check=False, env=env).returncode != 0:
            _run(["apt-get", "update", "-q"], env=env)  # a fresh machine's package lists may be empty
            _run(["apt-get", "install", "-y", "-q", *missing], env=env)


def down(purge: bool = False, say=_say) -> bool:
    """Stop the engine `up` started and remove what it left; return whether there was one."""
    state = read_state()
    if state is None:
        say("no engine started by `docker-engine up` is recorded; nothing to stop")
        return False
    if processes.alive(state.pid, "dockerd"):
        _remove_containers(say)
        say(f"stopping dockerd {state.pid}")
        _stop(state.pid, say)
    _kill_leftover_containerd(say)
    _remove_rules(state, say)
    for link in set(_links()) - set(state.links_before):
        if DOCKER_LINK.match(link):
            _run(["ip", "link", "delete", link], check=False)
    for root in (EXEC_ROOT, DATA_ROOT):
        unmount_below(root)
    _remove_cgroups()
    IP_FORWARD.write_text(state.ip_forward_before + "\n")
    SOCKET.unlink(missing_ok=True)
    if not state.plugins_root_before:
        shutil.rmtree(PLUGINS_ROOT, ignore_errors=True)
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    try:
        STATE_DIR.parent.rmdir()  # /run/promotion-conformance, when nothing else is in it
    except OSError:
        pass
    if purge:
        say(f"removing the data root {DATA_ROOT} (every image, the built node images included)")
        shutil.rmtree(DATA_ROOT, ignore_errors=True)
    say("dockerd stopped; its containers, networks, iptables chains, links and mounts are removed")
    return True


def _remove_containers(say) -> None:
    """kind clusters the harness recorded, then every container and unused network, while dockerd
    still runs (it removes their veths, rules and mounts itself)."""
    from harness.clusters import registry

    for entry in registry.all_records(say):
        if entry.provider == "kind":
            say(f"deleting kind cluster {entry.name!r}, which runs on this engine")
            try:
                registry.make_provider("kind", entry.name).delete()
            except ProviderError as error:  # its containers go with all others below
                say(f"kind could not delete {entry.name!r} ({error}); removing its containers directly")
            registry.forget(entry.name)
    ids = _run(["docker", "ps", "-aq"], check=False).stdout.split()
    if ids:
        say(f"removing {len(ids)} container(s)")
        _run(["docker", "rm", "-f", "-v", *ids], check=False)
    _run(["docker", "network", "prune", "-f"], check=False)


def _stop(pid: int, say) -> None:
    os.kill(pid, signal.SIGTERM)

    def gone() -> None:
        if processes.alive(pid, "dockerd"):
            raise NotYet(f"dockerd {pid} still running")

    try:
        eventually(gone, f"dockerd {pid} to exit after SIGTERM", timeout=STOP_TIMEOUT_S)
    except AssertionError:
        say(f"dockerd {pid} did not exit within {STOP_TIMEOUT_S:.0f} s of SIGTERM; sending SIGKILL")
        os.kill(pid, signal.SIGKILL)
        eventually(gone, f"dockerd {pid} to exit after SIGKILL", timeout=10)


def _kill_leftover_containerd(say) -> None:
    """dockerd stops the containerd it started; one that outlived a killed dockerd is ended here."""
    pidfile = EXEC_ROOT / "containerd" / "containerd.pid"
    try:
        pid = int(pidfile.read_text())
    except (FileNotFoundError, ValueError):
        return
    if processes.alive(pid, "containerd"):
        say(f"ending containerd {pid}, which outlived dockerd")
        os.kill(pid, signal.SIGKILL)


def _links() -> list[str]:
    out = _run(["ip", "-o", "link", "show"], check=False).stdout
    return [line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if line.count(":") >= 2]


def _rules(table: str) -> list[str]:
    if not shutil.which("iptables-save"):
        return []
    return _run(["iptables-save", "-t", table], check=False).stdout.splitlines()


def docker_rules_to_delete(rules: list[str], before: list[str]) -> tuple[list[list[str]], list[str]]:
    """From `iptables-save -t <table>` output: the `-D` arguments of each rule dockerd added to a
    chain of its own or of the host (new since `before`, mentioning a DOCKER chain or a docker
    bridge), and the DOCKER* chains to flush and delete."""
    chains = [line[1:].split()[0] for line in rules if line.startswith(":DOCKER")]
    deletions = []
    for line in rules:
        if not line.startswith("-A ") or line in before:
            continue
        chain = line.split()[1]
        if chain.startswith("DOCKER") or DOCKER_RULE.search(line):
            deletions.append(["-D", *shlex.split(line)[1:]])
    return deletions, chains


def _remove_rules(state: EngineState, say) -> None:
    for table in ("filter", "nat"):
        deletions, chains = docker_rules_to_delete(_rules(table), state.rules_before.get(table, []))
        for args in deletions:
            _run(["iptables", "-t", table, *args], check=False)
        for chain in chains:
            _run(["iptables", "-t", table, "-F", chain], check=False)
        for chain in chains:
            _run(["iptables", "-t", table, "-X", chain], check=False)
        left = [line for line in _rules(table) if "DOCKER" in line]
        if left:
            say(f"iptables table {table} still mentions DOCKER: {left}")


def _remove_cgroups() -> None:
    """The empty `docker` cgroup folders of cgroupfs (v1 controllers and the unified tree)."""
    for folder in sorted(Path("/sys/fs/cgroup").glob("**/docker"), key=lambda p: len(p.parts), reverse=True):
        for child in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            try:
                child.rmdir()
            except OSError:
                pass
        try:
            folder.rmdir()
        except OSError:
            pass


def status() -> str:
    state = read_state()
    answer = docker_info_answers()
    if state and processes.alive(state.pid, "dockerd"):
        return f"dockerd {state.pid} started by `docker-engine up`; `docker info` {'answers' if answer else 'does not answer'}"
    if answer:
        return "a Docker engine answers `docker info`; it was not started by promotion-conformance"
    return f"no Docker engine answers `docker info` ({answer.detail})"


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="promotion-conformance docker-engine", description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("up", help="start dockerd unless an engine answers (installs docker.io if missing)")
    down_parser = actions.add_parser("down", help="stop the dockerd `up` started and remove what it left")
    down_parser.add_argument("--purge", action="store_true", help=f"also remove {DATA_ROOT} (all images)")
    actions.add_parser("status", help="which engine answers, and who started it")
    args = parser.parse_args(argv)
    try:
        with stop_on_signals():  # SIGTERM while starting: the `up` failure path stops what it started
            if args.action == "up":
                up()
            elif args.action == "down":
                down(purge=args.purge)
            else:
                print(status())
    except EngineError as error:
        print(f"promotion-conformance docker-engine: {error}", file=sys.stderr)
        return 2 if "needs root" in str(error) else 1
    except KeyboardInterrupt:
        print("promotion-conformance docker-engine: interrupted", file=sys.stderr)
        return 130
    return 0
