"""Whether the API server would admit an object under one CRD version's OpenAPI v3 schema.

Done in the API server's order: drop `null`s of non-nullable fields, apply defaults, validate. The
validation is jsonschema (Draft 2020-12) on a translation of the OpenAPI v3 schema that keeps the
Kubernetes extensions' meaning:
- `nullable: true` adds `null` to the type (and the enum);
- `x-kubernetes-int-or-string` is "integer or string";
- `x-kubernetes-preserve-unknown-fields` keeps unknown fields; everywhere else an unknown field is an
  error, as with field validation `Strict` (kubectl's default; `Warn` would drop it silently);
- `x-kubernetes-embedded-resource` needs `apiVersion` and `kind`, and its `metadata` is free;
- `x-kubernetes-list-type: set` means unique items;
- formats: `int32`/`int64` as ranges (the Go types behind them cannot hold more); `date-time`,
  `date`, `byte` checked like Kubernetes does.
Not checked, and listed by `unchecked()` so the output says so: CEL rules (`x-kubernetes-validations`:
no well-kept Python library evaluates CEL with Kubernetes' extension library), uniqueness of
`x-kubernetes-list-map-keys`, other string formats.
"""
from __future__ import annotations

import base64
import binascii
import copy
import re
from datetime import date, datetime

from jsonschema import Draft202012Validator, FormatChecker, validators

from harness.compat.fields import render, walk

COPIED = ("enum", "pattern", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
          "minProperties", "maxProperties", "multipleOf", "required", "format")
INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
CHECKED_FORMATS = {"date-time", "date", "byte", *INT_RANGES}
FREE_OBJECT = {"type": "object"}  # ObjectMeta: the API server checks it itself, not the CRD schema

FORMATS = FormatChecker(formats=())
# Kubernetes' date-time (go-openapi strfmt) accepts RFC 3339 and a few ISO 8601 relaxations
# (space separator, no seconds, no zone); this regex is that set.
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if isinstance(value, str):
        match = _DATE_TIME.fullmatch(value)
        if not match:
            raise ValueError(f"{value!r} is not an RFC 3339 date-time")
        datetime(*(int(part or 0) for part in match.groups()))  # raises on month 13, hour 25...
    return True


@FORMATS.checks("date", raises=ValueError)
def _date(value) -> bool:
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
        date.fromisoformat(value)
    return True


@FORMATS.checks("byte", raises=(ValueError, binascii.Error))
def _byte(value) -> bool:
    if isinstance(value, str):
        base64.b64decode(value, validate=True)
    return True


MAX_JSON_INTEGER = 2**53 - 1  # go-openapi's swag.IsFloat64AJSONInteger, which the API server's validation uses


def _api_server_integer(_checker, instance) -> bool:
    """An integer as the API server sees it: an int, or a float (JSON `5.0`) that is whole and within
    ±(2^53 − 1). (It also takes floats within a relative 1e-9 of a whole number; the harness never
    sends those, see random_specs.)"""
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    return isinstance(instance, float) and instance.is_integer() and abs(instance) <= MAX_JSON_INTEGER


_Validator = validators.extend(
    Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _api_server_integer))


def admission_errors(obj: dict, schema: dict) -> list[tuple[str, str]]:
    """(path in the object, message) for every reason the API server would reject `obj`; empty if none."""
    validator = _Validator(to_jsonschema(schema, root=True), format_checker=FORMATS)
    errors = validator.iter_errors(as_stored(obj, schema))
    return sorted((_instance_path(e.absolute_path), e.message) for e in errors)


def unchecked(schema: dict) -> list[str]:
    """What the schema asks that `admission_errors` does not check, one phrase each."""
    found = []
    for path, field in walk(schema):
        node, where = field.node, render(path)
        if node.get("x-kubernetes-validations"):
            found.append(f"CEL rules at {where}")
        if node.get("x-kubernetes-list-map-keys"):
            found.append(f"unique list-map-keys at {where}")
        if node.get("format") and node["format"] not in CHECKED_FORMATS:
            found.append(f"format {node['format']} at {where}")
    return found


def to_jsonschema(node: dict, *, root: bool = False) -> dict:
    out = {key: node[key] for key in COPIED if key in node}
    types = ["integer", "string"] if node.get("x-kubernetes-int-or-string") else [node["type"]] if "type" in node else []
    if types and node.get("nullable"):
        types.append("null")
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if types:
        out["type"] = types if len(types) > 1 else types[0]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if bound in node:  # OpenAPI 3.0's boolean `exclusive*` is a number in Draft 2020-12
            out[exclusive if node.get(exclusive) else bound] = node[bound]
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in node:
            out[combinator] = [to_jsonschema(sub) for sub in node[combinator]]
    if "not" in node:
        out["not"] = to_jsonschema(node["not"])
    if node.get("format") in INT_RANGES and node.get("type") == "integer":
        low, high = INT_RANGES[node["format"]]
        out.setdefault("allOf", []).append({"minimum": low, "maximum": high})
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    if isinstance(node.get("items"), dict):
        out["items"] = to_jsonschema(node["items"])
    if "properties" in node:
        out["properties"] = {name: to_jsonschema(sub) for name, sub in node["properties"].items()}
    if root or node.get("x-kubernetes-embedded-resource"):
        properties = out.setdefault("properties", {})
        properties.update({"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": FREE_OBJECT})
        if not root:
            out["required"] = sorted({*out.get("required", ()), "apiVersion", "kind"})
    additional = node.get("additionalProperties")
    if isinstance(additional, dict):
        out["additionalProperties"] = to_jsonschema(additional)
    elif isinstance(additional, bool):
        out["additionalProperties"] = additional
    elif "object" in types and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def as_stored(value, node: dict | None):
    """The object as the API server stores it: non-nullable nulls dropped, then defaults set."""
    if node is None:
        return value
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [as_stored(item, node["items"]) for item in value]
    if not isinstance(value, dict):
        return value
    properties = node.get("properties") or {}
    values = node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else None
    out = {}
    for key, item in value.items():
        schema = properties.get(key, values)
        if item is None and schema is not None and not schema.get("nullable"):
            continue
        out[key] = as_stored(item, schema)
    for key, schema in properties.items():
        if key not in out and "default" in schema:
            out[key] = as_stored(copy.deepcopy(schema["default"]), schema)
    return out


def _instance_path(parts) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts) or "."
