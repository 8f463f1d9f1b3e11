"""Reading CRD sets and example objects from a file or a folder of multi-document YAML files.

Everything that cannot be read is an `InputError` naming the file, the document (1-based) and why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

CRD_API_VERSION = "apiextensions.k8s.io/v1"


class InputError(Exception):
    """Bad input: the message names the file (and document) and the reason, on one line."""


class _Loader(yaml.SafeLoader):
    """YAML as the API server reads it: `2024-01-01T00:00:00Z` stays a string, not a datetime."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Version:
    name: str
    served: bool
    storage: bool
    schema: dict  # the openAPIV3Schema, as written


@dataclass(frozen=True)
class Crd:
    group: str
    kind: str
    plural: str
    scope: str
    conversion: str  # "None" or "Webhook"
    versions: dict[str, Version]
    source: str  # "file (doc N)", for messages

    @property
    def storage(self) -> Version:
        return next(v for v in self.versions.values() if v.storage)


@dataclass(frozen=True)
class Document:
    file: Path
    index: int  # 1-based, as a reader counts
    body: dict = field(compare=False)

    @property
    def where(self) -> str:
        return f"{self.file} (doc {self.index})"


def yaml_files(path: Path) -> list[Path]:
    """The file itself, or every *.yaml / *.yml under the folder, sorted."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def documents(path: Path) -> Iterator[Document]:
    """Every non-empty YAML document of the file or folder; each must be a mapping."""
    for file in yaml_files(path):
        try:
            bodies = list(yaml.load_all(file.read_text(encoding="utf-8"), Loader=_Loader))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot read: {exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise InputError(f"{file}: not valid YAML{where}: {problem}") from None
        for index, body in enumerate(bodies, start=1):
            if body is None:
                continue
            if not isinstance(body, dict):
                raise InputError(f"{file} (doc {index}): expected a mapping, found {type(body).__name__}")
            yield Document(file, index, body)


def is_crd(body: dict) -> bool:
    return body.get("kind") == "CustomResourceDefinition"


def load_crds(path: Path) -> dict[tuple[str, str], Crd]:
    """The CRD set at `path`, keyed by (spec.group, spec.names.kind)."""
    crds: dict[tuple[str, str], Crd] = {}
    for doc in documents(path):
        crd = _crd(doc)
        key = (crd.group, crd.kind)
        if key in crds:
            raise InputError(f"{doc.where}: {crd.kind}.{crd.group} is already defined in {crds[key].source}")
        crds[key] = crd
    if not crds:
        raise InputError(f"{path}: no CustomResourceDefinition found")
    return crds


def _crd(doc: Document) -> Crd:
    body = doc.body
    if not is_crd(body) or body.get("apiVersion") != CRD_API_VERSION:
        found = f"{body.get('apiVersion', '<no apiVersion>')} {body.get('kind', '<no kind>')}"
        raise InputError(f"{doc.where}: not a CRD: expected {CRD_API_VERSION} CustomResourceDefinition, found {found}")

    def need(value, field_path: str, expected: type):
        if not isinstance(value, expected) or not value:
            raise InputError(f"{doc.where}: {field_path} must be a non-empty {expected.__name__}, found {value!r}")
        return value

    spec = need(body.get("spec"), "spec", dict)
    names = need(spec.get("names"), "spec.names", dict)
    versions = {}
    for i, version in enumerate(need(spec.get("versions"), "spec.versions", list)):
        where = f"spec.versions[{i}]"
        need(version, where, dict)
        name = need(version.get("name"), f"{where}.name", str)
        schema = need((version.get("schema") or {}).get("openAPIV3Schema"), f"{where}.schema.openAPIV3Schema", dict)
        versions[name] = Version(name, bool(version.get("served")), bool(version.get("storage")), schema)
    if sum(v.storage for v in versions.values()) != 1:
        raise InputError(f"{doc.where}: spec.versions must have exactly one version with storage: true")
    return Crd(
        group=need(spec.get("group"), "spec.group", str),
        kind=need(names.get("kind"), "spec.names.kind", str),
        plural=need(names.get("plural"), "spec.names.plural", str),
        scope=need(spec.get("scope"), "spec.scope", str),
        conversion=(spec.get("conversion") or {}).get("strategy", "None"),
        versions=versions,
        source=doc.where,
    )
