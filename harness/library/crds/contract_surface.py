"""Judges of CRD documents, without a cluster: does a set of CRDs offer the API surface of contract §1
(harness/contract/api.py), and which of the static checker's findings against the previous
release touch it?

What the contract does not fix is never a failure here: an implementation's CRDs may add fields,
drop this project's extra constraints or add their own (minLength, maxItems, minimum, an enum on a
free-form field). The checker's findings about those are returned as observations.
"""
from __future__ import annotations

from harness.compat.compare import compare_sets
from harness.compat.fields import fields, render, type_of
from harness.compat.rules import Finding
from harness.contract.api import BY_KIND, CONVERSION, OPTIONAL, STORAGE_VERSION, SURFACE, fields_of
from harness.library.crds.crd_sets import CrdSet

# A CRD type that admits every value of the contract's type.
_ADMITS = {"string": {"string", "int-or-string", "any"}, "integer": {"integer", "int-or-string", "any"},
           "boolean": {"boolean", "any"}, "object": {"object", "any"}, "array": {"array", "any"}}
_CRD_RULES = ("crd-removed", "not-served", "scope-changed", "plural-changed")


def _problems(problems: list[str], what: str) -> None:
    """Fail with every problem, the first one on the first line (a report's reason is that line)."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    assert not problems, f"{what}: {problems[0] if problems else ''}{more}:\n  " + "\n  ".join(problems)


def crds_must_serve_the_contract_versions(crds: CrdSet) -> None:
    """Every kind of contract §1 has a CRD in its group serving its versions; a lifecycle kind stores
    `v1`, serves `v1beta1` too, converts with strategy `None`, is namespaced and has a status
    subresource in each of them."""
    found = crds.by_kind()
    problems = []
    for surface in SURFACE:
        crd = found.get((surface.group, surface.kind))
        if crd is None:
            problems.append(f"{surface.kind}: no CRD of group {surface.group}")
            continue
        served = [name for name, version in crd.versions.items() if version.served]
        if missing := [v for v in surface.versions if v not in served]:
            problems.append(f"{crd.name}: does not serve {', '.join(missing)} (serves {', '.join(served) or 'nothing'})")
        if not surface.lifecycle:
            continue
        if crd.storage.name != STORAGE_VERSION:
            problems.append(f"{crd.name}: stores {crd.storage.name}, expected {STORAGE_VERSION}")
        if crd.conversion != CONVERSION:
            problems.append(f"{crd.name}: conversion strategy {crd.conversion}, expected {CONVERSION} (docs/contract.md §1: same schema)")
        if crd.scope != "Namespaced":
            problems.append(f"{crd.name}: scope {crd.scope}, expected Namespaced")
        for version in crd.body["spec"]["versions"]:
            if version["name"] in surface.versions and "status" not in (version.get("subresources") or {}):
                problems.append(f"{crd.name}: {version['name']} has no status subresource")
    _problems(problems, f"{crds.description} do not serve what docs/contract.md §1 fixes")


def crds_must_have_the_contract_fields(crds: CrdSet) -> None:
    """In every version the contract serves, each field contract §1 names is there with a type that
    admits the contract's values; a spec field has the default SPEC states (a state field may leave
    its Pending to the implementation); an enum on a
    state or check-type field admits every value of it; the optional lists are not required."""
    found = crds.by_kind()
    problems = []
    for surface in SURFACE:
        crd = found.get((surface.group, surface.kind))
        for version in surface.versions if crd else ():
            if version not in crd.versions:
                continue  # said by crds_must_serve_the_contract_versions
            schema = {render(path): field for path, field in fields(crd.versions[version].schema).items()}
            missing: list[str] = []
            for expected in surface.fields:
                where = f"{surface.kind} {version} {expected.path}"
                node = schema.get(expected.path)
                if node is None:
                    if not (_below(expected.path, missing) or _below_free_form(expected.path, schema)):
                        problems.append(f"{where}: missing")
                        missing.append(expected.path)
                    continue
                if type_of(node.node) not in _ADMITS[expected.type]:
                    problems.append(f"{where}: type {type_of(node.node)}, expected {expected.type}")
                if "default" in node.node and expected.default is not None and node.node["default"] != expected.default:
                    problems.append(f"{where}: default {node.node['default']!r}, the contract states {expected.default!r}")
                elif expected.default is not None and "default" not in node.node and not expected.path.startswith(".status"):
                    # C1.2: the CRDs offer the defaults §1 states for spec fields (a state's Pending
                    # may be filled in by the implementation instead, contract §3)
                    problems.append(f"{where}: no default, the contract states {expected.default!r}")
                if expected.values and "enum" in node.node:
                    if refused := [value for value in expected.values if value not in node.node["enum"]]:
                        problems.append(f"{where}: its enum refuses {', '.join(refused)}")
                if (surface.kind, expected.path) in OPTIONAL and node.required:
                    problems.append(f"{where}: required, the contract says optional")
    _problems(problems, f"{crds.description} lack what docs/contract.md §1 names")


def _below(path: str, parents) -> bool:
    return any(path.startswith(parent + ".") or path.startswith(parent + "[]") for parent in parents)


def _below_free_form(path: str, schema: dict) -> bool:
    """Whether a parent of `path` keeps unknown fields: then the field is admitted and stored as
    written, although the schema does not name it."""
    return any(field.node.get("x-kubernetes-preserve-unknown-fields") for known, field in schema.items()
               if known == "." or _below(path, [known]))


def touches_the_contract(finding: Finding) -> bool:
    """Whether a finding of the static checker breaks what contract §1 fixes: a contract kind gone, no
    longer served or moved; a field SPEC names (or one of its parents) removed or retyped; a list
    SPEC says is optional made required. Everything else is a difference from this project's
    stand-in for the previous release, not from the contract."""
    if finding.kind not in BY_KIND:
        return False
    if finding.rule in _CRD_RULES:
        return True
    named = fields_of(finding.kind)
    if finding.rule in ("removed", "type-narrowed"):
        return any(path == finding.path or path.startswith(finding.path.rstrip(".") + ".")
                   or path.startswith(finding.path + "[]") for path in named)
    if finding.rule == "newly-required":
        return (finding.kind, finding.path) in OPTIONAL
    return False


def upgrade_must_spare_the_contract(previous: CrdSet, upgraded: CrdSet) -> list[str]:
    """The static checker (`crd-compat`) from `previous` to `upgraded` finds no breaking change
    that touches the contract. Returns its other findings, one line each, as observations."""
    findings = compare_sets(previous.by_kind(), upgraded.by_kind()).findings
    shown = [(f"{f.kind} {f.version} {f.path} {f.rule}: {f.detail}", touches_the_contract(f)) for f in findings]
    _problems([line for line, breaks in shown if breaks],
              f"from {previous.description} to {upgraded.description}, the CRD compatibility checker finds breaking "
              "changes to what docs/contract.md §1 fixes")
    return [line for line, breaks in shown if not breaks]
