"""Is a CRD version's openAPIV3Schema one the API server takes: a *structural* schema?

The rules are the API server's (apiextensions-apiserver, `pkg/apiserver/schema`): every node is a
mapping with a known `type` (or `x-kubernetes-int-or-string` / `x-kubernetes-preserve-unknown-
fields` in its place), `properties` maps names to nodes, an array has `items`, `required` and
`enum` are lists. They are Go code with no Python counterpart, so the few that a truncated or
mistyped file breaks are written here by hand; the checker then never meets a node it cannot read.
`allOf`/`anyOf`/`oneOf`/`not` may leave out `type` (value validations only) and are checked as lists.
"""
from __future__ import annotations

TYPES = ("object", "array", "string", "integer", "number", "boolean")

Problem = tuple[list, str]  # (path below openAPIV3Schema, what was expected and found)


def schema_problem(node, path: list | None = None) -> Problem | None:
    """The first reason the API server would refuse this schema node (or one below it), or None."""
    path = path or []
    if not isinstance(node, dict):
        return path, f"expected a schema (a mapping), found {found(node)}"
    kind = node.get("type")
    if kind is None:
        if not (node.get("x-kubernetes-int-or-string") or node.get("x-kubernetes-preserve-unknown-fields")):
            return [*path, "type"], f"expected a type ({', '.join(TYPES)}), found none"
    elif kind not in TYPES:
        return [*path, "type"], f"expected one of {', '.join(TYPES)}, found {found(kind)}"
    properties = node.get("properties", {})
    if not isinstance(properties, dict):
        return [*path, "properties"], f"expected a mapping of field names to schemas, found {found(properties)}"
    for name, child in properties.items():
        if problem := schema_problem(child, [*path, "properties", name]):
            return problem
    if kind == "array" and "items" not in node:
        return [*path, "items"], "an array needs items: expected a schema, found none"
    if "items" in node and (problem := schema_problem(node["items"], [*path, "items"])):
        return problem
    additional = node.get("additionalProperties")
    if additional is not None and not isinstance(additional, bool):
        if problem := schema_problem(additional, [*path, "additionalProperties"]):
            return problem
    for key in ("required", "enum", "allOf", "anyOf", "oneOf"):
        if key in node and not isinstance(node[key], list):
            return [*path, key], f"expected a list, found {found(node[key])}"
    if "required" in node and not all(isinstance(name, str) for name in node["required"]):
        return [*path, "required"], "expected a list of field names (strings)"
    for key in ("allOf", "anyOf", "oneOf"):
        if not all(isinstance(sub, dict) for sub in node.get(key, [])):
            return [*path, key], "expected a list of schemas (mappings)"
    if "not" in node and not isinstance(node["not"], dict):
        return [*path, "not"], f"expected a schema (a mapping), found {found(node['not'])}"
    return None


def found(value) -> str:
    """How a reader of the YAML would name `value`: none, a mapping, a list, the string 'x', the int 3."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, str):
        return f"the string {value[:40]!r}" if value else "an empty string"
    return f"the {type(value).__name__} {value!r}"
