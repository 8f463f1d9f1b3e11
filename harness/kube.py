"""Uniform access to any kind as plain dicts, through the official client's DynamicClient.

Answers are decoded from JSON straight into dicts (`_plain`): the DynamicClient's own answer, a
ResourceInstance, converts every object into attribute objects and `to_dict` converted it back:
about two thirds of the CPU a list took (docs/performance.md, "Where the harness's CPU goes").
Watch events are read the same way, without that conversion.
"""
from __future__ import annotations

from functools import lru_cache

from kubernetes import client, watch
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import NotFoundError, ResourceNotFoundError

# kind → apiVersion for every kind the steps touch, so that steps can say "Job" and not "batch/v1".
API_VERSIONS = {
    "Namespace": "v1",
    "Pod": "v1",
    "ConfigMap": "v1",
    "Event": "v1",
    "Secret": "v1",
    "Lease": "coordination.k8s.io/v1",
    "Job": "batch/v1",
    "Deployment": "apps/v1",
    "KeptnAppContext": "lifecycle.keptn.sh/v1",
    "KeptnApp": "lifecycle.keptn.sh/v1",
    "KeptnAppVersion": "lifecycle.keptn.sh/v1",
    "KeptnWorkload": "lifecycle.keptn.sh/v1",
    "KeptnWorkloadVersion": "lifecycle.keptn.sh/v1",
    "KeptnTaskDefinition": "lifecycle.keptn.sh/v1",
    "KeptnTask": "lifecycle.keptn.sh/v1",
    "KeptnEvaluationDefinition": "lifecycle.keptn.sh/v1",
    "KeptnEvaluation": "lifecycle.keptn.sh/v1",
    "KeptnConfig": "options.keptn.sh/v1alpha1",
    "KeptnMetric": "metrics.keptn.sh/v1",
    "GitRepository": "source.toolkit.fluxcd.io/v1",
    "Kustomization": "kustomize.toolkit.fluxcd.io/v1",
}


class Kube:
    """get / list / create / delete / patch of dicts, by kind name."""

    def __init__(self, api_client: client.ApiClient):
        self.api_client = api_client
        self.dynamic = DynamicClient(api_client)

    def _resource(self, kind: str, api_version: str | None = None):
        return _resource(self.dynamic, api_version or API_VERSIONS[kind], kind)

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        try:
            return self._resource(kind).get(name=name, namespace=namespace, serializer=_plain)
        except NotFoundError:
            return None

    def watch(self, kind: str, namespace: str, resource_version: str, timeout: int):
        """Watch events of a kind in a namespace from `resource_version`, with bookmarks: dicts with
        `type` and `raw_object`; ends after `timeout` seconds. An ERROR event (410 Gone: the version
        is too old) is raised as an ApiException with its code as `status`."""
        return watch.Watch().stream(self._resource(kind).get, namespace=namespace, resource_version=resource_version,
                                    timeout_seconds=timeout, allow_watch_bookmarks=True, serialize=False)

    def list(self, kind: str, namespace: str | None = None, label_selector: str | None = None) -> list[dict]:
        return self.listing(kind, namespace, label_selector)["items"]

    def listing(self, kind: str, namespace: str | None = None, label_selector: str | None = None) -> dict:
        """The list object itself: `items`, and `metadata.resourceVersion` to watch from."""
        return self._resource(kind).get(namespace=namespace, label_selector=label_selector, serializer=_plain)

    def create(self, body: dict, namespace: str | None = None) -> dict:
        resource = self._resource(body["kind"], body.get("apiVersion"))
        return resource.create(body=body, namespace=namespace or body.get("metadata", {}).get("namespace"),
                               serializer=_plain)

    def apply(self, body: dict, namespace: str | None = None, field_manager: str = "promotion-conformance") -> dict:
        """Server-side apply (forced: the harness owns what it writes)."""
        resource = self._resource(body["kind"], body.get("apiVersion"))
        ns = namespace or body.get("metadata", {}).get("namespace")
        return resource.server_side_apply(body=body, name=body["metadata"]["name"], namespace=ns, field_manager=field_manager,
                                          force_conflicts=True, serializer=_plain)

    def patch(self, kind: str, name: str, namespace: str | None, patch: dict) -> dict:
        return self._resource(kind).patch(
            name=name, namespace=namespace, body=patch, content_type="application/merge-patch+json", serializer=_plain
        )

    def patch_status(self, kind: str, name: str, namespace: str | None, patch: dict) -> dict:
        """Merge-patch the status subresource (where a controller or a scenario writes results)."""
        return self._resource(kind).status.patch(
            name=name, namespace=namespace, body=patch, content_type="application/merge-patch+json", serializer=_plain
        )

    def delete(self, kind: str, name: str, namespace: str | None = None, propagation: str = "Background") -> None:
        try:
            self._resource(kind).delete(name=name, namespace=namespace, body={"propagationPolicy": propagation})
        except NotFoundError:
            pass


def _plain(_client, body: dict) -> dict:
    """An answer of the API server as it came, but like the DynamicClient's `to_dict`: each item of a
    list carries the list's apiVersion and its kind (the server leaves them out of items)."""
    kind = body.get("kind", "")
    if kind.endswith("List") and "items" in body:
        body["items"] = body["items"] or []
        for item in body["items"]:
            item.setdefault("apiVersion", body.get("apiVersion"))
            item.setdefault("kind", kind[:-len("List")])
    return body


@lru_cache(maxsize=None)
def _resource(dynamic: DynamicClient, api_version: str, kind: str):
    try:
        return dynamic.resources.get(api_version=api_version, kind=kind)
    except ResourceNotFoundError:
        # Discovery is cached; CRDs applied after the first lookup need a fresh look.
        dynamic.resources.invalidate_cache()
        return dynamic.resources.get(api_version=api_version, kind=kind)
