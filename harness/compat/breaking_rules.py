"""What makes a NEW CRD set break clients and stored objects of an OLD one: one function per rule.

CRD rules look at a whole CRD (NEW may lack it); field rules at one field path of one version's
schema, given the OLD and NEW field (either may be missing). Each yields what it finds.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterator

from harness.compat.fields import Field, type_of
from harness.compat.loading import Crd


@dataclass(frozen=True)
class Finding:
    kind: str
    version: str  # a version name, "OLD→NEW" for stored objects read in another version, "*" for all
    path: str  # `.spec.promotionTasks[]`; "." for the whole object
    rule: str
    detail: str  # old → new


def _show(value) -> str:
    return "none" if value is None else json.dumps(value)


# --- CRD rules -----------------------------------------------------------------------------------

def crd_removed(old: Crd, new: Crd | None) -> Iterator[Finding]:
    if new is None:
        yield Finding(old.kind, "*", ".", "crd-removed", f"{old.kind}.{old.group} ({old.source}) → not in NEW")


def version_not_served(old: Crd, new: Crd | None) -> Iterator[Finding]:
    if new is None:
        return
    for version in (v for v in old.versions.values() if v.served):
        after = new.versions.get(version.name)
        if after is None or not after.served:
            yield Finding(old.kind, version.name, ".", "not-served",
                          f"served → {'not in NEW' if after is None else 'served: false'}")


def resource_moved(old: Crd, new: Crd | None) -> Iterator[Finding]:
    """Another plural or scope is another URL: every client of OLD misses the objects."""
    if new is None:
        return
    for what in ("scope", "plural"):
        before, after = getattr(old, what), getattr(new, what)
        if before != after:
            yield Finding(old.kind, "*", ".", f"{what}-changed", f"{before} → {after}")


CRD_RULES: tuple[Callable[[Crd, Crd | None], Iterator[Finding]], ...] = (
    crd_removed, version_not_served, resource_moved,
)


# --- field rules: yield (rule, detail) -----------------------------------------------------------

FieldRule = Callable[[Field | None, Field | None], Iterator[tuple[str, str]]]

# (old type, new type) pairs that accept every old value.
WIDENINGS = {("integer", "number"), ("integer", "int-or-string"), ("string", "int-or-string")}


def removed(old: Field | None, new: Field | None):
    if old and not new:
        yield "removed", "in OLD → not in NEW (a rename shows as a removal): objects that set it lose it"


def type_narrowed(old: Field | None, new: Field | None):
    if old and new:
        before, after = type_of(old.node), type_of(new.node)
        if before != after and after != "any" and (before, after) not in WIDENINGS:
            yield "type-narrowed", f"{before} → {after}"


def newly_required(old: Field | None, new: Field | None):
    """A NEW default fills the field in before validation, so a defaulted required field breaks nothing."""
    if new and new.required and not (old and old.required) and "default" not in new.node:
        yield "newly-required", "optional → required" if old else "not in OLD → required, without a default"


def default_changed(old: Field | None, new: Field | None):
    """A default is applied when an object is written and also when it is read back from storage, so
    even a first default on an existing optional field changes what old objects read back."""
    before, after = (old.node.get("default"), new.node.get("default")) if old and new else (None, None)
    if before == after:
        return
    if after is None:
        yield "default-removed", f"{_show(before)} → none: manifests that leave the field out no longer get {_show(before)}"
    elif before is None:
        yield "default-added", (f"none → {_show(after)}: objects stored without the field now read back "
                                f"{_show(after)}, and manifests that leave it out get it")
    else:
        yield "default-changed", f"{_show(before)} → {_show(after)}: manifests that leave the field out now get {_show(after)}"


def enum_narrowed(old: Field | None, new: Field | None):
    if not (old and new) or "enum" not in new.node:
        return
    if "enum" not in old.node:
        yield "narrowed", f"enum none → {_show(new.node['enum'])}"
        return
    gone = [value for value in old.node["enum"] if value not in new.node["enum"]]
    if gone:
        yield "enum-value-removed", f"{_show(old.node['enum'])} → {_show(new.node['enum'])} (removed: {_show(gone)})"


def _lowered(before, after) -> bool:
    return after is not None and (before is None or after < before)


def _raised(before, after) -> bool:
    return after is not None and (before is None or after > before)


def _turned_on(before, after) -> bool:
    return bool(after) and not before


def _turned_off(before, after) -> bool:
    return bool(before) and not after


def _new_or_changed(before, after) -> bool:
    return after is not None and after != before


def _list_type(before, after) -> bool:  # `set` and `map` demand unique items or keys, `atomic` nothing
    return after in ("set", "map") and after != before


def _format(before, after) -> bool:
    return _new_or_changed(before, after) and (before, after) != ("int32", "int64")


# Keyword → "is NEW narrower than OLD?" for the constraints that only ever reject more values.
# allOf/anyOf/oneOf/not: any change counts, since proving a new one accepts all old values is out of reach.
NARROWING: dict[str, Callable[[object, object], bool]] = {
    "maximum": _lowered, "maxLength": _lowered, "maxItems": _lowered, "maxProperties": _lowered,
    "minimum": _raised, "minLength": _raised, "minItems": _raised, "minProperties": _raised,
    "exclusiveMaximum": _turned_on, "exclusiveMinimum": _turned_on, "uniqueItems": _turned_on,
    "x-kubernetes-embedded-resource": _turned_on,
    "nullable": _turned_off,  # a null is then dropped instead of kept
    "x-kubernetes-preserve-unknown-fields": _turned_off,  # unknown fields are then rejected or dropped
    "pattern": _new_or_changed, "multipleOf": _new_or_changed, "format": _format,
    "x-kubernetes-list-type": _list_type, "x-kubernetes-list-map-keys": _new_or_changed,
    "allOf": _new_or_changed, "anyOf": _new_or_changed, "oneOf": _new_or_changed, "not": _new_or_changed,
}


def constraint_narrowed(old: Field | None, new: Field | None):
    if old and new:
        for keyword, narrower in NARROWING.items():
            before, after = old.node.get(keyword), new.node.get(keyword)
            if narrower(before, after):
                yield "narrowed", f"{keyword} {_show(before)} → {_show(after)}"


FIELD_RULES: tuple[FieldRule, ...] = (
    removed, type_narrowed, newly_required, default_changed, enum_narrowed, constraint_narrowed,
)
