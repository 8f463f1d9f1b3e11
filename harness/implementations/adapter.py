"""Reading an implementation adapter file: validated against its JSON Schema, errors with file and line.

An adapter file tells the suite who made an implementation, how to install, start, stop and kill
it, how to turn its promotion feature flag off, and which conformance features it claims.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from harness.paths import REPO

SCHEMA = json.loads((Path(__file__).parent / "implementation.schema.json").read_text())
BUILTIN = Path(__file__).parent
DEFAULT = BUILTIN / "reference.yaml"


class AdapterError(ValueError):
    """The adapter file is unreadable or invalid; the message names file, line and field."""


@dataclass(frozen=True)
class Adapter:
    path: Path
    name: str
    spec: dict

    @property
    def metadata(self) -> dict:
        return self.spec["implementation"]

    @property
    def features(self) -> list[str]:
        return list(self.spec["features"])

    @property
    def needs_real_nodes(self) -> bool:
        return bool(self.spec.get("requirements", {}).get("realNodes", False))

    @property
    def mode(self) -> str:
        return self.spec["run"]["mode"]

    def placeholders(self, kubeconfig: Path, log_dir: Path) -> dict[str, str]:
        import sys

        return {
            "python": sys.executable,
            "kubeconfig": str(kubeconfig),
            "repo": str(REPO),
            "adapter_dir": str(self.path.parent),
            "log_dir": str(log_dir),
        }


def resolve(name_or_path: str | None) -> Path:
    """An adapter given by path, or by the name of a built-in one ("reference", "keptn")."""
    if not name_or_path:
        return DEFAULT
    builtin = BUILTIN / f"{name_or_path}.yaml"
    if not Path(name_or_path).exists() and builtin.exists():
        return builtin
    return Path(name_or_path)


def load(path: Path) -> Adapter:
    try:
        text = path.read_text()
    except OSError as exc:
        raise AdapterError(f"{path}: cannot read the adapter file: {exc.strerror}") from None
    try:
        node = yaml.compose(text)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise AdapterError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        field = ".".join(str(p) for p in error.absolute_path) or "(document)"
        line = _line_of(node, list(error.absolute_path))
        raise AdapterError(f"{path}:{line}: field {field}: {error.message}")
    return Adapter(path=path.resolve(), name=document["metadata"]["name"], spec=document["spec"])


def _line_of(node, path: list) -> int:
    """The 1-based line of the YAML node at `path` (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node else 1
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line
