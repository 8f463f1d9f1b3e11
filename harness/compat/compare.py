"""Which schemas of two CRD sets are compared, and the rules applied to every field path of each pair."""
from __future__ import annotations

from dataclasses import dataclass, field

from harness.compat.fields import fields, render, type_of
from harness.compat.loading import Crd
from harness.compat.breaking_rules import CRD_RULES, FIELD_RULES, Finding


@dataclass
class Comparison:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # one line per CRD: what was compared
    fields_compared: int = 0


def compare_sets(old: dict[tuple[str, str], Crd], new: dict[tuple[str, str], Crd]) -> Comparison:
    result = Comparison()
    for key, before in sorted(old.items()):
        after = new.get(key)
        result.findings += [finding for rule in CRD_RULES for finding in rule(before, after)]
        if after is None:
            continue
        labels = []
        for label, old_schema, new_schema in schema_pairs(before, after, result.notes):
            labels.append(label)
            result.fields_compared += _compare_schemas(before.kind, label, old_schema, new_schema, result)
        result.checked.append(f"checked {before.kind}.{before.group}: versions {', '.join(labels) or 'none in common'}")
    return result


def schema_pairs(old: Crd, new: Crd, notes: list[str]) -> list[tuple[str, dict, dict]]:
    """(label, OLD schema, NEW schema) for every upgrade path of an OLD object or client, and only those.

    - Same version name: each version OLD serves, and OLD's storage version even if not served,
      when NEW serves it (a version NEW no longer serves is a `not-served` finding already): an old
      client keeps using the version it knows.
    - Stored objects: OLD's storage version to NEW's storage version, when they differ. With
      conversion `None` the API server only rewrites `apiVersion`, so an object stored as OLD's
      storage version is read, and migrated, as NEW's storage version as it is.
    Another version NEW happens to serve (an older one it kept, say v1alpha3 beside a stored v1) is
    no upgrade path: no stored object and no old client moves to it, so it is not compared.
    """
    pairs = [(v.name, v.schema, new.versions[v.name].schema)
             for v in old.versions.values() if (v.served or v.storage) and _serves(new, v.name)]
    stored, storing = old.storage, new.storage
    if new.conversion == "None":
        if storing is not None and storing.name != stored.name:
            pairs.append((f"{stored.name}→{storing.name}", stored.schema, storing.schema))
    else:
        notes.append(f"{old.kind}: NEW converts versions with a {new.conversion} conversion; objects stored "
                     f"as {stored.name} are only compared with NEW's {stored.name}")
    return pairs


def _serves(crd: Crd, name: str) -> bool:
    return name in crd.versions and crd.versions[name].served


def _compare_schemas(kind: str, label: str, old_schema: dict, new_schema: dict, result: Comparison) -> int:
    """Apply every field rule to every path of either schema; return how many paths both have."""
    before, after = fields(old_schema), fields(new_schema)
    compared = 0
    for path in sorted(before.keys() | after.keys()):
        parent = path[:-1]
        # Below a removed, added or retyped field, the finding on that field says it all.
        if path and not (parent in before and parent in after
                         and type_of(before[parent].node) == type_of(after[parent].node)):
            continue
        old, new = before.get(path), after.get(path)
        for rule in FIELD_RULES:
            result.findings += [Finding(kind, label, render(path), name, detail) for name, detail in rule(old, new)]
        if old and new:
            compared += 1
            rules = new.node.get("x-kubernetes-validations")
            if rules and rules != old.node.get("x-kubernetes-validations"):
                # CEL cannot be evaluated here (see openapi.py): a new rule may reject old objects.
                result.notes.append(f"{kind} {label} {render(path)}: CEL rules (x-kubernetes-validations) added or "
                                    f"changed, not evaluated here: check that old objects pass "
                                    f"{'; '.join(rule.get('rule', '?') for rule in rules)}")
    return compared
