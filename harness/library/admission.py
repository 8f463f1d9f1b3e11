"""What the API server answered when the harness created an object: created, or refused with its message.

Objects are created with field validation `Strict` (kubectl's default): an unknown field is refused,
not dropped silently.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from harness.kube import Kube

# A refusal: 400/422 from the API server's own validation, 403 from an admission webhook (its
# default code for a denial).
REFUSED_CODES = (400, 403, 422)


@dataclass(frozen=True)
class Answer:
    kind: str
    name: str
    refusal: str | None  # the API server's message, None when it created the object
    code: int | None = None


def create(kube: Kube, obj: dict, namespace: str) -> Answer:
    """Create `obj` in `namespace`; a refusal is returned, not raised (any other error is)."""
    body = {**obj, "metadata": {**obj.get("metadata", {}), "namespace": namespace}}
    kind, name = obj["kind"], obj["metadata"]["name"]
    resource = kube.dynamic.resources.get(api_version=obj["apiVersion"], kind=kind)
    try:
        resource.create(body=body, namespace=namespace, query_params=[("fieldValidation", "Strict")])
        return Answer(kind, name, None)
    except Exception as error:  # the dynamic client's error classes all carry the status and body
        if getattr(error, "status", None) not in REFUSED_CODES:
            raise
        return Answer(kind, name, _message(error), error.status)


def _message(error: Exception) -> str:
    try:
        return str(json.loads(error.body)["message"])
    except (TypeError, ValueError, KeyError):
        return str(error)
