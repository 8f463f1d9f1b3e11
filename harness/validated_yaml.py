"""Reading a YAML file the user wrote, checked against a JSON Schema, with errors that name the
file, the line and the field (jsonschema reports paths; the line comes from the YAML node tree)."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml


class ConfigError(ValueError):
    """The file is unreadable or invalid; the message is `file:line: field F: what was expected`."""


def load_validated(path: Path, schema: dict, what: str) -> dict:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc.strerror}") from None
    try:
        node = yaml.compose(text)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: the {what} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        field = ".".join(str(p) for p in error.absolute_path) or "(document)"
        raise ConfigError(f"{path}:{line_of_node(node, list(error.absolute_path))}: field {field}: {error.message}")
    return document


def line_of(path: Path, field: list) -> int:
    """The 1-based line of `field` (a list of keys and indexes) in the YAML file at `path`, for an
    error found after the schema passed."""
    return line_of_node(yaml.compose(Path(path).read_text()), field)


def line_of_node(node, path: list) -> int:
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
