"""Which KeptnAppVersion a KeptnApp generation gets (contract §2), as pure functions."""
from __future__ import annotations

from harness.controller.checks import owner_reference
from harness.contract.kinds import APP, APP_VERSION
from harness.controller.naming import app_version_name
from harness.contract.states import KeptnState

_STATE_FIELDS = ("status", "preDeploymentStatus", "preDeploymentEvaluationStatus", "workloadOverallStatus",
                 "postDeploymentStatus", "postDeploymentEvaluationStatus", "promotionStatus")


def version_name(app: dict) -> str:
    return app_version_name(app["metadata"]["name"], app["spec"]["version"], app["metadata"]["generation"])


def previous_version(app: dict) -> str:
    """Keptn: the app's status.currentVersion, unless that is the version being created."""
    current = (app.get("status") or {}).get("currentVersion") or ""
    return current if current != app["spec"]["version"] else ""


def app_version_manifest(app: dict, app_context: dict | None, trace: dict[str, str]) -> dict:
    """The KeptnApp spec and the same-name KeptnAppContext spec, copied now and never again."""
    meta = app["metadata"]
    return {
        "apiVersion": APP_VERSION.api_version,
        "kind": APP_VERSION.kind,
        "metadata": {"name": version_name(app), "namespace": meta["namespace"],
                     "ownerReferences": [owner_reference(app, APP)]},
        "spec": {**((app_context or {}).get("spec") or {}), **app["spec"], "appName": meta["name"],
                 "previousVersion": previous_version(app), "traceId": trace},
    }


def superseded(app: dict, versions: list[dict]) -> list[dict]:
    """contract §2: the app's older KeptnAppVersions of the same version, not yet all Deprecated."""
    uid, name, version = app["metadata"]["uid"], version_name(app), app["spec"]["version"]

    def older(kav: dict) -> bool:
        owned = any(ref.get("uid") == uid for ref in kav["metadata"].get("ownerReferences") or [])
        return owned and kav["metadata"]["name"] != name and kav["spec"].get("version") == version

    return [kav for kav in versions if older(kav) and deprecated_status(kav) != (kav.get("status") or {})]


def deprecated_status(kav: dict) -> dict:
    """Every state of the version set to Deprecated."""
    return {**(kav.get("status") or {}), **{f: KeptnState.DEPRECATED.value for f in _STATE_FIELDS}}
