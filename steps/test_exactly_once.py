"""Steps of the exactly-once features (features/reliability: kills, replicas, api_server_restart):
every promotion task runs once per app version across kills of the implementation, a second replica
and a restarted API server (contract §6). Thin over harness/library/faults and the judges of
harness/judges/stricter.
"""
from __future__ import annotations

import time

import pytest
from kubernetes import config as kube_config
from pytest_bdd import given, scenarios, then, when

from harness.eventually import eventually
from harness.judges import lifecycle
from harness.judges.stricter import exactly_once, leadership, survival
from harness.kube import Kube
from harness.library import faults
from harness.library.api_proxy import RecordingProxy
from harness.library.recorder import Recorder
from harness.plugin.session_options import options_of
from harness.timeouts import TIMEOUTS
from reliability_steps import *  # noqa: F401,F403 (the shared steps, each a fixture of that module)
from reliability_steps import job_seen, kinds_of

scenarios("reliability/kills.feature", "reliability/replicas.feature", "reliability/api_server_restart.feature")


@given("a second replica of the implementation is running, its requests recorded")
def second_replica(scenario, implementation, kube, request):
    if implementation.adapter.mode != "process":
        pytest.skip(f"{implementation.adapter.name} runs in the cluster: the harness starts a second replica only of "
                    "an implementation it runs as a process")
    proxy = RecordingProxy(implementation.kubeconfig).start()
    replica = implementation.replica("replica-2", kubeconfig=proxy.kubeconfig)
    replica.start(implementation.environment)
    scenario.standby = (replica, proxy)

    def restore():
        replica.stop()  # first: it hands its Lease back, so the first replica leads at once
        proxy.stop()
        if not implementation.instances(kube):
            implementation.start()
            implementation.wait_ready(kube)

    request.addfinalizer(restore)
    survival.implementation_must_run(replica, kube, "right after it started")


@given("the scenario is recorded through an API server that is not restarted")
def recorded_through_observer(scenario, cluster, request):
    kubeconfig = request.getfixturevalue("observer_kubeconfig")
    scenario.recorder.stop()
    scenario.recorder = Recorder(Kube(kube_config.new_client_from_config(config_file=str(kubeconfig))),
                                    scenario.namespace).start()


@pytest.fixture
def observer_kubeconfig(cluster):
    with faults.observing_api_server(cluster) as kubeconfig:
        yield kubeconfig


@when("app versions of these kinds are deployed in turn while the implementation is killed with SIGKILL at random moments")
def deploy_while_killing(scenario, implementation, kube, datatable, request):
    kinds = kinds_of(datatable)
    scenario.kill_plan = faults.KillPlan.of(options_of(request.config).soak)

    def deploy(index: int) -> None:
        kind, _count, lists = kinds[index % len(kinds)]
        scenario.deploy(kind, lists, index)

    scenario.kill_log = faults.deploy_while_killing(implementation, kube, scenario.recorder, scenario.kill_plan,
                                                       deploy, scenario.rng())
    scenario.say(f"{scenario.kill_plan.versions} app versions deployed, {scenario.kill_log}")


@when("the leading replica is killed with SIGKILL")
def kill_leader(scenario, implementation, kube):
    survival.implementation_must_run(implementation, kube, "before it was killed")
    scenario.killed_at = time.time()
    implementation.kill()


@when("the API server is restarted while their promotion tasks run")
def restart_api_server(scenario, cluster, implementation, kube):
    try:
        eventually(lambda: job_seen(scenario, lambda t: t["spec"].get("checkType") == "promotion"),
                   "a promotion Job to run", TIMEOUTS.lifecycle)
    except AssertionError as error:  # no promotion ever started: say where each version stands, and why
        raise exactly_once.explained_all(error, scenario.recorder, scenario.lists) from error
    scenario.running = survival.implementation_must_run(implementation, kube, "before the API server restarted")
    away = faults.restart_api_server(cluster)
    scenario.say(f"kube-apiserver was away for {away:.1f}s")


@then("the second replica wrote nothing but its leader Lease while the other one led")
def standby_wrote_nothing(scenario):
    _replica, proxy = scenario.standby
    leadership.standby_must_not_have_written(proxy.recorded(), until=scenario.killed_at)


@then("the second replica takes over within the duration of the Lease it competes for")
def takes_over(scenario, request):
    _replica, proxy = scenario.standby
    namespace, name = leadership.lease_must_be_known(proxy.recorded())
    duration = leadership.lease_duration_must_be_known(scenario.kube.get("Lease", name, namespace), (namespace, name))
    first = lifecycle.first_task_arrival(scenario.recorder, "promotion", scenario.created_later[-1])
    took = leadership.takeover_must_be_within(scenario.killed_at, first, (namespace, name), duration)
    request.node.user_properties.append(("failover_seconds", f"{took:.1f}"))
    scenario.say(f"fail-over: the other replica acted {took:.1f}s after the leader was killed (Lease {namespace}/{name}, "
                 f"{duration:g}s)")


@then("the implementation is still running")
def still_running(scenario, implementation, kube):
    survival.must_not_have_crashed(implementation, kube, scenario.running, faults.LogMark.of(implementation))
