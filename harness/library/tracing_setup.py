"""What the tracing scenarios (contract §10) make: a KeptnConfig naming the OTLP receiver as the
OpenTelemetry collector, an app context whose `spanLinks` name another stage's trace, and the wait
until the implementation traces."""
from __future__ import annotations

from harness.eventually import NotYet, eventually
from harness.kube import Kube
from harness.library import lookups, manifests
from harness.timeouts import TIMEOUTS

KEPTN_CONFIG_API = "options.keptn.sh/v1alpha1"


def keptn_config(name: str, namespace: str, collector: str) -> dict:
    """A KeptnConfig whose `spec.OTelCollectorUrl` (`host:port`, dialled over plain gRPC, as Keptn's
    lifecycle operator reads it) names the collector."""
    return {"apiVersion": KEPTN_CONFIG_API, "kind": "KeptnConfig", "metadata": {"name": name, "namespace": namespace},
            "spec": {"OTelCollectorUrl": collector}}


def linking(app_context: dict, traceparents: list[str]) -> dict:
    """The app context with `spec.spanLinks`: the W3C `traceparent`s its versions' traces link to."""
    return {**app_context, "spec": {**app_context["spec"], "spanLinks": list(traceparents)}}


PROBE_APP = "trace-probe"
_ENDED = ("Succeeded", "Failed", "Deprecated")


def wait_until_traced(kube: Kube, namespace: str, receiver, app: str = PROBE_APP) -> None:
    """Tracing is configured once spans reach the receiver: an implementation applies a KeptnConfig
    in its own time, and a version that began before may stay untraced. So versions of a probe app
    (no tasks, no context) are deployed, the next once the last ended, until some span arrives."""
    deployed = ["0.0.1"]
    kube.create(manifests.app(app, namespace, deployed[-1]))

    def some_span() -> None:
        if receiver.spans():
            return
        version = lookups.newest_app_version(kube, namespace, app, version=deployed[-1])
        state = (version.get("status") or {}).get("status")
        if state in _ENDED:
            deployed.append(f"0.0.{len(deployed) + 1}")
            kube.patch("KeptnApp", app, namespace, {"spec": {"version": deployed[-1]}})
        raise NotYet(f"no span received; versions of the probe app {app}: {', '.join(deployed)} "
                     f"(the newest ended: {state in _ENDED})")

    eventually(some_span, f"a span of any version at the OTLP receiver {receiver.address}", TIMEOUTS.lifecycle)
