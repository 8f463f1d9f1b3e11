"""Reading an implementation adapter file: validated against its JSON Schema and against what the
suite will do with it, before any cluster work; every error names the file, the line and the field.

An adapter file tells the suite who made an implementation, how to install, start, stop and kill
it, how to turn its promotion feature flag off, and which conformance features it claims. A
mistake in it is a configuration error (exit 2), never charged to the implementation.
"""
from __future__ import annotations

import json
import os
import re
import string
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.compat.loading import InputError, load_crds
from harness.paths import REPO
from harness.validated_yaml import ConfigError, line_of, load_validated

SCHEMA = json.loads((Path(__file__).parent / "implementation.schema.json").read_text())
BUILTIN = Path(__file__).parent
DEFAULT = BUILTIN / "reference.yaml"

# What `{name}` in an adapter's commands and paths stands for (filled in by `Adapter.placeholders`).
PLACEHOLDERS = ("python", "kubectl", "kubeconfig", "repo", "adapter_dir", "log_dir")
# Placeholders a file path may use: known before any cluster exists.
_PATH_PLACEHOLDERS = ("repo", "adapter_dir")
# `{env:NAME}`: the value of the environment variable NAME of the harness, for what only the user
# knows (where they built a binary, where their checkout is). It must be set and not empty when the
# adapter is loaded; the value is put in as it is (braces in it are not placeholders).
_ENV = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with `{env:NAME}` and the `{name}` of `values` filled in (the adapter was checked on
    load, so every variable it names is set)."""
    parts = _ENV.split(text)  # literal, name, literal, name, ..., literal
    return "".join(os.environ[part] if index % 2 else part.format(**values) for index, part in enumerate(parts))


class AdapterUnusable(ConfigError):
    """The adapter cannot run on the chosen cluster provider (e.g. it needs real nodes)."""


@dataclass(frozen=True)
class Adapter:
    path: Path
    name: str
    spec: dict

    @property
    def metadata(self) -> dict:
        return self.spec["implementation"]

    @property
    def features(self) -> list[str]:
        return list(self.spec["features"])

    @property
    def needs_real_nodes(self) -> bool:
        return bool(self.spec.get("requirements", {}).get("realNodes", False))

    @property
    def mode(self) -> str:
        return self.spec["run"]["mode"]

    def must_run_on(self, provider: str, real_nodes: bool | None = None) -> None:
        """An adapter that needs real nodes cannot run on a cluster without them (the simulated
        provider's): say so before anything is created."""
        if real_nodes is None:
            real_nodes = provider != "simulated"
        if self.needs_real_nodes and not real_nodes:
            raise AdapterUnusable(
                f"{self.path}:{line_of(self.path, ['spec', 'requirements', 'realNodes'])}: field "
                f"spec.requirements.realNodes: {self.name} needs nodes that run containers; the {provider} provider "
                "has none: use --provider kind or --provider existing")

    def install_path(self, text: str) -> Path:
        """A path of `install.crds` or `install.manifests` with {repo} and {adapter_dir} filled in;
        a relative one is read from the adapter's folder."""
        filled = Path(fill(text, {"repo": str(REPO), "adapter_dir": str(self.path.parent)}))
        return filled if filled.is_absolute() else self.path.parent / filled

    @property
    def crd_paths(self) -> list[Path]:
        """The files and folders of `install.crds`: the implementation's CRDs, which the CRD
        compatibility scenarios judge (harness/library/crds/crd_sets.py)."""
        return [self.install_path(text) for text in self.spec.get("install", {}).get("crds", [])]

    @property
    def previous_crd_paths(self) -> list[Path]:
        """The files and folders of `previousRelease.crds`: the CRDs of the implementation's release
        before this one, from which the CRD compatibility scenarios upgrade; [] when it names none."""
        return [self.install_path(text) for text in self.spec.get("previousRelease", {}).get("crds", [])]

    @property
    def previous_version(self) -> str:
        return self.spec.get("previousRelease", {}).get("version", "its previous release")

    def placeholders(self, kubeconfig: Path, log_dir: Path) -> dict[str, str]:
        """What `{name}` in the adapter's commands stands for."""
        from harness.clusters import toolchain

        return {
            "python": sys.executable,
            "kubectl": str(toolchain.ensure(["kubectl"])["kubectl"]),
            "kubeconfig": str(kubeconfig),
            "repo": str(REPO),
            "adapter_dir": str(self.path.parent),
            "log_dir": str(log_dir),
        }


def resolve(name_or_path: str | None) -> Path:
    """An adapter given by path, or by the name of a built-in one ("reference", "keptn")."""
    if not name_or_path:
        return DEFAULT
    builtin = BUILTIN / f"{name_or_path}.yaml"
    if not Path(name_or_path).exists() and builtin.exists():
        return builtin
    return Path(name_or_path)


def load(path: Path) -> Adapter:
    document = load_validated(path, SCHEMA, "implementation adapter")
    adapter = Adapter(path=Path(path).resolve(), name=document["metadata"]["name"], spec=document["spec"])
    _check(adapter)
    return adapter


def _check(adapter: Adapter) -> None:
    """What the schema cannot say: placeholders are known, install paths exist, CRD files hold CRDs
    the API server would take, and each claimed feature has what its scenarios use."""
    for field, text in _strings(adapter.spec, ["spec"]):
        for variable in _ENV.findall(text):
            if not os.environ.get(variable):
                _refuse(adapter, field, f"{{env:{variable}}} in {text!r}: the environment variable {variable} is "
                                        + ("empty" if variable in os.environ else "not set")
                                        + "; set it to what the adapter's comments say")
        used = [name for _, name, _, _ in string.Formatter().parse(_ENV.sub("", text)) if name is not None]
        unknown = [name for name in used if name not in PLACEHOLDERS]
        if unknown:
            _refuse(adapter, field, f"unknown placeholder {{{unknown[0]}}} in {text!r}; known: "
                                    + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS) + ", {env:NAME}")
    install = adapter.spec.get("install", {})
    listed = [(["spec", "install", key], key, install.get(key, [])) for key in ("crds", "manifests")]
    listed.append((["spec", "previousRelease", "crds"], "crds", adapter.spec.get("previousRelease", {}).get("crds", [])))
    for where, key, texts in listed:
        for index, text in enumerate(texts):
            field = [*where, index]
            if any(name not in _PATH_PLACEHOLDERS for _, name, _, _ in string.Formatter().parse(_ENV.sub("", text)) if name):
                _refuse(adapter, field, f"{text!r}: a path may use only {{repo}}, {{adapter_dir}} and {{env:NAME}}")
            filled = adapter.install_path(text)
            if not filled.exists():
                _refuse(adapter, field, f"{text!r} does not exist ({filled})")
            if key == "crds":
                try:
                    load_crds(filled, allow_empty=True)
                except InputError as error:
                    _refuse(adapter, field, f"{text!r} holds what the API server would not take as CRDs: {error}")
    claims = set(adapter.features)
    flag = adapter.spec.get("featureFlag") or {}
    if "PromotionFeatureFlag" in claims:
        if adapter.mode == "process" and not flag.get("env"):
            _refuse(adapter, ["spec", "features"], "claims PromotionFeatureFlag, so featureFlag.env must name the "
                                                   "variable that turns promotion on and off")
        if adapter.mode == "in-cluster" and not (flag.get("disable") and flag.get("enable")):
            _refuse(adapter, ["spec", "features"], "claims PromotionFeatureFlag, so featureFlag.disable and "
                                                   "featureFlag.enable must give the commands that turn promotion off and on")
    if "PromotionExactlyOnce" in claims and adapter.mode != "process":
        _refuse(adapter, ["spec", "features"], "claims PromotionExactlyOnce, whose two-replica scenario starts a "
                                               "second process of the implementation: it needs run.mode process")
    if "PromotionObservability" in claims and adapter.mode == "in-cluster" and not adapter.spec["run"].get("pods"):
        _refuse(adapter, ["spec", "run"], "claims PromotionObservability, whose scenarios check that the implementation "
                                          "did not crash: run.pods must name its pods (namespace and labelSelector)")


def _strings(node, field: list):
    """(field path, text) of every string in the spec where a placeholder is filled in."""
    if isinstance(node, str):
        yield field, node
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, [*field, index])
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in ("implementation", "features", "requirements", "env"):
                yield from _strings(value, [*field, key])


def _refuse(adapter: Adapter, field: list, message: str) -> None:
    dotted = ".".join(str(part) for part in field)
    raise ConfigError(f"{adapter.path}:{line_of(adapter.path, field)}: field {dotted}: {message}")
