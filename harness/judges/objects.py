"""Judges of §1 of docs/contract.md: the lifecycle kinds as CRDs and as the API server serves them.

Without a cluster: does a set of CRDs offer the API surface of the contract (harness/contract/api.py),
and which of the static checker's findings against the previous release touch it? What the contract
does not fix is never a failure: an implementation's CRDs may add fields, drop this project's extra
constraints or add their own (minLength, maxItems, minimum, an enum on a free-form field); the
checker's findings about those are returned as observations.

On a cluster: what the API server answers after an upgrade or a rollback. Each judge fails with
expected vs. observed; each has a pure core on plain objects (tested on fake objects) and, where it
reads the cluster, a thin wrapper that reads first. None bakes in a constraint of this project's
CRDs: what an old object gains on read is computed from the CRDs under test
(scenario_objects.expected_after_upgrade).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from kubernetes.dynamic.exceptions import DynamicApiError

from harness.compat.compare import compare_sets
from harness.compat.fields import fields, render, type_of
from harness.compat.breaking_rules import Finding
from harness.contract.api import BY_KIND, CONVERSION, OPTIONAL, STORAGE_VERSION, SURFACE, fields_of
from harness.contract.states import KeptnState
from harness.eventually import NotYet, eventually
from harness.library.crds import installing
from harness.library.crds.crd_sets import CrdSet
from harness.library.crds.etcd_storage import stored
from harness.library.crds.own_cluster import UpgradeCluster
from harness.library.crds.scenario_objects import key
from harness.library.crds.versioned_access import message, read
from harness.timeouts import TIMEOUTS

# A CRD type that admits every value of the contract's type.
_ADMITS = {"string": {"string", "int-or-string", "any"}, "integer": {"integer", "int-or-string", "any"},
           "boolean": {"boolean", "any"}, "object": {"object", "any"}, "array": {"array", "any"}}
_CRD_RULES = ("crd-removed", "not-served", "scope-changed", "plural-changed")



def must_read(cluster: UpgradeCluster, kind: str, version: str, namespace: str, name: str) -> dict:
    obj = read(cluster, kind, version, namespace, name)
    assert obj is not None, f"{kind} {namespace}/{name} is not readable through {version} (404)"
    return obj



def content(obj: dict) -> dict:
    """What must survive an upgrade or a storage migration: spec, status and identity metadata
    (not apiVersion, resourceVersion or managedFields, which name how it was last written)."""
    metadata = {k: obj["metadata"][k] for k in _IDENTITY if k in obj["metadata"]}
    return {"kind": obj["kind"], "metadata": metadata, **{k: obj[k] for k in ("spec", "status") if k in obj}}



def difference(expected, observed) -> str:
    """The first few paths where two JSON values differ, with both values."""
    found = []

    def walk(a, b, at):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                walk(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{at}.{k}" if at else k)
        elif a != b:
            found.append(f"{at}: expected {json.dumps(a)}, observed {json.dumps(b)}")

    walk(expected, observed, "")
    return "; ".join(found[:5]) + (f" (and {len(found) - 5} more)" if len(found) > 5 else "")


# -- reading back ---------------------------------------------------------------------------------



def reads_must_match(expected: dict, reads: dict[str, dict | None], same_write: bool | None = None) -> None:
    """Each read (by version; None: 404) has the content of `expected`. same_write=True: also its
    resourceVersion (it was not rewritten); False: another one (it was)."""
    kind, namespace, name = key(expected)
    problems = []
    for version, observed in reads.items():
        if observed is None:
            problems.append(f"through {version}: 404")
            continue
        if content(observed) != content(expected):
            problems.append(f"through {version}: {difference(content(expected), content(observed))}")
        if same_write is not None and (observed["metadata"]["resourceVersion"] == expected["metadata"]["resourceVersion"]) != same_write:
            problems.append(f"through {version}: resourceVersion {observed['metadata']['resourceVersion']}, "
                            f"{'expected' if same_write else 'expected other than'} {expected['metadata']['resourceVersion']}")
    assert not problems, f"{kind} {namespace}/{name} does not read back as expected {problems[0] if problems else ''}:\n  " \
                         + "\n  ".join(problems)



def must_read_back(cluster: UpgradeCluster, expected: dict, versions: list[str], same_write: bool | None = None) -> None:
    kind, namespace, name = key(expected)
    reads_must_match(expected, {version: read(cluster, kind, version, namespace, name) for version in versions}, same_write)



def reads_must_be_identical(what: str, reads: dict[str, dict]) -> dict:
    """Every read is the same but for apiVersion; returns the first."""
    bare = {version: {k: v for k, v in obj.items() if k != "apiVersion"} for version, obj in reads.items()}
    first, *others = bare
    different = {version: difference(bare[first], bare[version]) for version in others if bare[version] != bare[first]}
    assert not different, f"{what} reads differently through {first} and {', '.join(different)}: {different}"
    return bare[first]



def must_read_identically(cluster: UpgradeCluster, kind: str, namespace: str, name: str, versions: list[str]) -> dict:
    return reads_must_be_identical(f"{kind} {namespace}/{name}",
                                   {version: must_read(cluster, kind, version, namespace, name) for version in versions})



def fields_must_be(observed: dict, expected: dict, what: str) -> None:
    """`observed` (a spec or status) has each field of `expected` with that value (None: absent)."""
    found = {field: observed.get(field) for field in expected}
    assert found == expected, f"{what} has {found}, expected {expected}; all of it: {json.dumps(observed)[:1500]}"



def must_not_list_promotion(obj: dict, what: str, items: bool = False) -> None:
    """No spec.promotionTasks (absent or empty: an empty list is as good as none) and, with `items`,
    no status.promotionTaskStatus items."""
    tasks = (obj.get("spec") or {}).get("promotionTasks")
    assert not tasks, f"{what} has spec.promotionTasks {tasks}, expected none"
    task_items = (obj.get("status") or {}).get("promotionTaskStatus")
    assert not (items and task_items), f"{what} has status.promotionTaskStatus {task_items}, expected none"



def promotion_must_not_have_started(status: dict, what: str) -> None:
    """promotionStatus reads Pending, or nothing: an absent phase status is Pending (contract §3: "Every
    phase status defaults to `Pending`"; whether the CRD or the controller fills it in is not fixed)."""
    observed = status.get("promotionStatus")
    assert KeptnState.of(observed) == KeptnState.PENDING, \
        f"{what} has status.promotionStatus {observed!r} before any controller ran, expected Pending or none"


# -- storage --------------------------------------------------------------------------------------



def stored_as_must_be(stored_object: dict | None, what: str, api_version: str) -> dict:
    assert stored_object is not None, f"etcd holds no {what}"
    assert stored_object["apiVersion"] == api_version, f"etcd holds {what} as {stored_object['apiVersion']}, expected {api_version}"
    return stored_object



def must_be_stored_as(cluster: UpgradeCluster, kind: str, namespace: str, name: str, api_version: str) -> dict:
    return stored_as_must_be(stored(cluster, kind, namespace, name), f"{kind} {namespace}/{name}", api_version)



def stored_versions_must_be(observed: dict[str, list[str] | None], expected: list[str]) -> None:
    """status.storedVersions (by CRD name) is `expected` on every lifecycle CRD."""
    assert observed, "no lifecycle CRD to read status.storedVersions from"
    wrong = {name: versions for name, versions in observed.items() if versions != expected}
    assert not wrong, f"status.storedVersions should be {expected} on every lifecycle CRD; observed: {wrong}"



def stored_versions_must_be_kept(kept: dict[str, list[str]], patched: list[str]) -> None:
    wrong = {name: versions for name, versions in kept.items() if versions != patched}
    assert not wrong, f"patched status.storedVersions to {patched}; the API server kept {wrong}"


# -- CRDs applied ---------------------------------------------------------------------------------



def crds_must_be_in_effect(cluster: UpgradeCluster, crds: CrdSet) -> None:
    """The API server acts on every CRD of the set: Established, serving exactly its served versions
    and applying its schema. The same wait makes every CRD step wait for its CRDs
    (installing.wait_in_effect), so it is written once, there."""
    installing.wait_in_effect(cluster, crds)


def crds_must_be_refused(refusals: dict[str, tuple[int, str]], names: list[str], status: int, text: str) -> None:
    """Each CRD of `names` was refused with `status` and a message containing `text`."""
    accepted = sorted(set(names) - set(refusals))
    assert not accepted, f"the API server accepted {accepted}; refused: {refusals}"
    wrong = {name: refusal for name, refusal in refusals.items() if refusal[0] != status or text not in refusal[1]}
    assert not wrong, f"expected {status} with the message {text!r} for every lifecycle CRD; observed: {wrong}"



def crds_must_be_accepted(refusals: dict[str, tuple[int, str]]) -> None:
    assert not refusals, f"the API server refused: {refusals}"



def crds_must_serve_only(crds: dict[str, dict | None], version: str) -> None:
    """Each CRD (as read from the API server, by name) lists `version` alone, served."""
    problems = {}
    for name, crd in crds.items():
        listed = [(v["name"], v["served"]) for v in crd["spec"]["versions"]] if crd else None
        if listed != [(version, True)]:
            problems[name] = listed
    assert not problems, f"expected every lifecycle CRD to list only ({version!r}, served); observed (name, served): {problems}"


# -- what the API server answers ------------------------------------------------------------------



def must_answer_404(obj: dict | None, what: str) -> None:
    assert obj is None, f"{what} is readable: {json.dumps(obj.get('spec'))[:500]}"



def request_must_fail(call: Callable[[], object], status: int, text: str, what: str) -> None:
    """`call` fails with HTTP `status` and a message containing `text`; waited for, because
    the API server swaps a CRD's handling asynchronously after the CRD changed."""
    def check() -> None:
        try:
            call()
        except DynamicApiError as error:
            if error.status != status or text not in message(error):
                raise NotYet(f"{error.status} {message(error)}") from None
            return
        raise NotYet("it succeeded")

    eventually(check, f"{what} to fail with {status} and the message {text!r}")



def must_list_again(list_names: Callable[[], list[str]], name: str, what: str) -> None:
    """Wait until listing succeeds and shows `name`: the API server's watch cache of the resource
    started again after a repair. (Until then the CRD finalizer cannot list the objects either, so
    the next scenario's CRD deletion would back off for minutes.)"""
    def listed() -> None:
        try:
            names = list_names()
        except DynamicApiError as error:
            raise NotYet(f"{error.status}: {message(error)}") from None
        if name not in names:
            raise NotYet(f"the list holds {names}")

    eventually(listed, f"{what} to list again, showing {name!r}", TIMEOUTS.lifecycle)



@dataclass(frozen=True)
class Attempt:
    """A write that must be refused with `status` and a message containing each of `texts`."""
    what: str
    write: Callable[[], dict]
    status: int
    texts: tuple[str, ...]



def attempts_must_be_refused(attempts: list[Attempt]) -> None:
    """Every attempt is made; all that were not refused as expected are reported together."""
    problems = []
    for attempt in attempts:
        try:
            written = attempt.write()
        except DynamicApiError as error:
            text = message(error)
            if error.status != attempt.status or not all(t in text for t in attempt.texts):
                problems.append(f"{attempt.what}: {error.status} {text}")
            continue
        problems.append(f"{attempt.what}: accepted; the API server stored spec {json.dumps(written.get('spec'))[:300]}")
    assert not problems, (f"expected refusals with {attempts[0].status} and a message naming the field; observed "
                          f"{problems[0] if problems else ''}:\n  " + "\n  ".join(problems))



def manager_must_own(obj: dict, manager: str, api_version: str, owned: list[str], not_owned: list[str]) -> None:
    """The object's managedFields hold an Apply entry of `manager` through `api_version` that owns
    each spec field of `owned` and none of `not_owned`."""
    entries = [e for e in obj["metadata"].get("managedFields") or [] if e["manager"] == manager and e["operation"] == "Apply"]
    summary = [(e["manager"], e["operation"], e.get("apiVersion"), sorted(e.get("fieldsV1", {}).get("f:spec", {})))
               for e in obj["metadata"].get("managedFields") or []]
    assert len(entries) == 1, f"expected one Apply entry of {manager!r} in managedFields; observed (manager, operation, apiVersion, spec fields): {summary}"
    entry = entries[0]
    spec_fields = {field.removeprefix("f:") for field in entry.get("fieldsV1", {}).get("f:spec", {})}
    problems = [f"it does not own spec.{field}" for field in owned if field not in spec_fields]
    problems += [f"it owns spec.{field}" for field in not_owned if field in spec_fields]
    if entry.get("apiVersion") != api_version:
        problems.append(f"it applied through {entry.get('apiVersion')}, expected {api_version}")
    assert not problems, f"managedFields of {obj['kind']} {obj['metadata']['name']}, manager {manager!r}: {'; '.join(problems)}; all entries: {summary}"


# -- the implementation on the upgraded cluster ---------------------------------------------------



def app_version_must_reach(read_status: Callable[[], dict], what: str, state: str, phase: str, log_tail: Callable[[], str]) -> dict:
    """The KeptnAppVersion (its status as `read_status` returns it) reaches `status.status` state
    with `status.currentPhase` phase. A version that ended otherwise fails at once; on failure the
    message ends with the implementation's log tail."""
    def check() -> dict:
        status = read_status()
        observed = (status.get("status"), status.get("currentPhase"))
        if observed != (state, phase):
            summary = f"status {observed[0]}, currentPhase {observed[1]}: {json.dumps(status)[:1500]}"
            if status.get("endTime"):  # finished otherwise: waiting longer cannot help
                raise AssertionError(f"{what} ended with {summary}")
            raise NotYet(summary)
        return status

    try:
        return eventually(check, f"{what} to reach status {state} with currentPhase {phase}", TIMEOUTS.lifecycle)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n--- last lines of the implementation's log ---\n{log_tail()}") from None



def tasks_must_be(tasks: list[dict], expected: list[tuple[str, str]], absent_check_type: str) -> None:
    """The KeptnTasks are exactly `expected` (checkType, definition), in any order, and none has
    `absent_check_type`."""
    found = [(t["metadata"]["name"], t["spec"].get("checkType"), t["spec"]["taskDefinition"]) for t in tasks]
    unwanted = [task for task in found if task[1] == absent_check_type]
    assert not unwanted, f"KeptnTasks with checkType {absent_check_type!r} exist: {unwanted}"
    assert sorted(task[1:] for task in found) == sorted(expected), \
        f"expected the KeptnTasks (checkType, definition) {expected}; observed (name, checkType, definition): {found}"



def app_must_have_one_version(app_versions: list[dict], app: str) -> None:
    names = [v["metadata"]["name"] for v in app_versions if v["spec"].get("appName") == app]
    assert len(names) == 1, f"app {app!r} has the KeptnAppVersions {names}, expected exactly one"



def _problems(problems: list[str], what: str) -> None:
    """Fail with every problem, the first one on the first line (a report's reason is that line)."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    assert not problems, f"{what}: {problems[0] if problems else ''}{more}:\n  " + "\n  ".join(problems)

# Metadata that says what the object is, as opposed to how the API server last handled it.
_IDENTITY = ("name", "namespace", "uid", "generation", "creationTimestamp", "labels", "annotations", "ownerReferences")



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
