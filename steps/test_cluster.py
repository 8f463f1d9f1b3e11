"""Steps of features/cluster: the provider's control plane and the simulated task semantics."""
from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when

from harness.judges import cluster
from harness.library import workloads

scenarios("cluster/control_plane.feature")


@given(parsers.re(r'a Job "(?P<name>[^"]+)" whose task runs for "(?P<run_for>[^"]+)" and exits with (?P<code>\d+)'
                  r'(?:, with backoffLimit (?P<backoff>\d+))?(?:, with activeDeadlineSeconds (?P<deadline>\d+))?$'))
def a_job(kube, namespace, name, run_for, code, backoff, deadline):
    workloads.create_task_job(kube, namespace, name, run_for, int(code), backoff_limit=int(backoff or 0),
                              active_deadline=int(deadline) if deadline else None)


@then(parsers.re(r'the Job "(?P<name>[^"]+)" reaches the condition "(?P<condition>\w+)"(?: with reason "(?P<reason>\w+)")?$'))
def job_reaches(kube, namespace, name, condition, reason):
    cluster.job_must_reach_condition(kube, namespace, name, condition, reason)


@then(parsers.parse('the Job "{name}" ran at least {seconds:d} seconds'))
def job_ran_at_least(kube, namespace, name, seconds):
    cluster.job_must_have_run_at_least(kube, namespace, name, seconds)


@then(parsers.parse('the Job "{name}" had {count:d} pods'))
def job_had_pods(kube, namespace, name, count):
    cluster.job_must_have_pods(kube, namespace, name, count)


@given(parsers.parse('a Deployment "{name}" with {replicas:d} replicas'))
def a_deployment(kube, namespace, name, replicas):
    workloads.create_deployment(kube, namespace, name, replicas)


@then(parsers.parse('the Deployment "{name}" becomes Available with {replicas:d} ready replicas'))
def deployment_available(kube, namespace, name, replicas):
    cluster.deployment_must_become_available(kube, namespace, name, replicas)


@given(parsers.parse('a ConfigMap "{owner}" and a ConfigMap "{dependent}" owned by it'))
def owned_configmap(kube, namespace, owner, dependent):
    parent = kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": owner, "namespace": namespace}})
    kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": dependent, "namespace": namespace,
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner, "uid": parent["metadata"]["uid"]}],
    }})


@when(parsers.parse('the ConfigMap "{name}" is deleted'))
def delete_configmap(kube, namespace, name):
    kube.delete("ConfigMap", name, namespace)


@then(parsers.parse('the ConfigMap "{name}" is garbage-collected'))
def configmap_collected(kube, namespace, name):
    cluster.object_must_be_gone(kube, "ConfigMap", namespace, name)
