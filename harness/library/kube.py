"""Uniform access to any kind as plain dicts, through the official client's DynamicClient."""
from __future__ import annotations

from functools import lru_cache

from kubernetes import client
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
            return self._resource(kind).get(name=name, namespace=namespace).to_dict()
        except NotFoundError:
            return None

    def watch(self, kind: str, namespace: str, timeout: int):
        """Watch events ({type, object}) of a kind in a namespace; ends after `timeout` seconds."""
        return self._resource(kind).watch(namespace=namespace, timeout=timeout)

    def list(self, kind: str, namespace: str | None = None, label_selector: str | None = None) -> list[dict]:
        result = self._resource(kind).get(namespace=namespace, label_selector=label_selector)
        return [item.to_dict() for item in result.items]

    def create(self, body: dict, namespace: str | None = None) -> dict:
        resource = self._resource(body["kind"], body.get("apiVersion"))
        return resource.create(body=body, namespace=namespace or body.get("metadata", {}).get("namespace")).to_dict()

    def apply(self, body: dict, namespace: str | None = None, field_manager: str = "promotion-conformance") -> dict:
        """Server-side apply (forced: the harness owns what it writes)."""
        resource = self._resource(body["kind"], body.get("apiVersion"))
        ns = namespace or body.get("metadata", {}).get("namespace")
        return resource.server_side_apply(body=body, name=body["metadata"]["name"], namespace=ns, field_manager=field_manager, force_conflicts=True).to_dict()

    def patch(self, kind: str, name: str, namespace: str | None, patch: dict) -> dict:
        return self._resource(kind).patch(
            name=name, namespace=namespace, body=patch, content_type="application/merge-patch+json"
        ).to_dict()

    def patch_status(self, kind: str, name: str, namespace: str | None, patch: dict) -> dict:
        """Merge-patch the status subresource (where a controller or a scenario writes results)."""
        return self._resource(kind).status.patch(
            name=name, namespace=namespace, body=patch, content_type="application/merge-patch+json"
        ).to_dict()

    def delete(self, kind: str, name: str, namespace: str | None = None, propagation: str = "Background") -> None:
        try:
            self._resource(kind).delete(name=name, namespace=namespace, body={"propagationPolicy": propagation})
        except NotFoundError:
            pass


@lru_cache(maxsize=None)
def _resource(dynamic: DynamicClient, api_version: str, kind: str):
    try:
        return dynamic.resources.get(api_version=api_version, kind=kind)
    except ResourceNotFoundError:
        # Discovery is cached; CRDs applied after the first lookup need a fresh look.
        dynamic.resources.invalidate_cache()
        return dynamic.resources.get(api_version=api_version, kind=kind)
