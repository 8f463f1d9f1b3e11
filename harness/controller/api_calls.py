"""The controller's few API operations, on plain dicts, over the official client.

Everything with an API group goes through CustomObjectsApi (its generic paths serve batch/v1
Jobs and apps/v1 Deployments as well as the Keptn kinds); the three core kinds through CoreV1Api.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from kubernetes import client
from kubernetes.client.rest import ApiException

from harness.contract.kinds import CONFIG_MAP, NAMESPACE, POD, Kind

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
FIELD_MANAGER = "promotion-controller"


# Bad request, too large, invalid: the request itself is wrong, and sending it again cannot help.
REFUSED = (400, 413, 422)


def is_status(error: Exception, *codes: int) -> bool:
    return isinstance(error, ApiException) and error.status in codes


def refusal(error: Exception) -> str | None:
    """The API server's message when it refused a request as wrong (REFUSED); None for any other
    error, which may pass when tried again."""
    if not is_status(error, *REFUSED):
        return None
    try:
        return str(json.loads(error.body)["message"])
    except (TypeError, ValueError, KeyError):
        return f"{error.status} {error.reason}"


class Kube:
    def __init__(self, api_client: client.ApiClient):
        self.custom = client.CustomObjectsApi(api_client)
        self.core = client.CoreV1Api(api_client)

    def list(self, kind: Kind, namespace: str | None = None, label_selector: str | None = None) -> tuple[list[dict], str]:
        """The objects and the list's resourceVersion (to watch from)."""
        options = {"label_selector": label_selector} if label_selector else {}
        if kind == NAMESPACE:
            if namespace:
                options["field_selector"] = f"metadata.name={namespace}"
            answer = _body(self.core.list_namespace(_preload_content=False, **options))
        elif kind == POD:
            answer = _body(self.core.list_namespaced_pod(namespace, _preload_content=False, **options))
        elif namespace:
            answer = self.custom.list_namespaced_custom_object(kind.group, kind.version, namespace, kind.plural, **options)
        else:
            answer = self.custom.list_cluster_custom_object(kind.group, kind.version, kind.plural, **options)
        return answer.get("items") or [], answer["metadata"]["resourceVersion"]

    def watch_call(self, kind: Kind, namespace: str | None) -> tuple[Callable, tuple, dict]:
        """The list function, positional and keyword arguments for `kubernetes.watch.Watch.stream`."""
        if kind == NAMESPACE:
            return self.core.list_namespace, (), ({"field_selector": f"metadata.name={namespace}"} if namespace else {})
        if namespace:
            return self.custom.list_namespaced_custom_object, (kind.group, kind.version, namespace, kind.plural), {}
        return self.custom.list_cluster_custom_object, (kind.group, kind.version, kind.plural), {}

    def get(self, kind: Kind, namespace: str, name: str) -> dict | None:
        try:
            if kind == CONFIG_MAP:
                return _body(self.core.read_namespaced_config_map(name, namespace, _preload_content=False))
            return self.custom.get_namespaced_custom_object(kind.group, kind.version, namespace, kind.plural, name)
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    def create(self, kind: Kind, obj: dict) -> dict:
        namespace = obj["metadata"]["namespace"]
        if kind == CONFIG_MAP:
            return _body(self.core.create_namespaced_config_map(
                namespace, obj, field_manager=FIELD_MANAGER, _preload_content=False))
        return self.custom.create_namespaced_custom_object(
            kind.group, kind.version, namespace, kind.plural, obj, field_manager=FIELD_MANAGER)

    def create_unless_exists(self, kind: Kind, obj: dict) -> dict | None:
        """Create an object of a deterministic name; None if it is there already (made before a restart)."""
        try:
            return self.create(kind, obj)
        except ApiException as error:
            if error.status == 409:
                return None
            raise

    def patch(self, kind: Kind, namespace: str, name: str, patch: dict) -> dict:
        """JSON merge patch; put metadata.resourceVersion in `patch` to make it conditional."""
        if kind == CONFIG_MAP:
            return _body(self.core.patch_namespaced_config_map(
                name, namespace, patch, field_manager=FIELD_MANAGER, _content_type=MERGE_PATCH,
                _preload_content=False))
        return self.custom.patch_namespaced_custom_object(
            kind.group, kind.version, namespace, kind.plural, name, patch,
            field_manager=FIELD_MANAGER, _content_type=MERGE_PATCH)

    def json_patch(self, kind: Kind, namespace: str, name: str, operations: list[dict]) -> dict:
        """RFC 6902 patch; a failing `test` operation makes the whole patch fail."""
        return self.custom.patch_namespaced_custom_object(
            kind.group, kind.version, namespace, kind.plural, name, operations,
            field_manager=FIELD_MANAGER, _content_type=JSON_PATCH)

    def replace(self, kind: Kind, obj: dict) -> dict:
        """PUT the whole object; its metadata.resourceVersion makes it conditional."""
        meta = obj["metadata"]
        return self.custom.replace_namespaced_custom_object(
            kind.group, kind.version, meta["namespace"], kind.plural, meta["name"], obj, field_manager=FIELD_MANAGER)

    def patch_status(self, kind: Kind, namespace: str, name: str, patch: dict) -> dict:
        """JSON merge patch of the status subresource."""
        return self.custom.patch_namespaced_custom_object_status(
            kind.group, kind.version, namespace, kind.plural, name, patch,
            field_manager=FIELD_MANAGER, _content_type=MERGE_PATCH)

    def create_event(self, namespace: str, event: dict) -> None:
        _body(self.core.create_namespaced_event(namespace, event, _preload_content=False))


def _body(response) -> dict:
    """The JSON of a raw (`_preload_content=False`) response, handing its connection back to the
    pool: urllib3 keeps it otherwise, and every such call cost a new TLS handshake (the benchmark's
    profile showed a fifth of the controller's time in handshakes)."""
    try:
        return json.loads(response.data)
    finally:
        response.release_conn()
