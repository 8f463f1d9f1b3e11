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
    records_dir().mkdir(parents=True, exist_ok=True)
    entry = Record(cluster.name, cluster.kind, owner_pid, time.time())
    (records_dir() / f"{cluster.name}.json").write_text(json.dumps(asdict(entry)))


def forget(name: str) -> None:
    (records_dir() / f"{name}.json").unlink(missing_ok=True)


def lookup(name: str) -> Record | None:
    path = records_dir() / f"{name}.json"
    if not path.exists():
        return None
    return Record(**json.loads(path.read_text()))


def all_records() -> list[Record]:
    if not records_dir().exists():
        return []
    return [Record(**json.loads(p.read_text())) for p in sorted(records_dir().glob("*.json"))]


def release(name: str) -> None:
    """Keep a cluster after its owner ends (--keep-cluster)."""
    entry = lookup(name)
    if entry:
        entry.owner_pid = None
        (records_dir() / f"{name}.json").write_text(json.dumps(asdict(entry)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(say=print) -> list[str]:
    """Delete clusters whose owning process is gone; return their names."""
    removed = []
    for entry in all_records():
        if entry.owner_pid is None or _alive(entry.owner_pid):
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
