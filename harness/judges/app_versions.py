"""Judges of §2 of docs/contract.md: how an app version comes to exist — its name, its owner, the
lists it copied from the KeptnAppContext, and that one is there at all."""
from __future__ import annotations

from harness.eventually import NotYet, eventually
from harness.kube import Kube
from harness.library.lookups import newest_app_version, which
from harness.library.expected_names import generation_hash


def latest_app_version(kube: Kube, namespace: str, app: str, revision: int | None = None, *,
                       version: str | None = None) -> dict:
    """Wait until the app has a KeptnAppVersion (of that revision, of that spec.version); the newest."""
    return eventually(lambda: newest_app_version(kube, namespace, app, revision, version=version),
                      f"a KeptnAppVersion of KeptnApp {namespace}/{app}{which(revision, version).replace(' and', ',')}")



def version_spec_must_list(version: dict, list_field: str, definitions: list[str]) -> None:
    """contract §2 C2.4: the version's spec holds the list as the KeptnAppContext had it when the version
    was created (the order of a list is the context's)."""
    listed = (version.get("spec") or {}).get(list_field) or []
    assert listed == definitions, (f"KeptnAppVersion {version['metadata']['name']} spec.{list_field} is {listed}, expected "
                                   f"{definitions}, as its KeptnAppContext listed them when it was created")



def app_must_own_its_version(kube: Kube, namespace: str, app: str, version: dict) -> dict:
    """contract §2 C2.3: the version has a controller ownerReference to its KeptnApp (kind, name and uid,
    `controller: true`), and the KeptnApp's `status.currentVersion` becomes the version's `spec.version`."""
    name = version["metadata"]["name"]
    owner = kube.get("KeptnApp", app, namespace)
    assert owner is not None, f"KeptnApp {namespace}/{app} does not exist"
    refs = version["metadata"].get("ownerReferences") or []
    controllers = [r for r in refs if r.get("controller") is True]
    assert len(controllers) == 1, f"KeptnAppVersion {name} has {len(controllers)} controller ownerReferences, expected one: {refs}"
    ref = controllers[0]
    expected = {"kind": "KeptnApp", "name": app, "uid": owner["metadata"]["uid"]}
    observed = {key: ref.get(key) for key in expected}
    assert observed == expected and ref.get("apiVersion", "").startswith("lifecycle.keptn.sh/"), (
        f"KeptnAppVersion {name}: its controller ownerReference is {ref}, expected its KeptnApp {expected}")

    def current() -> dict:
        found = kube.get("KeptnApp", app, namespace) or {}
        have = (found.get("status") or {}).get("currentVersion")
        if have != version["spec"].get("version"):
            raise NotYet(f"KeptnApp {app} status.currentVersion is {have!r}")
        return found

    return eventually(current, f"KeptnApp {namespace}/{app} status.currentVersion to be {version['spec'].get('version')!r}")



def version_must_be_named(version: dict, app: str, generation: int) -> None:
    """contract §2 C2.2: the KeptnAppVersion of the app's generation is named `<app>-<version>-<hash>`,
    `<version>` its `spec.version` and `<hash>` the first eight hex digits of the SHA-256 of the
    generation written in decimal."""
    expected = f"{app}-{version['spec'].get('version')}-{generation_hash(generation)}"
    name = version["metadata"]["name"]
    assert name == expected, (f"KeptnAppVersion {name} of generation {generation}: expected the name {expected} "
                              f"(<app>-<version>-<first 8 hex digits of sha256({generation!r})>)")
