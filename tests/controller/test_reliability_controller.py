"""The reference controller's fixes found by the reliability scenarios (features/reliability), each
against an in-memory API: contract §6 "never silent" and "exactly once", and the quality bar "bad
input always gets a clear error naming the object, the field and what was expected"."""
from __future__ import annotations

import json
import threading

import pytest
import urllib3
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.leaderelection import electionconfig, leaderelection

from harness.controller import leader
from harness.controller.context import Key
from harness.controller.definitions import MAX_INLINE_CODE_BYTES, DefinitionError, resolve_function
from harness.controller.durations import DurationError, parse_duration
from harness.controller.inputs import missing_fields
from harness.contract.kinds import APP, APP_CONTEXT, APP_VERSION, TASK, TASK_DEFINITION
from harness.controller.api_calls import refusal
from harness.controller.lifecycle import MAX_REASONS, Notice, Observation, advance, summary
from harness.controller.manager import Manager
from harness.controller.phase_checks import observe_checks
from harness.contract.phases import PROMOTION, app_phases
from harness.controller.reconcile_app import reconcile_app
from harness.controller.reconcile_task import reconcile_task
from harness.controller.refusals import Refusals
from harness.controller.settings import SettingsError, parse_settings
from harness.controller.triggers import keys_for
from test_controller_exactly_once import DEFINITION, KAV, _cache, _task
from fakes.controller_api import FakeApi, context_over


def _refused(status: int, message: str) -> ApiException:
    error = ApiException(status=status, reason="Invalid")
    error.body = json.dumps({"kind": "Status", "message": message, "code": status})
    return error


class RefusingKube(FakeApi):
    """Refuses creating objects of some kinds, with a message that differs on every try (like the
    API server's, which names the generated Job and the uid it would have had)."""

    def __init__(self, *refused_kinds: str):
        super().__init__()
        self.refused_kinds = refused_kinds
        self.refusals = 0

    def create(self, kind, obj):
        if kind.kind in self.refused_kinds:
            self.refusals += 1
            self.writes.append(("refused", kind.kind, obj["metadata"]["name"]))
            raise _refused(422, f'{kind.kind} "{obj["metadata"]["name"]}" is invalid: spec.template.metadata.labels'
                                f"[controller-uid]: must be 'uid-{self.refusals}'")
        return super().create(kind, obj)


# -- durations: Go's range ----------------------------------------------------------------------


def test_a_duration_beyond_gos_range_is_refused_with_what_is_allowed():
    # 2562047h is the longest Go duration (an int64 of nanoseconds); a Job's activeDeadlineSeconds
    # could not take more either: the API server answers 400 to such a Job
    assert parse_duration("2562047h") == 2562047 * 3600
    with pytest.raises(DurationError, match=r'"2562048h" is out of range: a Go duration is at most 2562047h'):
        parse_duration("2562048h")


# -- definitions: what no Job can be built from ---------------------------------------------------


def test_inline_code_larger_than_its_configmap_can_hold_names_the_field_and_the_limit():
    definition = {"metadata": {"name": "big", "namespace": "demo"},
                  "spec": {"deno": {"inline": {"code": "x" * (MAX_INLINE_CODE_BYTES + 1)}}}}
    with pytest.raises(DefinitionError, match=rf'KeptnTaskDefinition "big" in namespace "demo" spec.deno.inline.code: '
                                              rf"{MAX_INLINE_CODE_BYTES + 1} bytes, more than the {MAX_INLINE_CODE_BYTES}"):
        resolve_function(definition, {}.get)


def test_a_function_ref_loop_names_the_whole_chain_from_the_listed_definition():
    a = {"metadata": {"name": "a", "namespace": "demo"}, "spec": {"deno": {"functionRef": {"name": "b"}}}}
    b = {"metadata": {"name": "b", "namespace": "demo"}, "spec": {"deno": {"functionRef": {"name": "a"}}}}
    with pytest.raises(DefinitionError, match=r'"b" in namespace "demo" spec.deno.functionRef.name: the functionRef '
                                              r"chain a → b → a is a loop"):
        resolve_function(a, {"a": a, "b": b}.get)


def test_a_long_function_ref_chain_without_loop_is_refused_too():
    chain = {f"d{i}": {"metadata": {"name": f"d{i}", "namespace": "demo"},
                       "spec": {"python": {"functionRef": {"name": f"d{i + 1}"}}}} for i in range(7)}
    with pytest.raises(DefinitionError, match=r"the functionRef chain d0 → d1 → d2 → d3 → d4 → d5 → d6 is more than 5"):
        resolve_function(chain["d0"], chain.get)


# -- a refused Job: reported once, not sent again until the definition changes --------------------


def test_a_job_the_api_server_refuses_leaves_the_task_pending_saying_why_and_is_not_sent_again():
    kube = RefusingKube("Job")
    ctx = context_over(kube)
    definition = _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, json.loads(json.dumps(DEFINITION))))
    task = _cache(ctx, TASK, _task(kube))
    key = Key("KeptnTask", "demo", task["metadata"]["name"])
    reconcile_task(ctx, key)
    for _ in range(3):  # its own status change wakes it again: no new Job, no new status
        ctx.store.upsert(TASK, kube.objects[("KeptnTask", "demo", task["metadata"]["name"])])
        reconcile_task(ctx, key)
    assert kube.refusals == 1
    status = kube.objects[("KeptnTask", "demo", task["metadata"]["name"])]["status"]
    assert (status["status"], status["reason"]) == ("Pending", "JobRefused")
    assert status["message"].startswith('the API server refused the Job built from KeptnTaskDefinition "promote": '
                                        f'Job "{task["metadata"]["name"]}-')
    assert ctx.events.sent == [("KeptnTask", task["metadata"]["name"], "Warning", "JobRefused")]
    # an edit of the definition: the Job is tried again
    definition["metadata"]["resourceVersion"] = "999"
    ctx.store.upsert(TASK_DEFINITION, definition)
    reconcile_task(ctx, key)
    assert kube.refusals == 2


def test_an_error_that_may_pass_is_raised_for_a_retry_not_reported_as_refused():
    assert refusal(_refused(422, "spec.x: Invalid value")) == "spec.x: Invalid value"
    assert refusal(_refused(400, "cannot unmarshal number")) == "cannot unmarshal number"
    assert refusal(ApiException(status=409)) is None and refusal(ApiException(status=503)) is None
    assert refusal(OSError("connection refused")) is None


# -- a refused KeptnTask or KeptnAppVersion -------------------------------------------------------


def test_a_task_the_api_server_refuses_is_a_notice_of_the_phase_and_is_not_sent_again():
    kube = RefusingKube("KeptnTask")
    ctx = context_over(kube)
    _cache(ctx, TASK_DEFINITION, kube.put(TASK_DEFINITION, json.loads(json.dumps(DEFINITION))))
    seen = [observe_checks(ctx, KAV, APP_VERSION, PROMOTION, {}, lambda check_type, tp: {"appName": "shop"})
            for _ in range(3)]
    assert kube.refusals == 1
    assert all(s.items == [] and s.listed == 1 for s in seen)
    assert all([(n.reason, n.message) for n in s.notices] == [("Refused", seen[0].notices[0].message)] for s in seen)
    assert seen[0].notices[0].message.startswith('the API server refused the KeptnTask for KeptnTaskDefinition "promote": ')
    assert seen[0].notices[0].message.endswith("(spec.promotionTasks[0])")


def test_a_refused_app_version_is_reported_on_the_keptnapp_not_retried():
    kube = RefusingKube("KeptnAppVersion")
    ctx = context_over(kube)
    _cache(ctx, APP, kube.put(APP, {"metadata": {"name": "shop", "namespace": "demo", "generation": 1},
                                    "spec": {"version": "1.0.0"}}))
    reconcile_app(ctx, Key("KeptnApp", "demo", "shop"))
    assert ctx.events.sent == [("KeptnApp", "shop", "Warning", "AppVersionRefused")]
    assert [w[0] for w in kube.writes] == ["refused"]  # nothing else: no currentVersion of a version that does not exist


def test_a_new_app_version_copies_the_app_context_from_the_api_even_before_the_watch_saw_it():
    """contract §2: the AppContext is copied at creation only; a cache that lags must not drop its lists."""
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, APP, kube.put(APP, {"metadata": {"name": "shop", "namespace": "demo", "generation": 1},
                                    "spec": {"version": "1.0.0"}}))
    kube.put(APP_CONTEXT, {"metadata": {"name": "shop", "namespace": "demo"}, "spec": {"promotionTasks": ["promote"]}})
    assert ctx.store.get(APP_CONTEXT, "demo", "shop") is None  # the watch has not delivered it yet
    reconcile_app(ctx, Key("KeptnApp", "demo", "shop"))
    created = kube.get(APP_VERSION, "demo", "shop-1.0.0-6b86b273")
    assert created["spec"]["promotionTasks"] == ["promote"]


def test_refusals_are_forgotten_once_their_inputs_change():
    refusals = Refusals()
    refusals.remember("job", "1/7", "refused")
    assert refusals.known("job", "1/7") == "refused"
    assert refusals.known("job", "1/8") is None  # the definition changed: try again
    refusals.forget("job")
    assert refusals.known("job", "1/7") is None


# -- objects without spec -------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "obj", "fields"), [
    ("KeptnApp", {}, "spec.version"),
    ("KeptnApp", {"spec": None}, "spec.version"),
    ("KeptnTask", {"spec": {"checkType": "promotion"}}, "spec.taskDefinition"),
    ("KeptnEvaluation", {}, "spec.evaluationDefinition"),
    ("KeptnAppVersion", {}, "spec.appName, spec.version"),
    ("KeptnWorkloadVersion", {"spec": {"app": "a", "version": "1"}}, "spec.workloadName, spec.resourceReference"),
])
def test_an_object_without_what_its_reconciler_reads_is_named_with_its_fields(kind, obj, fields):
    message = missing_fields(kind, {"metadata": {"name": "x", "namespace": "demo"}, **obj})
    assert message.startswith(f'{kind} "x" in namespace "demo": {fields} must be set')


def test_objects_with_their_fields_and_kinds_without_required_fields_pass():
    assert missing_fields("KeptnApp", {"metadata": {"name": "x"}, "spec": {"version": "1"}}) is None
    assert missing_fields("KeptnAppContext", {"metadata": {"name": "x"}}) is None


def test_the_manager_reports_an_object_without_spec_once_and_does_not_reconcile_it():
    kube = FakeApi()
    ctx = context_over(kube)
    manager = Manager(ctx)
    app = _cache(ctx, APP, kube.put(APP, {"metadata": {"name": "bare", "namespace": "demo", "generation": 1}}))
    for _ in range(3):
        manager._reconcile(Key("KeptnApp", "demo", "bare"))
    assert ctx.events.sent == [("KeptnApp", "bare", "Warning", "InvalidSpec")]
    assert kube.writes == []  # no KeptnAppVersion, no status
    app["metadata"]["resourceVersion"] = "5000"  # changed, still without spec: said again
    ctx.store.upsert(APP, app)
    manager._reconcile(Key("KeptnApp", "demo", "bare"))
    assert len(ctx.events.sent) == 2


def test_triggers_do_not_fail_on_objects_without_spec():
    kube = FakeApi()
    ctx = context_over(kube)
    _cache(ctx, TASK, kube.put(TASK, {"metadata": {"name": "bare-task", "namespace": "demo"}}))
    definition = {"metadata": {"name": "promote", "namespace": "demo"}, "spec": {}}
    assert keys_for(TASK_DEFINITION, definition, ctx.store) == [Key("KeptnTaskDefinition", "demo", "promote")]
    assert keys_for(TASK, {"metadata": {"name": "bare-task", "namespace": "demo"}}, ctx.store) == [
        Key("KeptnTask", "demo", "bare-task")]


def test_a_change_whose_trigger_fails_still_wakes_the_object_and_keeps_the_watch_going(monkeypatch):
    ctx = context_over(FakeApi())
    manager = Manager(ctx)

    def broken(*_args):
        raise KeyError("spec")

    monkeypatch.setattr("harness.controller.manager.keys_for", broken)
    manager._changed(TASK, {"metadata": {"name": "t", "namespace": "demo"}})  # must not raise into the informer
    assert ctx.queue.get(timeout=1) == Key("KeptnTask", "demo", "t")


# -- bounded messages -----------------------------------------------------------------------------


def test_a_message_names_ten_reasons_and_counts_the_rest():
    reasons = [f"KeptnTaskDefinition \"missing-{i:04d}\" not found" for i in range(1000)]
    text = summary(reasons)
    assert text.count("not found") == MAX_REASONS and text.endswith("; and 990 more")
    assert summary(reasons[:2]) == "; ".join(reasons[:2])


def test_a_phase_waiting_for_a_thousand_definitions_keeps_its_message_and_event_short():
    notices = [Notice(f'KeptnTaskDefinition "missing-{i:04d}" not found', "NotFound") for i in range(1000)]
    result = advance({}, app_phases(True), lambda phase, status: Observation(
        states=[], listed=1000 if phase == PROMOTION else 0, items=[], notices=notices if phase == PROMOTION else []),
        True, "2030-01-01T00:00:00Z")
    assert result.status["message"].endswith("; and 990 more") and len(result.status["message"]) < 1000
    assert [reason for _, reason, _ in result.events if reason.endswith("NotFound")] == ["PromotionTasksNotFound"]


# -- leader election: an API server that is away is a failed try, not the end --------------------


class _Unreachable:
    def read_namespaced_lease(self, *_args, **_kwargs):
        raise urllib3.exceptions.MaxRetryError(None, "/apis/coordination.k8s.io", "connection refused")

    create_namespaced_lease = replace_namespaced_lease = read_namespaced_lease


def test_an_unreachable_api_server_is_a_failed_try_of_the_election_not_an_exception():
    lock = leader._Lock("promotion-controller", "default", "me", timeout=1)
    lock.api_instance = _Unreachable()
    election = leaderelection.LeaderElection(electionconfig.Config(lock, 15, 10, 2, lambda: None, lambda: None))
    assert election.try_acquire_or_renew() is False
    lock.lease_reference = client.V1Lease(spec=client.V1LeaseSpec())  # as after an earlier get: update is tried
    record = leaderelection.LeaderElectionRecord("me", "15", "2030-01-01 00:00:00", "2030-01-01 00:00:00")
    assert lock.update("promotion-controller", "default", record) is False
    assert lock.create("promotion-controller", "default", record) is False


def test_the_lease_calls_are_bounded_by_the_retry_period(monkeypatch):
    calls = []

    def record(self, *args, **kwargs):
        calls.append(kwargs.get("_request_timeout"))

    for method in ("read_namespaced_lease", "create_namespaced_lease", "replace_namespaced_lease"):
        monkeypatch.setattr(client.CoordinationV1Api, method, record)
    api = leader._BoundedLeaseApi(timeout=2)
    api.read_namespaced_lease("promotion-controller", "default")
    api.create_namespaced_lease("default", {})
    api.replace_namespaced_lease(name="promotion-controller", namespace="default", body={})
    assert calls == [2, 2, 2]


# -- settings: lease timings from the environment -------------------------------------------------


def test_leader_election_timings_default_to_the_environment_and_flags_win():
    settings = parse_settings([], {"LEADER_ELECTION_LEASE_DURATION": "6s", "LEADER_ELECTION_RENEW_DEADLINE": "3s",
                                   "LEADER_ELECTION_RETRY_PERIOD": "1s"})
    assert (settings.lease_duration, settings.renew_deadline, settings.retry_period) == (6, 3, 1)
    settings = parse_settings(["--leader-election-lease-duration", "20s"], {"LEADER_ELECTION_LEASE_DURATION": "6s"})
    assert settings.lease_duration == 20


def test_a_leader_must_stop_before_another_may_take_over():
    # a leader that cannot renew acts for up to retry + renew deadline + one Lease call (≤ retry)
    with pytest.raises(SettingsError, match=r"renew-deadline \+ 2 × retry-period < lease-duration"):
        parse_settings(["--leader-election-lease-duration", "5s", "--leader-election-renew-deadline", "3s",
                        "--leader-election-retry-period", "1s"], {})


def test_a_bad_timing_in_the_environment_is_a_usage_error_naming_the_flag(capsys):
    with pytest.raises(SystemExit) as exited:
        parse_settings([], {"LEADER_ELECTION_LEASE_DURATION": "soon"})
    assert exited.value.code == 2
    assert '--leader-election-lease-duration: "soon" is not a duration' in capsys.readouterr().err


# -- stopping while caches cannot sync ------------------------------------------------------------


def test_a_stop_ends_the_wait_for_caches_that_never_sync():
    ctx = context_over(FakeApi())
    manager = Manager(ctx)
    stop = threading.Event()
    stop.set()
    finished = threading.Event()
    threading.Thread(target=lambda: (manager._wait_for_sync(stop), finished.set()), daemon=True).start()
    assert finished.wait(2), "the wait for caches did not notice the stop"
