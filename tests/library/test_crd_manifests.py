"""The hand-written CRD and RBAC manifests (fixtures/crds, fixtures/rbac), checked without a cluster.

Each manifest is read with PyYAML and compared with docs/contract.md, quoted where a test checks one of its
rows. What only an API server decides (CEL compilation and cost budget, defaults applied on create,
the upgrade from previous to current) needs a real kube-apiserver and is not checked here.
"""
from __future__ import annotations

import base64
import copy
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from harness.library import manifests
from harness.paths import FIXTURES

CURRENT = FIXTURES / "crds" / "current"
PREVIOUS = FIXTURES / "crds" / "previous"
RBAC = FIXTURES / "rbac"

LIFECYCLE = "lifecycle.keptn.sh"
LIFECYCLE_KINDS = (
    "KeptnAppContext", "KeptnApp", "KeptnAppVersion", "KeptnWorkload", "KeptnWorkloadVersion",
    "KeptnTaskDefinition", "KeptnTask", "KeptnEvaluationDefinition", "KeptnEvaluation",
)
# contract §1: "Group `lifecycle.keptn.sh`, versions `v1` (storage) and `v1beta1` ... `KeptnConfig` is
# `options.keptn.sh/v1alpha1`. `KeptnMetric` is `metrics.keptn.sh/v1`."
SPEC_KINDS = {kind: (LIFECYCLE, ["v1", "v1beta1"]) for kind in LIFECYCLE_KINDS} | {
    "KeptnConfig": ("options.keptn.sh", ["v1alpha1"]),
    "KeptnMetric": ("metrics.keptn.sh", ["v1"]),
}
# contract §1: "States (`KeptnState`): `Pending`, `Progressing`, `Succeeded`, `Failed`, `Unknown`,
# `Deprecated`, `Warning`." and "Check types: `pre`, `post`, `promotion`, `pre-eval`, `post-eval`."
KEPTN_STATES = ["Pending", "Progressing", "Succeeded", "Failed", "Unknown", "Deprecated", "Warning"]
CHECK_TYPES = ["pre", "post", "promotion", "pre-eval", "post-eval"]
PROMOTION_FIELDS = {"promotionTasks", "promotionStatus", "promotionTaskStatus"}
DURATION_FIELDS = {"timeout", "retryInterval", "observabilityTimeout"}


def load_documents(folder: Path) -> list[dict]:
    return [doc for path in sorted(folder.glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def load_crds(folder: Path) -> dict[str, dict]:
    """The CRDs of a folder by kind."""
    return {crd["spec"]["names"]["kind"]: crd for crd in load_documents(folder)}


CURRENT_CRDS = load_crds(CURRENT)
PREVIOUS_CRDS = load_crds(PREVIOUS)


def version(crd: dict, name: str) -> dict:
    versions = {v["name"]: v for v in crd["spec"]["versions"]}
    assert name in versions, f"{crd['metadata']['name']} does not serve {name}: {sorted(versions)}"
    return versions[name]


def schema(crd: dict, version_name: str | None = None) -> dict:
    """The openAPIV3Schema of the storage version, or of the version named."""
    if version_name is None:
        version_name = next(v["name"] for v in crd["spec"]["versions"] if v["storage"])
    return version(crd, version_name)["schema"]["openAPIV3Schema"]


def field(node: dict, path: str) -> dict:
    """The schema of `path`, a dotted field path where `[]` steps into array items."""
    for step in path.split("."):
        name, into_items = step.removesuffix("[]"), step.endswith("[]")
        assert name in node.get("properties", {}), f"no field {name!r} on the way to {path!r}"
        node = node["properties"][name]
        if into_items:
            node = node["items"]
    return node


def walk(node: dict, path: str = ""):
    """Every schema node with its path."""
    yield path, node
    for name, child in node.get("properties", {}).items():
        yield from walk(child, f"{path}.{name}".lstrip("."))
    if "items" in node:
        yield from walk(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(node["additionalProperties"], f"{path}{{}}")


def test_every_kind_of_spec_section_1_has_a_crd_in_its_group_and_versions():
    assert set(CURRENT_CRDS) == set(SPEC_KINDS)
    for kind, (group, versions) in SPEC_KINDS.items():
        crd = CURRENT_CRDS[kind]
        assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
        assert crd["spec"]["group"] == group
        assert [v["name"] for v in crd["spec"]["versions"]] == versions, kind
        # contract §1: "All lifecycle kinds are namespaced and have a `status` subresource."
        assert crd["spec"]["scope"] == "Namespaced", kind
        assert all(v["subresources"] == {"status": {}} for v in crd["spec"]["versions"]), kind


@pytest.mark.parametrize("folder", [CURRENT, PREVIOUS], ids=["current", "previous"])
def test_each_file_holds_one_crd_named_after_its_group_and_plural(folder):
    for path in sorted(folder.glob("*.yaml")):
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        assert len(docs) == 1, f"{path.name} holds {len(docs)} documents"
        names, group = docs[0]["spec"]["names"], docs[0]["spec"]["group"]
        assert docs[0]["metadata"]["name"] == f"{names['plural']}.{group}"
        assert path.name == f"{group}_{names['plural']}.yaml"
        assert names["listKind"] == names["kind"] + "List"


@pytest.mark.parametrize("kind", LIFECYCLE_KINDS)
def test_current_lifecycle_crd_stores_v1_and_serves_v1beta1_with_the_same_schema(kind):
    # contract §1: "versions `v1` (storage) and `v1beta1` (served, same schema, conversion strategy `None`)"
    crd = CURRENT_CRDS[kind]
    v1, v1beta1 = version(crd, "v1"), version(crd, "v1beta1")
    assert (v1["served"], v1["storage"]) == (True, True)
    assert (v1beta1["served"], v1beta1["storage"]) == (True, False)
    assert v1beta1["schema"] == v1["schema"]
    assert v1beta1.get("additionalPrinterColumns") == v1.get("additionalPrinterColumns")
    assert crd["spec"]["conversion"] == {"strategy": "None"}
    assert {"keptn", "lifecycle"} <= set(crd["spec"]["names"]["categories"])


def test_app_context_and_app_version_carry_the_promotion_fields():
    # contract §1: KeptnAppContext "**`promotionTasks`** (all `[]string`, optional)"; KeptnAppVersion has
    # "everything of KeptnAppContext spec"; contract §3 row 6: "**`promotionStatus`** | **`promotionTaskStatus`**".
    for kind in ("KeptnAppContext", "KeptnAppVersion"):
        tasks = field(schema(CURRENT_CRDS[kind]), "spec.promotionTasks")
        assert tasks["type"] == "array" and tasks["items"]["type"] == "string", kind
        assert "promotionTasks" not in schema(CURRENT_CRDS[kind])["properties"]["spec"].get("required", [])
    app_version = schema(CURRENT_CRDS["KeptnAppVersion"])
    assert field(app_version, "status.promotionStatus")["enum"] == KEPTN_STATES
    item = field(app_version, "status.promotionTaskStatus[]")
    assert set(item["properties"]) == {"definitionName", "name", "status", "startTime", "endTime"}
    columns = {c["name"]: c["jsonPath"] for c in version(CURRENT_CRDS["KeptnAppVersion"], "v1")["additionalPrinterColumns"]}
    assert columns["PromotionStatus"] == ".status.promotionStatus"


def test_workload_version_has_no_promotion_phase():
    # contract §1: KeptnWorkloadVersion has the "same phase fields as app, without promotion;
    # `deploymentStatus` instead of `workloadOverallStatus`"
    names = {path for path, _ in walk(schema(CURRENT_CRDS["KeptnWorkloadVersion"]))}
    assert "status.deploymentStatus" in names
    assert not {"status.workloadOverallStatus", *(f"status.{f}" for f in PROMOTION_FIELDS)} & names


def test_previous_set_has_no_promotion_field_column_or_check_type():
    assert set(PREVIOUS_CRDS) == set(LIFECYCLE_KINDS)
    for kind, crd in PREVIOUS_CRDS.items():
        leaves = {path.rsplit(".", 1)[-1].removesuffix("[]") for path, _ in walk(schema(crd))}
        assert not PROMOTION_FIELDS & leaves, kind
        assert all("promotion" not in node.get("enum", []) for _, node in walk(schema(crd))), kind
        columns = version(crd, "v1beta1").get("additionalPrinterColumns", [])
        assert all("promotion" not in c["jsonPath"].lower() for c in columns), kind


def test_previous_set_serves_only_v1beta1_which_current_still_serves():
    for kind, crd in PREVIOUS_CRDS.items():
        assert [(v["name"], v["served"], v["storage"]) for v in crd["spec"]["versions"]] == [("v1beta1", True, True)]
        current_served = {v["name"] for v in CURRENT_CRDS[kind]["spec"]["versions"] if v["served"]}
        assert "v1beta1" in current_served, f"upgrading {kind} would drop a stored version"
        assert crd["spec"]["names"] == CURRENT_CRDS[kind]["spec"]["names"]
        assert crd["spec"]["scope"] == CURRENT_CRDS[kind]["spec"]["scope"]


def current_without_promotion(kind: str) -> dict:
    """The current v1 entry of `kind` with what fixtures/crds/previous/README.md lists removed."""
    entry = copy.deepcopy(version(CURRENT_CRDS[kind], "v1"))
    entry["name"] = "v1beta1"
    root = entry["schema"]["openAPIV3Schema"]
    for path in ("spec.promotionTasks", "status.promotionStatus", "status.promotionTaskStatus"):
        parent, _, name = path.rpartition(".")
        field(root, parent).get("properties", {}).pop(name, None)
    if "additionalPrinterColumns" in entry:
        entry["additionalPrinterColumns"] = [
            c for c in entry["additionalPrinterColumns"] if c["name"] != "PromotionStatus"]
    for _, node in walk(root):
        if "promotion" in node.get("enum", []):
            node["enum"] = [e for e in node["enum"] if e != "promotion"]
    if kind == "KeptnTask":
        field(root, "spec.context.taskType")["description"] = "The check type again (pre or post)."
    return entry


@pytest.mark.parametrize("kind", LIFECYCLE_KINDS)
def test_previous_equals_current_minus_what_its_readme_lists(kind):
    assert version(PREVIOUS_CRDS[kind], "v1beta1") == current_without_promotion(kind)


# (kind, field path, default, the SPEC line that sets it)
SPEC_DEFAULTS = [
    ("KeptnApp", "spec.revision", 1, "§1 KeptnApp: `revision` (int, default 1)"),
    ("KeptnAppVersion", "spec.revision", 1, "§1 KeptnAppVersion: everything of ... KeptnApp spec inlined"),
    ("KeptnTaskDefinition", "spec.retries", 10, "§1 KeptnTaskDefinition: `retries` (default 10)"),
    ("KeptnTaskDefinition", "spec.timeout", "5m", "§1 KeptnTaskDefinition: `timeout` (duration, default `5m`)"),
    ("KeptnTaskDefinition", "spec.ttlSecondsAfterFinished", 300, "§1 `ttlSecondsAfterFinished` (default 300)"),
    ("KeptnEvaluationDefinition", "spec.retries", 10, "§1 KeptnEvaluationDefinition: `retries` (default 10)"),
    ("KeptnEvaluationDefinition", "spec.retryInterval", "5s", "§1 `retryInterval` (default `5s`)"),
    ("KeptnConfig", "spec.blockDeployment", True, "§1 KeptnConfig: `blockDeployment` (bool, default **true**)"),
    ("KeptnConfig", "spec.observabilityTimeout", "5m", "§1 KeptnConfig: `observabilityTimeout` (default `5m`)"),
]


@pytest.mark.parametrize("kind, path, default, spec_line", SPEC_DEFAULTS, ids=[f"{k}.{p}" for k, p, _, _ in SPEC_DEFAULTS])
def test_spec_default_is_set_and_valid_for_its_own_field(kind, path, default, spec_line):
    node = field(schema(CURRENT_CRDS[kind]), path)
    assert node.get("default") == default, spec_line
    assert type(node["default"]) is type(default), spec_line
    jsonschema.Draft4Validator(node).validate(node["default"])


PHASE_STATUS_FIELDS = {
    # contract §3: "Every phase status defaults to `Pending`" (the table's status field column, plus `status`).
    "KeptnAppVersion": ["status", "preDeploymentStatus", "preDeploymentEvaluationStatus", "workloadOverallStatus",
                        "postDeploymentStatus", "postDeploymentEvaluationStatus", "promotionStatus"],
    "KeptnWorkloadVersion": ["status", "preDeploymentStatus", "preDeploymentEvaluationStatus", "deploymentStatus",
                             "postDeploymentStatus", "postDeploymentEvaluationStatus"],
}


@pytest.mark.parametrize("kind", PHASE_STATUS_FIELDS)
def test_every_phase_status_defaults_to_pending_among_the_keptn_states(kind):
    status = field(schema(CURRENT_CRDS[kind]), "status")
    for name in PHASE_STATUS_FIELDS[kind]:
        node = status["properties"][name]
        assert (node["type"], node["default"], node["enum"]) == ("string", "Pending", KEPTN_STATES), name


def test_every_state_field_takes_only_keptn_states():
    # Every string field named status or ...Status holds a KeptnState, except two that are not states:
    not_states = {("KeptnAppContext", "status.status"),  # "unused" in Keptn
                  ("KeptnAppVersion", "status.conditions[].status"), ("KeptnWorkloadVersion", "status.conditions[].status")}
    state_fields = [(kind, path, node) for kind, crd in CURRENT_CRDS.items() for path, node in walk(schema(crd))
                    if path.endswith(("Status", "status")) and node.get("type") == "string"
                    and (kind, path) not in not_states]
    # app version 7 phase fields + 6 item lists, workload version 6 + 4, task 1, evaluation 2
    assert len(state_fields) == 13 + 10 + 1 + 2, [(kind, path) for kind, path, _ in state_fields]
    for kind, path, node in state_fields:
        assert node["enum"] == KEPTN_STATES, f"{kind} {path}"


def test_app_version_status_has_the_phase_item_lists_and_never_silent_fields():
    # contract §3: "An item is `{definitionName, name (the KeptnTask/KeptnEvaluation), status, startTime, endTime}`"
    status = field(schema(CURRENT_CRDS["KeptnAppVersion"]), "status")
    for name in ("preDeploymentTaskStatus", "preDeploymentEvaluationTaskStatus", "postDeploymentTaskStatus",
                 "postDeploymentEvaluationTaskStatus", "promotionTaskStatus"):
        item = status["properties"][name]["items"]
        assert set(item["properties"]) == {"definitionName", "name", "status", "startTime", "endTime"}, name
        assert item["properties"]["endTime"]["format"] == "date-time"
    workload = field(status, "workloadStatus[]")
    assert set(workload["properties"]) == {"workload", "status"}
    assert set(workload["properties"]["workload"]["properties"]) == {"name", "version"}
    # contract §6: "Never silent. Every reason a version waits or fails is visible in its status or events."
    assert status["properties"]["message"]["type"] == "string"
    assert status["properties"]["conditions"]["x-kubernetes-list-map-keys"] == ["type"]


def test_task_definition_rejects_none_or_several_runtimes_with_a_cel_rule_saying_which():
    # contract §1: "A KeptnTaskDefinition with none, or more than one, of container/python/deno must be
    # rejected at admission with a clear message ... (CEL `x-kubernetes-validations`)"
    task_definition = schema(CURRENT_CRDS["KeptnTaskDefinition"])
    assert "spec" in task_definition["required"]
    rules = task_definition["properties"]["spec"]["x-kubernetes-validations"]
    messages = [rule["message"] for rule in rules]
    assert messages == ["spec must set exactly one of container, python, deno: none is set",
                        "spec must set exactly one of container, python, deno: several are set"]
    for rule in rules:
        assert all(f"has(self.{runtime})" in rule["rule"] for runtime in ("container", "python", "deno"))
    assert "several are set (" in rules[1]["messageExpression"]
    spec = task_definition["properties"]["spec"]["properties"]
    assert spec["python"] == spec["deno"]
    assert {"functionRef", "inline", "httpRef", "configMapRef", "parameters", "secureParameters",
            "cmdParameters"} == set(spec["python"]["properties"])
    assert spec["container"]["required"] == ["name"]


def duration_fields():
    return [(kind, path, node) for kind, crd in CURRENT_CRDS.items() for path, node in walk(schema(crd))
            if path.rsplit(".", 1)[-1] in DURATION_FIELDS]


def test_every_duration_field_is_a_string_with_the_go_duration_pattern():
    found = {(kind, path) for kind, path, _ in duration_fields()}
    assert {("KeptnTaskDefinition", "spec.timeout"), ("KeptnTask", "spec.timeout"),
            ("KeptnEvaluationDefinition", "spec.retryInterval"), ("KeptnEvaluation", "spec.retryInterval"),
            ("KeptnConfig", "spec.observabilityTimeout")} == found
    assert len({node["pattern"] for _, _, node in duration_fields()}) == 1
    assert all(node["type"] == "string" for _, _, node in duration_fields())


# The API server matches `pattern` with Go's regexp, unanchored; Python's re.search does the same here.
@pytest.mark.parametrize("value", ["0", "5m", "30s", "1h30m", "500ms", "1.5h", "10µs", "10us", "3ns"])
def test_duration_pattern_accepts_go_durations(value):
    pattern = duration_fields()[0][2]["pattern"]
    assert re.search(pattern, value)


@pytest.mark.parametrize("value", ["", "5", "five minutes", "abc5m", "5m later", "-5m", "5 m", "1d", "00"])
def test_duration_pattern_rejects_what_go_cannot_parse(value):
    pattern = duration_fields()[0][2]["pattern"]
    assert not re.search(pattern, value)


def test_definition_name_lists_accept_long_lists_of_bounded_names():
    lists = [(kind, path, node) for kind, crd in CURRENT_CRDS.items() for path, node in walk(schema(crd))
             if path.endswith(("DeploymentTasks", "DeploymentEvaluations", "promotionTasks"))]
    # four lists on KeptnAppContext, KeptnWorkload and KeptnWorkloadVersion, five with promotion on two of them
    assert len(lists) == 4 * 4 + 2
    for kind, path, node in lists:
        assert node["type"] == "array" and node["maxItems"] >= 1000, f"{kind} {path}"
        assert node["items"] == {"type": "string", "minLength": 1, "maxLength": 253}, f"{kind} {path}"


@pytest.mark.parametrize("kind, path", [
    ("KeptnApp", "spec.version"),                 # contract §1: "`version` (required)"
    ("KeptnTask", "spec.taskDefinition"),         # contract §1: "`taskDefinition` (required)"
])
def test_spec_required_field_is_required(kind, path):
    parent, _, name = path.rpartition(".")
    assert name in field(schema(CURRENT_CRDS[kind]), parent)["required"]


@pytest.mark.parametrize("folder", [CURRENT, PREVIOUS], ids=["current", "previous"])
def test_every_schema_node_is_typed_and_the_schema_is_well_formed(folder):
    for kind, crd in load_crds(folder).items():
        for entry in crd["spec"]["versions"]:
            root = entry["schema"]["openAPIV3Schema"]
            jsonschema.Draft4Validator.check_schema(root)
            for path, node in walk(root):
                assert "type" in node or node.get("x-kubernetes-preserve-unknown-fields"), f"{kind} {path}"
                assert not ("properties" in node and "additionalProperties" in node), f"{kind} {path}"
                if "default" in node:
                    jsonschema.Draft4Validator(node).validate(node["default"])


@pytest.mark.parametrize("folder", [CURRENT, PREVIOUS], ids=["current", "previous"])
def test_every_printer_column_points_at_a_field_of_the_schema(folder):
    for kind, crd in load_crds(folder).items():
        for entry in crd["spec"]["versions"]:
            for column in entry.get("additionalPrinterColumns", []):
                if column["jsonPath"] == ".metadata.creationTimestamp":
                    continue
                node = field(entry["schema"]["openAPIV3Schema"], column["jsonPath"].lstrip("."))
                expected = {"string": "string", "integer": "integer", "boolean": "boolean"}[node["type"]]
                assert column["type"] == expected, f"{kind} column {column['name']}"


def test_app_version_printer_columns_show_every_phase_and_promotion():
    columns = [c["name"] for c in version(CURRENT_CRDS["KeptnAppVersion"], "v1")["additionalPrinterColumns"]]
    assert columns == ["AppName", "Version", "Phase", "PreDeploymentStatus", "PreDeploymentEvaluationStatus",
                       "WorkloadOverallStatus", "PostDeploymentStatus", "PostDeploymentEvaluationStatus",
                       "PromotionStatus", "Status", "Age"]


def test_short_names_include_kav_and_kwv_and_are_unique():
    # contract §1: "KeptnAppVersion (short `kav`)", "KeptnWorkloadVersion (short `kwv`)"
    short = {kind: crd["spec"]["names"].get("shortNames", []) for kind, crd in CURRENT_CRDS.items()}
    assert "kav" in short["KeptnAppVersion"] and "kwv" in short["KeptnWorkloadVersion"]
    every = [name for names in short.values() for name in names]
    assert len(every) == len(set(every))


def test_a_complete_app_version_as_the_controller_writes_it_is_valid():
    validator = jsonschema.Draft4Validator(schema(CURRENT_CRDS["KeptnAppVersion"]))
    item = {"definitionName": "notify", "name": "promotion-notify-12345", "status": "Succeeded",
            "startTime": "2025-01-01T00:00:00Z", "endTime": "2025-01-01T00:00:03Z"}
    app_version = {
        "apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnAppVersion", "metadata": {"name": "shop-1.0-6b86b273"},
        "spec": {"appName": "shop", "version": "1.0", "revision": 1, "previousVersion": "",
                 "workloads": [{"name": "cart", "version": "1.0"}], "promotionTasks": ["notify"],
                 "metadata": {"team": "a"}, "traceId": {"traceparent": "00-abc-def-01"}},
        "status": {"currentPhase": "Completed", "status": "Succeeded", "promotionStatus": "Succeeded",
                   "promotionTaskStatus": [item], "workloadStatus": [{"workload": {"name": "cart", "version": "1.0"},
                                                                      "status": "Succeeded"}],
                   "phaseTraceIDs": {"PromotionTasks": {"traceparent": "00-abc-def-01"}},
                   "message": "", "conditions": []},
    }
    validator.validate(app_version)
    app_version["status"]["promotionStatus"] = "Done"
    with pytest.raises(jsonschema.ValidationError, match="'Done' is not one of"):
        validator.validate(app_version)


# --- RBAC -------------------------------------------------------------------------------------

# Everything the reference controller may do, as (API group, resource, verb); anything else is refused.
LIFECYCLE_RESOURCES = ["keptnappcontexts", "keptnapps", "keptnappversions", "keptnworkloads",
                       "keptnworkloadversions", "keptntaskdefinitions", "keptntasks",
                       "keptnevaluationdefinitions", "keptnevaluations"]
WRITTEN = ["keptnappversions", "keptnworkloads", "keptnworkloadversions", "keptntasks", "keptnevaluations"]
STATUS_WRITTEN = ["keptnapps", *WRITTEN]
OWNERS = ["keptnapps", "keptnappversions", "keptnworkloads", "keptnworkloadversions", "keptntasks"]
CLUSTER_PERMISSIONS = (
    {(LIFECYCLE, r, v) for r in LIFECYCLE_RESOURCES for v in ("get", "list", "watch")}
    | {(LIFECYCLE, r, v) for r in WRITTEN for v in ("create", "update", "patch")}
    | {(LIFECYCLE, f"{r}/status", v) for r in STATUS_WRITTEN for v in ("get", "update", "patch")}
    | {(LIFECYCLE, f"{r}/finalizers", "update") for r in OWNERS}
    | {("options.keptn.sh", "keptnconfigs", v) for v in ("get", "list", "watch")}
    | {("metrics.keptn.sh", "keptnmetrics", v) for v in ("get", "list", "watch")}
    | {("batch", "jobs", v) for v in ("get", "list", "watch", "create", "update", "patch")}
    | {("apps", "deployments", v) for v in ("get", "list", "watch")}
    | {("", "namespaces", v) for v in ("get", "list", "watch")}
    | {("", "configmaps", v) for v in ("get", "list", "watch", "create", "update")}
    | {(g, "events", v) for g in ("", "events.k8s.io") for v in ("create", "patch")}
)
LEASE_PERMISSIONS = {("coordination.k8s.io", "leases", v) for v in ("get", "create", "update")}
SERVICE_ACCOUNT = {"kind": "ServiceAccount", "name": "promotion-controller", "namespace": "keptn-system"}

RBAC_OBJECTS = {(doc["kind"], doc["metadata"]["name"]): doc for doc in load_documents(RBAC)}


def permissions(role: dict) -> set[tuple[str, str, str]]:
    return {(group, resource, verb) for rule in role["rules"] for group in rule["apiGroups"]
            for resource in rule["resources"] for verb in rule["verbs"]}


def test_cluster_role_grants_exactly_what_the_controller_needs():
    role = RBAC_OBJECTS[("ClusterRole", "promotion-controller")]
    assert all(set(rule) == {"apiGroups", "resources", "verbs"} for rule in role["rules"])
    granted = permissions(role)
    assert not {p for p in granted if "*" in p}, "wildcards are never least privilege"
    assert granted - CLUSTER_PERMISSIONS == set(), "granted but not needed"
    assert CLUSTER_PERMISSIONS - granted == set(), "needed but not granted"


def test_leader_election_lease_is_a_role_in_the_controller_namespace_only():
    role = RBAC_OBJECTS[("Role", "promotion-controller-leader-election")]
    assert role["metadata"]["namespace"] == "keptn-system"
    assert permissions(role) == LEASE_PERMISSIONS


@pytest.mark.parametrize("kind, name, role_kind, role_name", [
    ("ClusterRoleBinding", "promotion-controller", "ClusterRole", "promotion-controller"),
    ("RoleBinding", "promotion-controller-leader-election", "Role", "promotion-controller-leader-election"),
])
def test_binding_gives_the_role_to_the_controller_service_account_alone(kind, name, role_kind, role_name):
    binding = RBAC_OBJECTS[(kind, name)]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name}
    assert binding["subjects"] == [SERVICE_ACCOUNT]


def test_service_account_lives_in_the_keptn_system_namespace_created_first():
    assert RBAC_OBJECTS[("ServiceAccount", "promotion-controller")]["metadata"]["namespace"] == "keptn-system"
    first = sorted(RBAC.glob("*.yaml"))[0]
    assert yaml.safe_load(first.read_text(encoding="utf-8")) == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "keptn-system"}}


# --- this project's own admission constraints (not the contract's: no profile scenario holds an
# implementation to them; they were the scenarios CRDPromotionStatusEnum and the empty-name row of
# CRDPromotionFieldsTypeChecked). Checked as the API server would, with the schema oracle of crd-compat.

def _refusals(kind: str, version: str, obj: dict) -> list[tuple[str, str]]:
    from harness.compat.openapi import admission_errors

    return admission_errors({"apiVersion": f"{LIFECYCLE}/{version}", "kind": kind, "metadata": {"name": "x"}, **obj},
                            schema(CURRENT_CRDS[kind], version))


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
@pytest.mark.parametrize("kind, spec", [("KeptnAppContext", {}), ("KeptnAppVersion", {"appName": "shop", "version": "1.0.0"})])
def test_an_empty_promotion_task_name_is_refused_naming_the_entry(kind, spec, version):
    assert _refusals(kind, version, {"spec": {**spec, "promotionTasks": [""]}}) == [(".spec.promotionTasks[0]", "'' should be non-empty")]
    assert _refusals(kind, version, {"spec": {**spec, "promotionTasks": ["promote"]}}) == []


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
@pytest.mark.parametrize("promotion_status, item_status, field", [
    ("Done", "Succeeded", ".status.promotionStatus"),
    ("Succeeded", "Done", ".status.promotionTaskStatus[0].status"),
])
def test_promotion_states_outside_keptn_state_are_refused_naming_the_field(version, promotion_status, item_status, field):
    status = {"promotionStatus": promotion_status, "promotionTaskStatus": [
        {"definitionName": "promote", "name": "promotion-promote-31415", "status": item_status}]}
    refusals = _refusals("KeptnAppVersion", version, {"spec": {"appName": "shop", "version": "1.0.0"}, "status": status})
    assert [path for path, _ in refusals] == [field]
    assert refusals[0][1].startswith("'Done' is not one of ['Pending', 'Progressing'")


def test_a_scenarios_metric_carries_its_value_also_as_raw_value_as_a_provider_writes_it():
    # an implementation that evaluates status.rawValue (base64 of the provider's answer) must read 0.2
    status = manifests.metric_status("0.2")["status"]
    assert status["value"] == "0.2" and base64.b64decode(status["rawValue"]).decode() == "0.2"
    assert status["lastUpdated"].endswith("Z")
