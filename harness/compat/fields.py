"""A CRD version's OpenAPI schema seen as a flat map: field path → schema node.

Paths are tuples (`("spec", "promotionTasks", "[]")`) written as `.spec.promotionTasks[]`;
`[]` is "every item of the list", `.*` "every value of the map" (additionalProperties).
`allOf`/`anyOf`/`oneOf`/`not` are not descended into: the rules compare them whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

Path = tuple[str, ...]
ITEMS = "[]"
VALUES = "*"


@dataclass(frozen=True)
class Field:
    node: dict  # the schema node as written
    required: bool  # listed in its parent object's `required`


def fields(schema: dict) -> dict[Path, Field]:
    return dict(walk(schema))


def walk(node: dict, path: Path = (), required: bool = True) -> Iterator[tuple[Path, Field]]:
    yield path, Field(node, required)
    for name, child in (node.get("properties") or {}).items():
        yield from walk(child, (*path, name), name in (node.get("required") or ()))
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], (*path, ITEMS), False)
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(node["additionalProperties"], (*path, VALUES), False)


def render(path: Path) -> str:
    return "".join(part if part == ITEMS else f".{part}" for part in path) or "."


def type_of(node: dict) -> str:
    """The node's type, with Kubernetes' two extensions spelled out: `int-or-string`, `any` (no type)."""
    if node.get("x-kubernetes-int-or-string"):
        return "int-or-string"
    return node.get("type", "any")
