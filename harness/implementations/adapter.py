"""Reading an implementation adapter file: validated against its JSON Schema, errors with file and line.

An adapter file tells the suite who made an implementation, how to install, start, stop and kill
it, how to turn its promotion feature flag off, and which conformance features it claims.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harness.paths import REPO
from harness.validated_yaml import load_validated

SCHEMA = json.loads((Path(__file__).parent / "implementation.schema.json").read_text())
BUILTIN = Path(__file__).parent
DEFAULT = BUILTIN / "reference.yaml"


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

    def placeholders(self, kubeconfig: Path, log_dir: Path) -> dict[str, str]:
        """What `{name}` in the adapter's commands stands for."""
        import sys

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
    return Adapter(path=Path(path).resolve(), name=document["metadata"]["name"], spec=document["spec"])
