"""The objects check: every example object the OLD CRDs admit must be admitted by the NEW ones.

Examples come from `--objects DIR` and from the repository's fixtures (any non-CRD document whose
apiVersion and kind belong to a CRD of the pair; the CRD folders themselves are skipped). The
result keeps each object that was not held against NEW with its reason; `output.py` summarizes them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness.compat.loading import Crd, Document, InputError, documents, is_crd, yaml_files
from harness.compat.openapi import admission_errors, unchecked

CrdSet = dict[tuple[str, str], Crd]


@dataclass(frozen=True)
class Example:
    doc: Document
    origin: str  # "--objects" or "fixtures"

    @property
    def group_version_kind(self) -> tuple[str, str, str]:
        group, _, version = str(self.doc.body.get("apiVersion", "")).rpartition("/")
        return group, version, str(self.doc.body.get("kind", ""))

    @property
    def name(self) -> str:
        metadata = self.doc.body.get("metadata") or {}
        return "/".join(str(metadata[k]) for k in ("namespace", "name") if metadata.get(k)) or "<no name>"


@dataclass(frozen=True)
class Refusal:
    """An example object and the first reason a CRD version refuses it."""
    example: Example
    path: str  # in the object, `.spec.name`
    message: str


@dataclass
class ObjectCheck:
    invalid_under_new: list[tuple[Refusal, str]] = field(default_factory=list)  # (refusal, version), breaking
    not_served_by_new: list[Example] = field(default_factory=list)  # valid under OLD, version gone: breaking
    invalid_under_old: list[Refusal] = field(default_factory=list)  # not held against NEW
    not_in_old: Counter = field(default_factory=Counter)  # (apiVersion, kind) → examples OLD does not serve
    unknown_kinds: list[Example] = field(default_factory=list)  # --objects documents of no CRD of the pair
    unchecked: list[str] = field(default_factory=list)  # "Kind version: what admission_errors does not check"
    validated: Counter = field(default_factory=Counter)  # origin → objects valid under OLD, checked under NEW

    @property
    def breaking(self) -> bool:
        return bool(self.invalid_under_new or self.not_served_by_new)


def examples(objects_dir: Path | None, fixtures_dir: Path | None, kinds: set[tuple[str, str]],
             skip: list[Path]) -> tuple[list[Example], list[Example]]:
    """(the example objects of the pair's kinds, the `--objects` documents of another kind)."""
    found, unknown = [], []
    for doc in documents(objects_dir) if objects_dir else ():
        example = Example(doc, "--objects")
        group, version, kind = example.group_version_kind
        if not version or not kind:
            raise InputError(f"{doc.file}:{doc.line_of([])} (doc {doc.index}): not a Kubernetes object: "
                             "expected apiVersion and kind")
        (found if (group, kind) in kinds else unknown).append(example)
    skipped = [p.resolve() for p in (*skip, *([fixtures_dir / "crds"] if fixtures_dir else []))]
    for file in yaml_files(fixtures_dir) if fixtures_dir else ():
        if any(file.resolve().is_relative_to(folder) for folder in skipped):
            continue
        for doc in documents(file):
            example = Example(doc, "fixtures")
            group, _, kind = example.group_version_kind
            if not is_crd(doc.body) and (group, kind) in kinds:
                found.append(example)
    return found, unknown


def check_objects(found: list[Example], old: CrdSet, new: CrdSet) -> ObjectCheck:
    result = ObjectCheck()
    checked_under_new: dict[tuple[str, str], dict] = {}
    for example in found:
        group, version, kind = example.group_version_kind
        before = _version(old, group, kind, version)
        if not (before and before.served):
            result.not_in_old[(example.doc.body["apiVersion"], kind)] += 1
            continue
        if errors := admission_errors(example.doc.body, before.schema):
            result.invalid_under_old.append(Refusal(example, *errors[0]))
            continue
        result.validated[example.origin] += 1
        after = _version(new, group, kind, version)
        if not (after and after.served):
            result.not_served_by_new.append(example)
            continue
        checked_under_new[(kind, version)] = after.schema
        result.invalid_under_new += [(Refusal(example, path, message), version)
                                     for path, message in admission_errors(example.doc.body, after.schema)]
    for (kind, version), schema in sorted(checked_under_new.items()):
        if gaps := unchecked(schema):
            result.unchecked.append(f"{kind} {version}: objects were not checked for {', '.join(gaps)}")
    return result


def _version(crds: CrdSet, group: str, kind: str, version: str):
    crd = crds.get((group, kind))
    return crd.versions.get(version) if crd else None
