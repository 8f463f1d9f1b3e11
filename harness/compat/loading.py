"""Reading CRD sets and example objects from a file or a folder of multi-document YAML files.

Everything that cannot be read is an `InputError` naming the file, the line, the document
(1-based) and the field, and saying what was expected: YAML that does not parse, a document that
is not a mapping, a CRD whose fields or schema are not what the API server takes (a file cut
short usually ends in one of these).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

from harness.compat.structural import found, schema_problem
from harness.validated_yaml import line_of_node

CRD_API_VERSION = "apiextensions.k8s.io/v1"


class InputError(Exception):
    """Bad input: the message names the file, line, document and field, and the reason, on one line."""


# YAML as the API server reads it: `2024-01-01T00:00:00Z` stays a string, not a datetime. libyaml's
# parser when PyYAML has it (ten times faster on the CRD sets), else PyYAML's own.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    pass


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
    body: dict = field(default_factory=dict, compare=False, repr=False)  # the document as written

    @property
    def storage(self) -> Version:
        return next(v for v in self.versions.values() if v.storage)

    @property
    def name(self) -> str:
        return f"{self.plural}.{self.group}"


@dataclass(frozen=True)
class Document:
    file: Path
    index: int  # 1-based, as a reader counts
    body: dict = field(compare=False)
    node: yaml.Node | None = field(default=None, compare=False, repr=False)  # for the line of a field

    @property
    def where(self) -> str:
        return f"{self.file} (doc {self.index})"

    def line_of(self, path: list) -> int:
        """The 1-based line of the field at `path` (keys and indexes), or of its deepest existing parent."""
        return line_of_node(self.node, path)

    def error(self, path: list, message: str) -> InputError:
        """An InputError for the field at `path`: `file:line (doc N): field a.b[0]: message`."""
        dotted = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
        return InputError(f"{self.file}:{self.line_of(path)} (doc {self.index}): field {dotted or '(document)'}: {message}")


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
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot read: {exc}") from None
        loader = _Loader(text)
        try:
            index = 0
            while loader.check_node():
                node = loader.get_node()
                index += 1
                body = loader.construct_document(node)
                if body is None:
                    continue
                if not isinstance(body, dict):
                    raise InputError(f"{file}:{node.start_mark.line + 1} (doc {index}): expected a mapping "
                                     f"(a Kubernetes object), found {found(body)}")
                yield Document(file, index, body, node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            # libyaml puts the end of a file without a final newline on the line after its last one
            where = f"{file}:{min(mark.line + 1, text.count(chr(10)) + 1)}" if mark else str(file)
            problem = getattr(exc, "problem", None) or str(exc)
            raise InputError(f"{where}: not valid YAML (cut short or mistyped?): {problem}") from None
        finally:
            loader.dispose()


def is_crd(body: dict) -> bool:
    return body.get("kind") == "CustomResourceDefinition"


def load_crds(path: Path, *, allow_empty: bool = False) -> dict[tuple[str, str], Crd]:
    """The CRD set at `path`, keyed by (spec.group, spec.names.kind). Every document must be a CRD."""
    crds: dict[tuple[str, str], Crd] = {}
    for doc in documents(path):
        crd = _crd(doc)
        key = (crd.group, crd.kind)
        if key in crds:
            raise doc.error(["spec", "names", "kind"], f"{crd.kind}.{crd.group} is already defined in {crds[key].source}")
        crds[key] = crd
    if not crds and not allow_empty:
        raise InputError(f"{path}: no CustomResourceDefinition found")
    return crds


def crd_from(body: dict, where: str) -> Crd:
    """The CRD of a document that was not read from a file (one read back from a cluster):
    checked as `load_crds` checks a file's, with `where` naming it in errors."""
    return _crd(Document(Path(where), 1, body))


def _crd(doc: Document) -> Crd:
    body = doc.body
    if not is_crd(body) or body.get("apiVersion") != CRD_API_VERSION:
        seen = f"{body.get('apiVersion', '<no apiVersion>')} {body.get('kind', '<no kind>')}"
        raise doc.error([], f"not a CRD: expected {CRD_API_VERSION} CustomResourceDefinition, found {seen}")

    def need(value, path: list, expected: type):
        if not isinstance(value, expected) or not value:
            raise doc.error(path, f"expected a non-empty {_NAMES[expected]}, found {found(value)}")
        return value

    spec = need(body.get("spec"), ["spec"], dict)
    names = need(spec.get("names"), ["spec", "names"], dict)
    versions = {}
    for i, version in enumerate(need(spec.get("versions"), ["spec", "versions"], list)):
        where = ["spec", "versions", i]
        need(version, where, dict)
        name = need(version.get("name"), [*where, "name"], str)
        for flag in ("served", "storage"):
            if not isinstance(version.get(flag), bool):
                raise doc.error([*where, flag], f"expected true or false, found {found(version.get(flag))}")
        schema_path = [*where, "schema", "openAPIV3Schema"]
        schema = need((version.get("schema") or {}).get("openAPIV3Schema"), schema_path, dict)
        if problem := schema_problem(schema):
            relative, message = problem
            raise doc.error([*schema_path, *relative], message)
        versions[name] = Version(name, version["served"], version["storage"], schema)
    if sum(v.storage for v in versions.values()) != 1:
        raise doc.error(["spec", "versions"], "expected exactly one version with storage: true, found "
                                              f"{sum(v.storage for v in versions.values())}")
    return Crd(
        group=need(spec.get("group"), ["spec", "group"], str),
        kind=need(names.get("kind"), ["spec", "names", "kind"], str),
        plural=need(names.get("plural"), ["spec", "names", "plural"], str),
        scope=need(spec.get("scope"), ["spec", "scope"], str),
        conversion=(spec.get("conversion") or {}).get("strategy", "None"),
        versions=versions,
        source=doc.where,
        body=body,
    )


_NAMES = {dict: "mapping", list: "list", str: "string"}
