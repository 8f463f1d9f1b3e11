"""Which CRDs the compatibility scenarios install and judge.

- **the implementation's**: the files and folders its adapter lists in `install.crds`; an adapter
  that installs its CRDs otherwise (a Helm chart, a command) lists none, and then they are read
  back from the run's cluster after the implementation's install there: every CRD of the
  contract's groups (contract §1), as the API server holds it, without its status.
- **previous**: the CRDs of the implementation's own release before this one, which its adapter
  names in `previousRelease.crds` (the reference adapter names `fixtures/crds/previous`, this
  project's stand-in for the lifecycle CRDs before the promotion phase, `v1beta1` only). An adapter
  that names none gets the CRD compatibility scenarios as not applicable
  (harness/plugin/scenarios.py): comparing it with another project's release would charge it with
  differences it never shipped. Kinds the previous set does not have (KeptnConfig, KeptnMetric,
  and any other kind of the upgraded set) come from the set it is upgraded to.
- **this project's current**: `fixtures/crds/current`, only for the checks of this project's own
  fixtures (features/compatibility/crd_rollback.feature), never to judge an implementation.
- **rolled back**: previous, with `v1` still listed but not served (see fixtures/crds/previous/README.md).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.compat.loading import Crd, crd_from, load_crds
from harness.contract.api import GROUPS, LIFECYCLE_GROUP, LIFECYCLE_KINDS, STORAGE_VERSION
from harness.paths import FIXTURES

PREVIOUS = FIXTURES / "crds" / "previous"
PROJECT_CURRENT = FIXTURES / "crds" / "current"
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


@dataclass(frozen=True)
class CrdSet:
    description: str  # whose CRDs and where they come from, for messages and the scenario's output
    crds: tuple[Crd, ...]

    def documents(self) -> list[dict]:
        """The CRDs to apply, as fresh copies (PyYAML resolves the fixtures' YAML aliases to
        shared dicts, fixtures/crds/current/README.md; a caller may change its copy)."""
        return copy.deepcopy([crd.body for crd in self.crds])

    @property
    def lifecycle(self) -> tuple[Crd, ...]:
        """The CRDs of the lifecycle kinds of contract §1 (the kinds the upgrade changes)."""
        return tuple(filter(is_lifecycle, self.crds))

    def by_kind(self) -> dict[tuple[str, str], Crd]:
        return {(crd.group, crd.kind): crd for crd in self.crds}

    def crd(self, kind: str) -> Crd | None:
        return next((crd for crd in self.crds if crd.kind == kind), None)


def is_lifecycle(crd: Crd) -> bool:
    return crd.group == LIFECYCLE_GROUP and crd.kind in LIFECYCLE_KINDS


@lru_cache(maxsize=None)
def _folder(path: Path) -> tuple[Crd, ...]:
    return tuple(load_crds(path).values())


def from_paths(description: str, paths: list[Path]) -> CrdSet:
    return CrdSet(description, tuple(crd for path in paths for crd in _folder(path)))


def of_adapter(adapter) -> CrdSet | None:
    """The CRDs of the adapter's `install.crds` (checked when the adapter was loaded), or None
    when it lists none."""
    if not adapter.crd_paths:
        return None
    shown = ", ".join(adapter.spec["install"]["crds"])
    return from_paths(f"the implementation's CRDs ({adapter.name}: install.crds {shown})", adapter.crd_paths)


def read_back(listed: list[dict], where: str) -> CrdSet:
    """The CRDs of the contract's groups among `listed` (the API server's CustomResourceDefinitions),
    as they would be applied: name, labels, annotations and spec, without status or server fields."""
    crds = []
    for item in listed:
        if item["spec"]["group"] not in GROUPS:
            continue
        metadata = {key: item["metadata"][key] for key in ("name", "labels", "annotations") if item["metadata"].get(key)}
        metadata.get("annotations", {}).pop("kubectl.kubernetes.io/last-applied-configuration", None)
        body = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": metadata,
                "spec": copy.deepcopy(item["spec"])}
        crds.append(crd_from(body, f"{where}: CRD {metadata['name']}"))
    return CrdSet(f"the implementation's CRDs, read back from {where}", tuple(crds))


def read_back_from(kube, where: str) -> CrdSet:
    return read_back(kube.dynamic.request("GET", CRD_PATH).to_dict()["items"], where)


def project_current() -> CrdSet:
    return from_paths("this project's current CRDs (fixtures/crds/current)", [PROJECT_CURRENT])


def of_adapters_previous_release(adapter) -> CrdSet | None:
    """The CRDs of the adapter's `previousRelease.crds` (checked when the adapter was loaded), or
    None when it names none."""
    if not adapter.previous_crd_paths:
        return None
    shown = ", ".join(adapter.spec["previousRelease"]["crds"])
    return from_paths(f"the previous release's CRDs ({adapter.name}: {adapter.previous_version}, previousRelease.crds {shown})",
                      adapter.previous_crd_paths)


def project_previous() -> CrdSet:
    return from_paths("the previous release's CRDs (fixtures/crds/previous)", [PREVIOUS])


def previous_release(upgraded: CrdSet, previous: CrdSet | None = None) -> CrdSet:
    """`previous` (the implementation's previous release; this project's fixtures/crds/previous when
    None), plus the kinds of `upgraded` it does not have."""
    previous = previous or project_previous()
    have = {(crd.group, crd.kind) for crd in previous.crds}
    return CrdSet(previous.description, previous.crds + tuple(crd for crd in upgraded.crds if (crd.group, crd.kind) not in have))


def migration_premise(previous: CrdSet, version: str) -> str | None:
    """None when the previous release stores its lifecycle kinds as `version`; else why a scenario
    about objects stored as `version` before the upgrade (and migrated after it) cannot run."""
    stored = sorted({crd.storage.name for crd in previous.lifecycle})
    if stored == [version]:
        return None
    return (f"{previous.description} stores {', '.join(stored)}, not {version}: an object created through {version} is "
            f"stored as {', '.join(stored)} before the upgrade, so there is no storage migration from {version} to check")


_STORED_BEFORE = re.compile(r'etcd still holds every object as "[^"/]+/([^"]+)"')


def premise_of_steps(previous: CrdSet, steps: list[str]) -> str | None:
    """Why a scenario whose steps say what etcd still holds after the upgrade ("etcd still holds every
    object as "lifecycle.keptn.sh/v1beta1"") does not apply to an upgrade from `previous`: that release
    stores another version. None when it applies."""
    for step in steps:
        if match := _STORED_BEFORE.search(step):
            return migration_premise(previous, match.group(1))
    return None


def rolled_back(previous: CrdSet) -> CrdSet:
    """The previous CRDs as they can be applied over a set that stores `v1`: each lifecycle CRD also
    lists `v1`, not served and not the storage version, with the previous schema.

    The API server refuses a CRD that drops a version named in its status.storedVersions, and `v1`
    is there from the moment the upgraded set was applied. Keeping `v1` listed is the one change
    that makes a rollback possible without a storage migration first.
    """
    crds = []
    for crd in previous.crds:
        body = copy.deepcopy(crd.body)
        if is_lifecycle(crd):
            (beta,) = body["spec"]["versions"]
            body["spec"]["versions"].append({**copy.deepcopy(beta), "name": STORAGE_VERSION, "served": False, "storage": False})
        crds.append(crd_from(body, f"{crd.source}, rolled back"))
    return CrdSet(f"{previous.description}, with {STORAGE_VERSION} still listed but not served", tuple(crds))
