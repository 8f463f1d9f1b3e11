"""The docker commands an image build runs, and the things it made that must not outlive it.

Every container and intermediate image tag a build makes is registered with `Scratch`; leaving the
`with` block — finished, failed, Ctrl-C or SIGTERM — removes them, so an interrupted build leaves
no container and no half-built tag. The final tag is only ever written by the build's last step.
"""
from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.heartbeat import heartbeat
from harness.processes import signal_group
from harness.signals import stop_on_signals


class ImageBuildError(RuntimeError):
    """A build step failed; the message names the command and the end of its output."""


def run(command: list[str], *, say=None, doing: str = "", log: Path | None = None, stdin=None,
        env: dict | None = None, cwd: Path | None = None, check: bool = True) -> str:
    """Run one command and return its stdout; with `say`, a heartbeat names `doing` every 30 s.
    With `log`, the output goes to that file as well (and the error quotes its end). The command
    runs in a process group of its own, ended as a whole if this is interrupted (debootstrap's
    children would otherwise go on writing into a folder being removed)."""
    def call() -> tuple[int, str, str]:
        proc = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env, cwd=cwd, start_new_session=True)
        try:
            out, err = proc.communicate()
        except BaseException:
            signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        return proc.returncode, out, err

    if say:
        with heartbeat(say, doing or shlex.join(command[:3])):
            code, out, err = call()
    else:
        code, out, err = call()
    if log:
        with open(log, "a") as written:
            written.write(f"$ {shlex.join(command)}\n{out}{err}")
    if check and code != 0:
        tail = "\n".join((err or out).rstrip().splitlines()[-15:])
        raise ImageBuildError(f"`{shlex.join(command)[:300]}` failed with exit code {code}:\n{tail}")
    return out


def image_exists(image: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode == 0


def image_labels(image: str) -> dict[str, str]:
    out = run(["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", image], check=False).strip()
    try:
        return json.loads(out) or {}
    except ValueError:
        return {}


class Scratch:
    """Containers and image tags a build made; `remove()` deletes what is registered."""

    def __init__(self) -> None:
        self.containers: list[str] = []
        self.images: list[str] = []

    def container(self, name: str) -> str:
        self.containers.append(name)
        return name

    def image(self, tag: str) -> str:
        self.images.append(tag)
        return tag

    def remove(self) -> None:
        if self.containers:
            subprocess.run(["docker", "rm", "-f", "-v", *self.containers], capture_output=True)
        if self.images:
            subprocess.run(["docker", "rmi", "-f", *reversed(self.images)], capture_output=True)


@contextmanager
def scratch() -> Iterator[Scratch]:
    """A Scratch removed when the block ends; SIGTERM and SIGHUP meanwhile stop the build as
    Ctrl-C does (harness.signals), so that the removal runs for them too."""
    made = Scratch()
    with stop_on_signals():
        try:
            yield made
        finally:
            made.remove()


def build(context: Path, tag: str, dockerfile: str, *, say, doing: str, log: Path) -> str:
    """`docker build` with the legacy builder (no BuildKit: it would fetch its own frontend image)."""
    (context / "Dockerfile").write_text(dockerfile)
    run(["docker", "build", "--force-rm", "-q", "-t", tag, str(context)], say=say, doing=doing, log=log,
        env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return tag
