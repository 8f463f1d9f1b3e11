"""Things a whole test session shares (the cluster, the implementation), made once, torn down once.

Under pytest-xdist every worker is its own process, so a session fixture would run once per
worker. The first worker to ask creates the resource under a file lock and writes its description
to a JSON file in the run's shared temporary folder; the others read it. The controlling process
(the only one without `workerinput`) tears everything down in pytest_unconfigure, after all
workers ended, also when the run failed or was interrupted.
"""
from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable


def shared_dir(config) -> Path:
    """A folder every process of this pytest run sees (xdist workers' basetemp share a parent)."""
    base = config._tmp_path_factory.getbasetemp()
    return (base.parent if hasattr(config, "workerinput") else base) / "session"


def controller_pid(config) -> int:
    """The pid of the process that owns the run: the xdist controller, or this process."""
    return os.getppid() if hasattr(config, "workerinput") else os.getpid()


@contextmanager
def _locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class CreationFailed(RuntimeError):
    """A shared resource could not be made; every later ask gets the same error at once."""


def get_or_create(config, key: str, create: Callable[[], dict]) -> dict:
    """Return the description of shared resource `key`, creating it if this is the first ask.

    When creating it fails, the failure is kept: every later ask, in any worker, raises
    CreationFailed with the same message instead of trying again."""
    folder = shared_dir(config)
    with _locked(folder):
        path, failed = folder / f"{key}.json", folder / f"{key}.failed"
        if failed.exists():
            raise CreationFailed(failed.read_text())
        if path.exists():
            return json.loads(path.read_text())
        try:
            description = create()
        except Exception as error:  # noqa: BLE001 - whatever it was, it is said once and kept
            failed.write_text(f"{type(error).__name__}: {error}")
            raise CreationFailed(failed.read_text()) from error
        path.write_text(json.dumps(description))
        return description


def created(config) -> dict[str, dict]:
    """Every shared resource made in this run, by key (for teardown in the controlling process)."""
    folder = shared_dir(config)
    if not folder.exists():
        return {}
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
