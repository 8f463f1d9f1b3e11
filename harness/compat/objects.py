"""The objects check: every example object the OLD CRDs admit must be admitted by the NEW ones.

Examples come from `--objects DIR` and from the repository's fixtures (any non-CRD document whose
apiVersion and kind belong to a CRD of the pair; the CRD folders themselves are skipped).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness.compat.loading import Crd, Document, InputError, documents, is_crd, yaml_files
from harness.compat.openapi import admission_errors, unchecked
from harness.compat.rules import Finding

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
    def label(self) -> str:
        metadata = self.doc.body.get("metadata") or {}
        name = "/".join(str(metadata[k]) for k in ("namespace", "name") if metadata.get(k)) or "<no name>"
        return f"{self.doc.where} {name}"


@dataclass
class ObjectCheck:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validated: Counter = field(default_factory=Counter)  # origin → objects valid under OLD, checked under NEW
    invalid_under_old: int = 0


def examples(objects_dir: Path | None, fixtures_dir: Path | None, kinds: set[tuple[str, str]],
             skip: list[Path]) -> tuple[list[Example], list[str]]:
    """The example objects of the pair's kinds, and a note for each `--objects` document of another kind."""
    found, notes = [], []
    for doc in documents(objects_dir) if objects_dir else ():
        example = Example(doc, "--objects")
        group, version, kind = example.group_version_kind
        if not version or not kind:
            raise InputError(f"{doc.where}: not a Kubernetes object: it needs apiVersion and kind")
        if (group, kind) in kinds:
            found.append(example)
        else:
            notes.append(f"{doc.where}: no CRD of OLD or NEW defines {doc.body['apiVersion']} {kind}, not checked")
    skipped = [p.resolve() for p in (*skip, *([fixtures_dir / "crds"] if fixtures_dir else []))]
    for file in yaml_files(fixtures_dir) if fixtures_dir else ():
        if any(file.resolve().is_relative_to(folder) for folder in skipped):
            continue
        for doc in documents(file):
            example = Example(doc, "fixtures")
            group, _, kind = example.group_version_kind
            if not is_crd(doc.body) and (group, kind) in kinds:
                found.append(example)
    return found, notes


def check_objects(found: list[Example], old: CrdSet, new: CrdSet) -> ObjectCheck:
    result = ObjectCheck()
    checked_under_new: dict[tuple[str, str], dict] = {}
    not_in_old: Counter = Counter()  # (apiVersion, kind) → examples of a version OLD does not serve
    for example in found:
        group, version, kind = example.group_version_kind
        api_version = example.doc.body["apiVersion"]
        before = _version(old, group, kind, version)
        if not (before and before.served):
            not_in_old[(api_version, kind)] += 1
            continue
        if errors := admission_errors(example.doc.body, before.schema):
            result.invalid_under_old += 1
            path, message = errors[0]
            result.notes.append(f"{example.label}: invalid under OLD ({path}: {message}), not held against NEW")
            continue
        result.validated[example.origin] += 1
        after = _version(new, group, kind, version)
        if not (after and after.served):
            result.findings.append(Finding(kind, version, ".", "object-invalid",
                                           f"{example.label}: valid under OLD → NEW does not serve {api_version}"))
            continue
        checked_under_new[(kind, version)] = after.schema
        result.findings += [Finding(kind, version, path, "object-invalid",
                                    f"{example.label}: valid under OLD → invalid under NEW: {message}")
                            for path, message in admission_errors(example.doc.body, after.schema)]
    if not_in_old:
        counts = ", ".join(f"{api_version} {kind} ({n})" for (api_version, kind), n in sorted(not_in_old.items()))
        result.notes.append(f"not checked, OLD does not serve their version: {counts}")
    for (kind, version), schema in sorted(checked_under_new.items()):
        if gaps := unchecked(schema):
            result.notes.append(f"{kind} {version}: objects were not checked for {', '.join(gaps)}")
    return result


def _version(crds: CrdSet, group: str, kind: str, version: str):
    crd = crds.get((group, kind))
    return crd.versions.get(version) if crd else None
