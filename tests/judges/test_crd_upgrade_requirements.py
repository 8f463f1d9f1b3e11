"""The judges of the CRD upgrade and rollback scenarios (harness/judges/objects.py), on
fake objects: each passes on what a working upgrade shows and fails on the input it exists to refuse."""
from __future__ import annotations

import json

import pytest
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic.exceptions import DynamicApiError

from harness import timeouts
from harness.compat.loading import crd_from
from harness.judges import objects as must
from harness.library.crds import scenario_objects as objects
from harness.library.crds.crd_sets import CrdSet, project_current


@pytest.fixture
def short_waits(monkeypatch):
    monkeypatch.setattr(timeouts.TIMEOUTS, "current", timeouts.Timeouts(object_state=0.3, lifecycle=0.3, poll_interval=0.05))


def refused(status: int, text: str) -> DynamicApiError:
    error = ApiException(status=status, reason="refused")
    error.body = json.dumps({"message": text})
    return DynamicApiError(error)


def context(**changes) -> dict:
    obj = {"apiVersion": "lifecycle.keptn.sh/v1beta1", "kind": "KeptnAppContext",
           "metadata": {"name": "shop", "namespace": "t-1", "uid": "u1", "resourceVersion": "7", "labels": {"team": "a"},
                        "managedFields": [{"manager": "x"}]},
           "spec": {"postDeploymentTasks": ["notify"]}}
    obj.update(changes)
    return obj


# -- reading back --------------------------------------------------------------------------------------

def test_an_object_read_back_with_its_content_passes_whatever_version_and_managed_fields_it_shows():
    observed = context(apiVersion="lifecycle.keptn.sh/v1")
    observed["metadata"] = {**observed["metadata"], "managedFields": []}
    must.reads_must_match(context(), {"v1": observed, "v1beta1": context()}, same_write=True)


@pytest.mark.parametrize(("observed", "complaint"), [
    (None, "through v1: 404"),
    (context(spec={"postDeploymentTasks": []}), 'spec.postDeploymentTasks: expected ["notify"], observed []'),
    (context(spec={"postDeploymentTasks": ["notify"], "promotionTasks": []}), "spec.promotionTasks: expected \"<absent>\""),
    ({**context(), "metadata": {**context()["metadata"], "labels": {}}}, "metadata.labels.team"),
])
def test_an_object_that_lost_or_gained_content_fails_naming_the_field(observed, complaint):
    with pytest.raises(AssertionError, match="does not read back as expected") as failure:
        must.reads_must_match(context(), {"v1": observed})
    assert complaint in str(failure.value)


@pytest.mark.parametrize(("resource_version", "same_write"), [("8", True), ("7", False)])
def test_a_rewrite_is_judged_by_the_resource_version(resource_version, same_write):
    observed = context()
    observed["metadata"] = {**observed["metadata"], "resourceVersion": resource_version}
    with pytest.raises(AssertionError, match="resourceVersion"):
        must.reads_must_match(context(), {"v1": observed}, same_write=same_write)


def test_reads_through_two_versions_must_differ_only_in_api_version():
    assert must.reads_must_be_identical("x", {"v1": context(apiVersion="lifecycle.keptn.sh/v1"), "v1beta1": context()})["spec"]
    with pytest.raises(AssertionError, match="reads differently through v1 and v1beta1"):
        must.reads_must_be_identical("x", {"v1": context(spec={"promotionTasks": ["a"]}), "v1beta1": context(spec={})})


def test_fields_must_be_says_expected_and_observed():
    must.fields_must_be({"a": 1}, {"a": 1, "b": None}, "spec")
    with pytest.raises(AssertionError, match=r"spec has \{'a': 2\}, expected \{'a': 1\}"):
        must.fields_must_be({"a": 2}, {"a": 1}, "spec")


@pytest.mark.parametrize("spec", [{}, {"promotionTasks": []}])
def test_no_promotion_tasks_means_absent_or_empty(spec):
    must.must_not_list_promotion({"spec": spec, "status": {"promotionTaskStatus": []}}, "v", items=True)


@pytest.mark.parametrize(("obj", "complaint"), [
    ({"spec": {"promotionTasks": ["promote"]}}, "spec.promotionTasks ['promote']"),
    ({"spec": {}, "status": {"promotionTaskStatus": [{"definitionName": "promote"}]}}, "status.promotionTaskStatus"),
])
def test_a_listed_promotion_fails(obj, complaint):
    with pytest.raises(AssertionError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        must.must_not_list_promotion(obj, "v", items=True)


@pytest.mark.parametrize("status", [{}, {"promotionStatus": "Pending"}])
def test_promotion_not_started_is_pending_or_absent(status):
    must.promotion_must_not_have_started(status, "v")


@pytest.mark.parametrize("state", ["Succeeded", "Progressing", "Failed"])
def test_promotion_started_before_any_controller_fails(state):
    with pytest.raises(AssertionError, match=f"promotionStatus '{state}' before any controller ran"):
        must.promotion_must_not_have_started({"promotionStatus": state}, "v")


# -- what an old object gains on read: computed from the CRDs under test ---------------------------------

def test_an_old_app_version_gains_exactly_the_defaults_the_upgraded_crds_declare():
    old = {"apiVersion": "lifecycle.keptn.sh/v1beta1", "kind": "KeptnAppVersion", "metadata": {"name": "v", "namespace": "n"},
           "spec": {"appName": "shop", "version": "1", "revision": 1}, "status": {"status": "Succeeded"}}
    expected = objects.expected_after_upgrade(old, project_current())
    assert expected["status"]["promotionStatus"] == "Pending"  # the default this project's CRD declares
    assert "promotionTasks" not in expected["spec"]  # declared without a default
    assert objects.expected_after_upgrade({**old, "status": {}}, project_current())["status"]["status"] == "Pending"
    without_status = {k: v for k, v in old.items() if k != "status"}
    assert "status" not in objects.expected_after_upgrade(without_status, project_current())  # defaults go only where status is


def test_crds_that_declare_no_default_add_nothing():
    crd = project_current().crd("KeptnAppVersion")
    body = json.loads(json.dumps(crd.body).replace('"default": "Pending", ', ""))
    without_defaults = CrdSet("CRDs without state defaults", (crd_from(body, "test"),))
    old = {"apiVersion": "lifecycle.keptn.sh/v1beta1", "kind": "KeptnAppVersion", "metadata": {}, "spec": {}, "status": {}}
    assert objects.expected_after_upgrade(old, without_defaults)["status"] == {}


# -- storage ---------------------------------------------------------------------------------------------

def test_stored_as_must_be_the_version_etcd_holds():
    must.stored_as_must_be({"apiVersion": "lifecycle.keptn.sh/v1"}, "x", "lifecycle.keptn.sh/v1")
    with pytest.raises(AssertionError, match="etcd holds x as lifecycle.keptn.sh/v1beta1, expected lifecycle.keptn.sh/v1"):
        must.stored_as_must_be({"apiVersion": "lifecycle.keptn.sh/v1beta1"}, "x", "lifecycle.keptn.sh/v1")
    with pytest.raises(AssertionError, match="etcd holds no x"):
        must.stored_as_must_be(None, "x", "lifecycle.keptn.sh/v1")


def test_stored_versions_must_be_the_same_on_every_crd():
    must.stored_versions_must_be({"a": ["v1beta1", "v1"], "b": ["v1beta1", "v1"]}, ["v1beta1", "v1"])
    with pytest.raises(AssertionError, match=r"observed: \{'b': \['v1'\]\}"):
        must.stored_versions_must_be({"a": ["v1beta1", "v1"], "b": ["v1"]}, ["v1beta1", "v1"])
    with pytest.raises(AssertionError, match="no lifecycle CRD"):
        must.stored_versions_must_be({}, ["v1"])
    with pytest.raises(AssertionError, match="the API server kept"):
        must.stored_versions_must_be_kept({"a": ["v1beta1", "v1"]}, ["v1beta1"])


# -- CRDs applied -----------------------------------------------------------------------------------------

def test_every_crd_must_be_refused_with_the_status_and_message():
    refusal = (422, "status.storedVersions[1]: Invalid value")
    must.crds_must_be_refused({"a": refusal, "b": refusal}, ["a", "b"], 422, "storedVersions[1]")
    with pytest.raises(AssertionError, match=r"accepted \['b'\]"):
        must.crds_must_be_refused({"a": refusal}, ["a", "b"], 422, "storedVersions[1]")
    with pytest.raises(AssertionError, match="expected 422"):
        must.crds_must_be_refused({"a": (409, "conflict")}, ["a"], 422, "storedVersions[1]")
    with pytest.raises(AssertionError, match="refused"):
        must.crds_must_be_accepted({"a": refusal})


def test_serving_only_one_version_means_listing_no_other():
    one = {"spec": {"versions": [{"name": "v1beta1", "served": True}]}}
    must.crds_must_serve_only({"a": one}, "v1beta1")
    two = {"spec": {"versions": [{"name": "v1beta1", "served": True}, {"name": "v1", "served": False}]}}
    with pytest.raises(AssertionError, match=r"'a': \[\('v1beta1', True\), \('v1', False\)\]"):
        must.crds_must_serve_only({"a": two}, "v1beta1")
    with pytest.raises(AssertionError, match="'gone': None"):
        must.crds_must_serve_only({"gone": None}, "v1beta1")


# -- what the API server answers ---------------------------------------------------------------------------

def test_a_readable_object_is_not_a_404():
    must.must_answer_404(None, "x")
    with pytest.raises(AssertionError, match="x is readable"):
        must.must_answer_404({"spec": {"a": 1}}, "x")


def test_a_request_must_fail_with_the_status_and_message(short_waits):
    def fails():
        raise refused(500, "request to convert CR from an invalid group/version: lifecycle.keptn.sh/v1")

    must.request_must_fail(fails, 500, "invalid group/version", "reading")
    with pytest.raises(AssertionError, match="reading to fail with 500.*last seen: it succeeded"):
        must.request_must_fail(lambda: {}, 500, "invalid group/version", "reading")
    with pytest.raises(AssertionError, match="last seen: 500 request to convert"):
        must.request_must_fail(fails, 500, "something else", "reading")


def test_listing_again_must_show_the_name(short_waits):
    must.must_list_again(lambda: ["shop"], "shop", "contexts")
    with pytest.raises(AssertionError, match=r"the list holds \[\]"):
        must.must_list_again(lambda: [], "shop", "contexts")

    def broken():
        raise refused(429, "too many requests")

    with pytest.raises(AssertionError, match="429: too many requests"):
        must.must_list_again(broken, "shop", "contexts")


def test_every_attempt_must_be_refused_and_each_one_that_was_not_is_named():
    def refuse():
        raise refused(422, "spec.promotionTasks: Invalid value: \"string\": must be of type array")

    must.attempts_must_be_refused([must.Attempt("row 1", refuse, 422, ("spec.promotionTasks: ", "must be of type array"))])
    with pytest.raises(AssertionError) as failure:
        must.attempts_must_be_refused([
            must.Attempt("row 1", lambda: {"spec": {"promotionTasks": "promote"}}, 422, ("spec.promotionTasks: ",)),
            must.Attempt("row 2", refuse, 422, ("spec.promotionTasks[0]: ",)),
            must.Attempt("row 3", refuse, 400, ("spec.promotionTasks: ",)),
        ])
    assert "row 1: accepted" in str(failure.value) and "row 2: 422" in str(failure.value) and "row 3: 422" in str(failure.value)


def entry(manager: str, api_version: str, fields: list[str], operation: str = "Apply") -> dict:
    return {"manager": manager, "operation": operation, "apiVersion": api_version,
            "fieldsV1": {"f:spec": {f"f:{name}": {} for name in fields}}}


def test_a_manager_must_own_its_fields_through_its_version_and_not_the_others():
    obj = {"kind": "KeptnAppContext", "metadata": {"name": "shop", "managedFields": [
        entry("old-client", "lifecycle.keptn.sh/v1beta1", ["preDeploymentTasks", "postDeploymentTasks"]),
        entry("promotion-admin", "lifecycle.keptn.sh/v1", ["promotionTasks"])]}}
    must.manager_must_own(obj, "old-client", "lifecycle.keptn.sh/v1beta1", ["preDeploymentTasks"], ["promotionTasks"])
    with pytest.raises(AssertionError, match="it owns spec.promotionTasks"):
        must.manager_must_own(obj, "promotion-admin", "lifecycle.keptn.sh/v1", [], ["promotionTasks"])
    with pytest.raises(AssertionError, match="it applied through lifecycle.keptn.sh/v1beta1, expected lifecycle.keptn.sh/v1"):
        must.manager_must_own(obj, "old-client", "lifecycle.keptn.sh/v1", ["preDeploymentTasks"], [])
    with pytest.raises(AssertionError, match="expected one Apply entry of 'nobody'"):
        must.manager_must_own(obj, "nobody", "lifecycle.keptn.sh/v1", [], [])


# -- the implementation on the upgraded cluster ------------------------------------------------------------

def test_an_app_version_must_reach_its_state_and_a_finished_one_fails_at_once_with_the_log(short_waits):
    done = {"status": "Succeeded", "currentPhase": "Completed"}
    assert must.app_version_must_reach(lambda: done, "v", "Succeeded", "Completed", lambda: "log") == done
    failed = {"status": "Failed", "currentPhase": "PromotionTasks", "endTime": "2024-01-01T00:00:00Z"}
    with pytest.raises(AssertionError, match=r"(?s)v ended with status Failed.*--- last lines.*\nlog tail"):
        must.app_version_must_reach(lambda: failed, "v", "Succeeded", "Completed", lambda: "log tail")
    with pytest.raises(AssertionError, match="timed out .* status Progressing"):
        must.app_version_must_reach(lambda: {"status": "Progressing"}, "v", "Succeeded", "Completed", lambda: "")


def task(name: str, check_type: str, definition: str) -> dict:
    return {"metadata": {"name": name}, "spec": {"checkType": check_type, "taskDefinition": definition}}


def test_tasks_must_be_exactly_the_expected_ones_and_none_of_the_absent_check_type():
    must.tasks_must_be([task("post-notify-1", "post", "notify")], [("post", "notify")], "promotion")
    with pytest.raises(AssertionError, match="checkType 'promotion' exist"):
        must.tasks_must_be([task("post-notify-1", "post", "notify"), task("promotion-x-1", "promotion", "x")],
                           [("post", "notify")], "promotion")
    with pytest.raises(AssertionError, match="expected the KeptnTasks"):
        must.tasks_must_be([task("post-notify-1", "post", "notify")] * 2, [("post", "notify")], "promotion")


def test_an_app_must_have_exactly_one_version():
    version = {"metadata": {"name": "shop-1"}, "spec": {"appName": "shop"}}
    must.app_must_have_one_version([version, {"metadata": {"name": "other-1"}, "spec": {"appName": "other"}}], "shop")
    with pytest.raises(AssertionError, match=r"\['shop-1', 'shop-2'\]"):
        must.app_must_have_one_version([version, {"metadata": {"name": "shop-2"}, "spec": {"appName": "shop"}}], "shop")


def test_a_refused_write_says_which_write_and_why_on_its_first_line_and_stays_an_api_error():
    from harness.library.crds.versioned_access import Refused

    error = Refused(refused(500, "failed to create typed patch object"), "old-client's server-side apply of KeptnAppContext t/shop")
    assert str(error).splitlines()[0] == ("the API server refused old-client's server-side apply of KeptnAppContext t/shop: "
                                          "500 failed to create typed patch object")
    assert isinstance(error, DynamicApiError) and error.status == 500  # judges that expect a refusal still see one


class _FakeDynamic:
    """Answers GETs from a dict of path → object; any other path is a 404."""

    def __init__(self, objects: dict):
        self.objects = objects

    def request(self, method, path, **_):
        from kubernetes.dynamic.exceptions import NotFoundError

        if path not in self.objects:
            error = ApiException(status=404, reason="Not Found")
            raise NotFoundError(error)
        return type("Found", (), {"to_dict": lambda _self: self.objects[path]})()


def test_an_object_that_must_be_readable_through_a_version_fails_on_a_404():
    from types import SimpleNamespace

    path = "/apis/lifecycle.keptn.sh/v1beta1/namespaces/t/keptnappcontexts/shop"
    cluster = SimpleNamespace(kube=SimpleNamespace(dynamic=_FakeDynamic({path: context()})))
    assert must.must_read(cluster, "KeptnAppContext", "v1beta1", "t", "shop") == context()
    with pytest.raises(AssertionError, match="KeptnAppContext t/shop is not readable through v1 \\(404\\)"):
        must.must_read(cluster, "KeptnAppContext", "v1", "t", "shop")


# -- the thin wrappers that read the cluster first -------------------------------------------------

def test_what_etcd_holds_must_be_in_the_stated_version(monkeypatch):
    monkeypatch.setattr(must, "stored", lambda cluster, kind, namespace, name: context())
    assert must.must_be_stored_as(None, "KeptnAppContext", "t-1", "shop", "lifecycle.keptn.sh/v1beta1")["kind"] == "KeptnAppContext"
    with pytest.raises(AssertionError, match="etcd holds KeptnAppContext t-1/shop as lifecycle.keptn.sh/v1beta1, expected lifecycle.keptn.sh/v1"):
        must.must_be_stored_as(None, "KeptnAppContext", "t-1", "shop", "lifecycle.keptn.sh/v1")
    monkeypatch.setattr(must, "stored", lambda cluster, kind, namespace, name: None)
    with pytest.raises(AssertionError, match="etcd holds no KeptnAppContext t-1/shop"):
        must.must_be_stored_as(None, "KeptnAppContext", "t-1", "shop", "lifecycle.keptn.sh/v1beta1")


def test_an_object_must_read_back_through_every_version(monkeypatch):
    reads = {"v1beta1": context(), "v1": {**context(apiVersion="lifecycle.keptn.sh/v1")}}
    monkeypatch.setattr(must, "read", lambda cluster, kind, version, namespace, name: reads[version])
    must.must_read_back(None, context(), ["v1beta1", "v1"], same_write=True)
    reads["v1"] = None  # not served
    with pytest.raises(AssertionError, match="through v1: 404"):
        must.must_read_back(None, context(), ["v1beta1", "v1"])
    reads["v1"] = context(spec={"postDeploymentTasks": []})  # lost its list
    with pytest.raises(AssertionError, match="through v1: spec.postDeploymentTasks"):
        must.must_read_back(None, context(), ["v1beta1", "v1"])


def test_an_object_must_read_identically_through_every_version(monkeypatch):
    reads = {"v1beta1": context(), "v1": context(apiVersion="lifecycle.keptn.sh/v1")}
    monkeypatch.setattr(must, "must_read", lambda cluster, kind, version, namespace, name: reads[version])
    must.must_read_identically(None, "KeptnAppContext", "t-1", "shop", ["v1beta1", "v1"])
    reads["v1"] = context(apiVersion="lifecycle.keptn.sh/v1", spec={"postDeploymentTasks": ["notify"], "promotionTasks": ["p"]})
    with pytest.raises(AssertionError, match="KeptnAppContext t-1/shop reads differently through v1beta1 and v1: .*promotionTasks"):
        must.must_read_identically(None, "KeptnAppContext", "t-1", "shop", ["v1beta1", "v1"])


class _ApiServer:
    """What crds_must_be_in_effect asks (through installing.wait_in_effect): a CRD's conditions, whether a version lists, a dry-run create."""

    def __init__(self, established: bool = True, stale_version: str | None = None, refuses_probe: bool = False):
        self.established, self.stale_version, self.refuses_probe = established, stale_version, refuses_probe

    def read_crd(self, cluster, name):
        return {"status": {"conditions": [{"type": "Established", "status": "True" if self.established else "False"}]}}

    def lists(self, cluster, crd, version):
        served = version in crd.versions and crd.versions[version].served
        return (not served) if version == self.stale_version else served

    def create(self, cluster, body, dry_run=False):
        if self.refuses_probe:
            raise refused(422, "spec.promotionTasks: Invalid value")
        return body  # the schema under test has promotionTasks: kept


@pytest.mark.parametrize("api_server, message", [
    (_ApiServer(established=False), "timed out .* conditions \\{'Established': 'False'\\}"),
    (_ApiServer(stale_version="v1beta1"), "timed out .* v1beta1 is not served yet"),
    (_ApiServer(refuses_probe=True), "a dry-run create .* was refused: 422"),
])
def test_crds_the_api_server_does_not_act_on_yet_fail_crds_must_be_in_effect(short_waits, monkeypatch, api_server, message):
    from harness.library.crds import installing

    crds = CrdSet("two of this project's CRDs", tuple(project_current().crd(kind) for kind in ("KeptnAppContext", "KeptnTaskDefinition")))
    for name, fake in (("read_crd", api_server.read_crd), ("_lists", api_server.lists), ("create", api_server.create)):
        monkeypatch.setattr(installing, name, fake)
    with pytest.raises(AssertionError, match=message):
        must.crds_must_be_in_effect(None, crds)
    for name, fake in (("read_crd", _ApiServer().read_crd), ("_lists", _ApiServer().lists), ("create", _ApiServer().create)):
        monkeypatch.setattr(installing, name, fake)
    must.crds_must_be_in_effect(None, crds)
