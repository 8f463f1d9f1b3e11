"""The adapter of a mutant, generated into its run folder: the reference's own adapter
(harness/implementations/reference.yaml) with one change, so a mutant is a module and a line of
matrix.yaml, never a copy of the adapter that could drift from the reference's.

- a change of the controller (`change: module:function`): the reference runs through launch.py,
  which installs the change before the controller's `main`;
- a change of the CRDs (`crdChange: module:function`): the reference's CRDs, each passed through
  the function, are written beside the adapter and installed instead.
Its name says nothing: the suite judges behaviour only.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import yaml

from harness.implementations.adapter import DEFAULT as REFERENCE_ADAPTER
from harness.paths import REPO

HERE = Path(__file__).resolve().parent
CRDS = REPO / "fixtures" / "crds" / "current"


def function(change: str):
    """`module:function` under tests/mutants/ → the function (tests/ must be on sys.path)."""
    module, name = change.split(":")
    return getattr(importlib.import_module(f"mutants.{module}"), name)


def write(name: str, change: str, crd_change: str, folder: Path) -> Path:
    """Write the mutant's adapter (and, for a CRD change, its CRDs) into `folder`; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    adapter = yaml.safe_load(REFERENCE_ADAPTER.read_text())
    adapter["metadata"]["name"] = "promotion-controller"
    spec = adapter["spec"]
    if change:
        module, function_name = change.split(":")
        spec["run"]["command"] = ["{python}", str(HERE / "launch.py"), f"mutants.{module}:{function_name}",
                                  *spec["run"]["command"][3:]]  # the reference's flags after `-m harness.controller`
    if crd_change:
        changed = function(crd_change)
        crds = folder / "crds"
        crds.mkdir(exist_ok=True)
        for source in sorted(CRDS.glob("*.yaml")):
            documents = [d for d in yaml.safe_load_all(source.read_text()) if d]
            for document in documents:
                changed(document)
            (crds / source.name).write_text(yaml.safe_dump_all(documents, sort_keys=False))
        spec["install"]["crds"] = ["{adapter_dir}/crds"]
    path = folder / f"{name}.yaml"
    path.write_text(f"# The reference with one rule broken: mutant {name} of tests/mutants/matrix.yaml.\n"
                    + yaml.safe_dump(adapter, sort_keys=False))
    return path
