"""Which clusters the harness created, who owns them, and removing the ones left behind.

Every cluster the harness creates gets a small record in <cache>/clusters/<name>.json naming its
provider and the process that owns it. A cluster owned by a test session or run is deleted when
that process ends (also on failure and Ctrl-C); if the process died without cleaning up, the next
run finds a record whose owner is gone and deletes the cluster. Clusters brought up with
`cluster up` or kept with --keep-cluster have no owner and stay until `cluster down`.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import processes
from harness.clusters.provider import ClusterProvider, ProviderError
from harness.paths import cache_dir

PROVIDERS = ("simulated", "kind", "existing")


@dataclass
class Record:
    name: str
    provider: str
    owner_pid: int | None  # None: kept until `cluster down`
    created: float


def records_dir() -> Path:
    return cache_dir() / "clusters"


def make_provider(provider: str, name: str, **options) -> ClusterProvider:
    """The provider object for a cluster name; options go to the provider's constructor."""
    if provider == "simulated":
        from harness.clusters.simulated import SimulatedProvider

        return SimulatedProvider(name, **options)
    if provider == "kind":
        from harness.clusters.kind import KindProvider

        return KindProvider(name, **options)
    if provider == "existing":
        from harness.clusters.existing import ExistingProvider

        return ExistingProvider(name, **options)
    raise ValueError(f"unknown provider {provider!r}; expected one of: {', '.join(PROVIDERS)}")


def record(cluster: ClusterProvider, owner_pid: int | None) -> None:
    _write(Record(cluster.name, cluster.kind, owner_pid, time.time()))


def create_recorded(cluster: ClusterProvider, owner_pid: int | None) -> None:
    """Record the cluster, then create it. A creation that fails or is interrupted (Ctrl-C) removes
    what it made before the error goes on: nobody else knows of a cluster that never came up. A
    name already taken is refused before anything is touched."""
    if cluster.exists() or lookup(cluster.name) is not None:
        raise ProviderError(f"a {cluster.kind} cluster named {cluster.name!r} already exists; remove it with "
                            f"`promotion-conformance cluster down --name {cluster.name}` or pick another --name")
    record(cluster, owner_pid)
    try:
        cluster.create()
    except BaseException:
        cluster.delete()
        forget(cluster.name)
        raise


def _write(entry: Record) -> None:
    """Whole or not at all (a process killed while writing must not leave half a record that
    every later run trips over): a temporary file, then an atomic rename."""
    records_dir().mkdir(parents=True, exist_ok=True)
    path = records_dir() / f"{entry.name}.json"
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(asdict(entry)))
    os.replace(partial, path)


def _read(path: Path) -> Record:
    """A record; ValueError naming the file and what is wrong with it."""
    try:
        return Record(**json.loads(path.read_text()))
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path}: not a cluster record ({error}); remove it if no cluster of that name "
                         "is running") from None


def forget(name: str) -> None:
    (records_dir() / f"{name}.json").unlink(missing_ok=True)


def lookup(name: str) -> Record | None:
    path = records_dir() / f"{name}.json"
    if not path.exists():
        return None
    return _read(path)


def all_records(say=print) -> list[Record]:
    """Every readable record; an unreadable one is named through `say` and skipped."""
    if not records_dir().exists():
        return []
    found = []
    for path in sorted(records_dir().glob("*.json")):
        try:
            found.append(_read(path))
        except ValueError as error:
            say(f"skipping {error}")
    return found


def release(name: str) -> None:
    """Keep a cluster after its owner ends (--keep-cluster)."""
    entry = lookup(name)
    if entry:
        entry.owner_pid = None
        _write(entry)




def remove_stale(say=print) -> list[str]:
    """Delete clusters whose owning process is gone; return their names."""
    removed = []
    for entry in all_records(say):
        if entry.owner_pid is None or processes.alive(entry.owner_pid):
            continue
        say(f"removing cluster {entry.name!r} ({entry.provider}) left behind by process {entry.owner_pid}, which is gone")
        try:
            make_provider(entry.provider, entry.name).delete()
        except ProviderError as exc:
            say(f"could not remove stale cluster {entry.name!r}: {exc}")
            continue
        forget(entry.name)
        removed.append(entry.name)
    return removed
