"""What the tracing scenarios (contract §10) make: a KeptnConfig naming the OTLP receiver as the
OpenTelemetry collector, and an app context whose `spanLinks` name another stage's trace."""
from __future__ import annotations

KEPTN_CONFIG_API = "options.keptn.sh/v1alpha1"


def keptn_config(name: str, namespace: str, collector: str) -> dict:
    """A KeptnConfig whose `spec.OTelCollectorUrl` (`host:port`, dialled over plain gRPC, as Keptn's
    lifecycle operator reads it) names the collector."""
    return {"apiVersion": KEPTN_CONFIG_API, "kind": "KeptnConfig", "metadata": {"name": name, "namespace": namespace},
            "spec": {"OTelCollectorUrl": collector}}


def linking(app_context: dict, traceparents: list[str]) -> dict:
    """The app context with `spec.spanLinks`: the W3C `traceparent`s its versions' traces link to."""
    return {**app_context, "spec": {**app_context["spec"], "spanLinks": list(traceparents)}}
