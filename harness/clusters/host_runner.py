"""Runs on this host the container of every simulated pod that asks for it (env SIM_RUN=host).

In the simulated cluster no container runs: kwok plays the kubelet and ends a Job's pod after the
SIM_RUN_FOR and with the SIM_EXIT_CODE of its env (clusters/kwok/stages.yaml). A promotion task that
really promotes must run its script, so kwok's ending stages leave a pod whose task container says
`SIM_RUN=host` to this runner: once kwok has made the pod Running, the runner executes the
container's command and args, with the container's env only (KEPTN_CONTEXT included; PATH and HOME
added), in a scratch folder of its own, within the pod's deadline, and writes the exit code and the
tail of the log into the container's `terminated` state and the pod's phase, as a kubelet does.
Pods that do not ask are never touched.

It belongs to the simulated cluster: `SimulatedProvider` starts it with the cluster, records its
pid beside the control plane's, and stops it with the cluster. Each run's full log is kept in
`<work dir>/<namespace>/<pod>/log`.

    python -m harness.clusters.host_runner --kubeconfig K --work-dir D
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from harness.console import log_writer
from harness.processes import orphan_guarded, signal_group

ASKS = ("SIM_RUN", "host")  # the env variable and value by which a pod's task container asks
READY_FILE = "ready"  # written into the work dir once the runner watches pods
DEFAULT_DEADLINE = 300.0  # a Keptn task's default timeout (5m), when neither pod nor Job sets one
MESSAGE_LIMIT = 2048  # bytes of the log's tail in the terminated state's message
_FIELD_PATHS = {
    "metadata.name": lambda pod: pod["metadata"]["name"],
    "metadata.namespace": lambda pod: pod["metadata"]["namespace"],
    "metadata.uid": lambda pod: pod["metadata"]["uid"],
    "spec.nodeName": lambda pod: pod["spec"].get("nodeName", ""),
    "spec.serviceAccountName": lambda pod: pod["spec"].get("serviceAccountName", ""),
    "status.podIP": lambda pod: (pod.get("status") or {}).get("podIP", ""),
}
_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


class CannotRun(ValueError):
    """The pod asks to be run here but its container cannot be; the message says why."""


# -- what a pod asks for (pure) ---------------------------------------------------------------------


def asks_for_host(pod: dict) -> bool:
    containers = (pod.get("spec") or {}).get("containers") or []
    env = (containers[0].get("env") or []) if containers else []
    return any(item.get("name") == ASKS[0] and item.get("value") == ASKS[1] for item in env)


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' `$(VAR)` references: replaced when VAR is defined, kept as written otherwise;
    `$$` is a literal `$`."""
    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1), match.group(0))

    return _REFERENCE.sub(one, text)


def environment(pod: dict, container: dict) -> dict[str, str]:
    """The container's env, in order, each value expanded against the ones before it."""
    env: dict[str, str] = {}
    for item in container.get("env") or []:
        name = item["name"]
        if "valueFrom" not in item:
            env[name] = expand(item.get("value", ""), env)
            continue
        field_path = ((item["valueFrom"] or {}).get("fieldRef") or {}).get("fieldPath")
        if field_path not in _FIELD_PATHS:
            source = next(iter(item["valueFrom"] or {"nothing": None}))
            raise CannotRun(f"env {name} takes its value from {source} {field_path or ''}".rstrip()
                            + f"; the host runner resolves values and fieldRef {sorted(_FIELD_PATHS)} only")
        env[name] = _FIELD_PATHS[field_path](pod)
    if container.get("envFrom"):
        raise CannotRun("the container uses envFrom, which the host runner does not resolve")
    return env


def command_of(container: dict, env: dict[str, str]) -> list[str]:
    command = [*(container.get("command") or []), *(container.get("args") or [])]
    if not container.get("command"):
        raise CannotRun(f"container {container.get('name')!r} has no command: the host runner runs the container's "
                        "command, it cannot know the entrypoint of its image")
    return [expand(part, env) for part in command]


def deadline_of(pod: dict, job: dict | None) -> float:
    """Seconds the container may run: the pod's activeDeadlineSeconds, else its Job's."""
    for source in (pod, job or {}):
        seconds = (source.get("spec") or {}).get("activeDeadlineSeconds")
        if seconds:
            return float(seconds)
    return DEFAULT_DEADLINE


def ended_status(container: dict, exit_code: int, message: str, started: datetime, finished: datetime) -> dict:
    """The pod status a kubelet reports when its only container ended (as kwok's stages write it)."""
    succeeded = exit_code == 0
    reason = "PodCompleted" if succeeded else "PodFailed"
    terminated = {"exitCode": exit_code, "reason": "Completed" if succeeded else "Error",
                  "startedAt": _stamp(started), "finishedAt": _stamp(finished)}
    if message:
        terminated["message"] = message
    return {"status": {
        "phase": "Succeeded" if succeeded else "Failed",
        "conditions": [{"type": kind, "status": "False", "reason": reason, "lastTransitionTime": _stamp(finished)}
                       for kind in ("Ready", "ContainersReady")],
        "containerStatuses": [{"name": container["name"], "image": container.get("image", ""), "ready": False,
                               "restartCount": 0, "started": False, "state": {"terminated": terminated}}],
    }}


def tail(log: bytes, limit: int = MESSAGE_LIMIT) -> str:
    text = log.decode(errors="replace").strip()
    return text[-limit:]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- running them ---------------------------------------------------------------------------------


@dataclass
class Run:
    process: subprocess.Popen | None = None
    deleted: bool = False


class HostRunner:
    """Watches pods of every namespace and runs those that ask, each once (by uid)."""

    def __init__(self, core, work_dir: Path, say=print):
        self.core = core
        self.work_dir = work_dir
        self.say = say
        self.runs: dict[str, Run] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def serve(self) -> None:
        from kubernetes import watch

        resource_version = None
        while not self._stop.is_set():
            try:
                if resource_version is None:
                    listing = self.core.list_pod_for_all_namespaces(field_selector="status.phase=Running")
                    resource_version = listing.metadata.resource_version
                    for pod in listing.items:
                        self._seen("ADDED", self.core.api_client.sanitize_for_serialization(pod))
                    (self.work_dir / READY_FILE).write_text(str(os.getpid()))
                stream = watch.Watch().stream(self.core.list_pod_for_all_namespaces, field_selector="status.phase=Running",
                                              resource_version=resource_version, timeout_seconds=30)
                for event in stream:
                    if event["type"] == "ERROR":
                        resource_version = None
                        break
                    resource_version = event["raw_object"]["metadata"]["resourceVersion"]
                    self._seen(event["type"], event["raw_object"])
            except Exception as error:  # noqa: BLE001 - the API server went away: list and watch again
                self.say(f"watch of pods failed ({type(error).__name__}: {str(error)[:200]}); listing again")
                resource_version = None
                self._stop.wait(0.5)

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            for run in self.runs.values():
                _end_group(run.process)

    def _seen(self, event_type: str, pod: dict) -> None:
        if not asks_for_host(pod):
            return
        uid = pod["metadata"]["uid"]
        with self._lock:
            run = self.runs.get(uid)
            if event_type == "DELETED" or pod["metadata"].get("deletionTimestamp"):
                if run is not None and not run.deleted:
                    run.deleted = True
                    _end_group(run.process)
                return
            if run is not None or (pod.get("status") or {}).get("phase") != "Running":
                return
            self.runs[uid] = Run()
        threading.Thread(target=self._run, args=(pod,), name=f"run {pod['metadata']['name']}", daemon=True).start()

    def _run(self, pod: dict) -> None:
        meta = pod["metadata"]
        where = f"{meta['namespace']}/{meta['name']}"
        container = pod["spec"]["containers"][0]
        scratch = self.work_dir / meta["namespace"] / meta["name"]
        scratch.mkdir(parents=True, exist_ok=True)
        started = datetime.now(timezone.utc)
        try:
            if len(pod["spec"]["containers"]) != 1:
                raise CannotRun(f"the pod has {len(pod['spec']['containers'])} containers; the host runner runs pods of one")
            env = environment(pod, container)
            command = command_of(container, env)
            deadline = deadline_of(pod, self._job_of(pod))
        except CannotRun as why:
            self.say(f"{where}: cannot run it: {why}")
            self._report(pod, container, 126, f"host runner: {why}", started)
            return
        self.say(f"{where}: running {command[:3]}… in {scratch} (deadline {deadline:.0f}s)")
        exit_code, log = self._execute(meta["uid"], command, env, scratch, deadline)
        (scratch / "log").write_bytes(log)
        with self._lock:
            deleted = self.runs[meta["uid"]].deleted
        if deleted:
            self.say(f"{where}: the pod was deleted while it ran; its process was stopped")
            return
        self.say(f"{where}: exited {exit_code}")
        self._report(pod, container, exit_code, tail(log), started)

    def _execute(self, uid: str, command: list[str], env: dict[str, str], scratch: Path, deadline: float) -> tuple[int, bytes]:
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(scratch), **env}
        try:
            # Through the orphan guard: a run ends with the runner, also when the runner is SIGKILLed.
            process = subprocess.Popen(orphan_guarded(command), cwd=scratch, env=full_env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as error:
            return 127, f"host runner: cannot start {command[0]!r}: {error}".encode()
        with self._lock:
            self.runs[uid].process = process
        try:
            output, _ = process.communicate(timeout=deadline)
            return process.returncode, output
        except subprocess.TimeoutExpired:
            _end_group(process)
            output, _ = process.communicate()
            return 137, output + f"\nhost runner: killed after its deadline of {deadline:.0f}s".encode()

    def _job_of(self, pod: dict) -> dict | None:
        from kubernetes import client

        owner = next((ref for ref in pod["metadata"].get("ownerReferences") or [] if ref.get("kind") == "Job"), None)
        if owner is None:
            return None
        try:
            job = client.BatchV1Api(self.core.api_client).read_namespaced_job(owner["name"], pod["metadata"]["namespace"])
        except client.ApiException:
            return None
        return self.core.api_client.sanitize_for_serialization(job)

    def _report(self, pod: dict, container: dict, exit_code: int, message: str, started: datetime) -> None:
        from kubernetes import client

        meta = pod["metadata"]
        body = ended_status(container, exit_code, message, started, datetime.now(timezone.utc))
        try:
            self.core.patch_namespaced_pod_status(meta["name"], meta["namespace"], body)
        except client.ApiException as error:
            if error.status != 404:  # a pod deleted meanwhile needs no status
                self.say(f"{meta['namespace']}/{meta['name']}: could not write its status: {error.status} {error.reason}")


def _end_group(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        signal_group(process.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.clusters.host_runner", description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--work-dir", required=True, type=Path)
    args = parser.parse_args(argv)
    from kubernetes import client, config

    say = log_writer()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    runner = HostRunner(client.CoreV1Api(config.new_client_from_config(config_file=args.kubeconfig)), args.work_dir, say)

    def stop(signum, _frame) -> None:
        say(f"{signal.Signals(signum).name}: stopping every running container")
        runner.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    say(f"host runner: running pods whose first container has env {ASKS[0]}={ASKS[1]}; work dir {args.work_dir}")
    runner.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
