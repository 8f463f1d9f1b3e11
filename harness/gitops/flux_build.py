"""How the toolchain builds a Flux controller from the Go module proxy (its recipe "flux").

A Flux controller's go.mod replaces its own API module with the local folder `./api` and pins a
few dependencies with replace directives; replace directives apply only to the main module, so a
module that merely requires the controller gets neither. The throw-away wrapper module the
toolchain builds in therefore gets, read from the controller's own go.mod (`go mod edit -json`):

- every versioned replace, as written (go-digest, kustomize's api and kyaml, ...);
- for every local replace (`<controller>/api => ./api`), a require of the published module at the
  version the controller requires (`github.com/fluxcd/source-controller/api v1.9.4`);
- the pins the project's Go module proxy needs (`MIRROR_PINS`, see docs/gitops.md): a version it
  refuses replaced by one it serves.
"""
from __future__ import annotations

import json

from harness.clusters.toolchain import ToolchainError

# Versions this project's Go module proxy refuses (403 "This module version is not available"),
# replaced by the nearest one it lists and with which the controller builds and runs.
MIRROR_PINS: dict[str, tuple[tuple[str, str], ...]] = {
    # source-controller v1.9.4 requires pkg/artifact v0.18.2; the mirror lists v0.3.0 ... v0.18.0.
    "github.com/fluxcd/source-controller": (("github.com/fluxcd/pkg/artifact", "v0.18.0"),),
}


def wrapper_edits(gomod: dict, module: str) -> list[str]:
    """The `go mod edit` flags that make a wrapper module build `module` as its own go.mod
    (`gomod`, as `go mod edit -json` prints it) intends."""
    required = {r["Path"]: r["Version"] for r in gomod.get("Require") or []}
    edits = []
    for replace in gomod.get("Replace") or []:
        old, new = replace["Old"], replace["New"]
        if new.get("Version"):
            edits.append(f"-replace={_at(old)}={new['Path']}@{new['Version']}")
        elif new["Path"].startswith("."):  # a folder of the controller's repository: its published module
            if old["Path"] not in required:
                raise ToolchainError(f"{module}'s go.mod replaces {old['Path']} with {new['Path']} but requires no version of it")
            edits.append(f"-require={old['Path']}@{required[old['Path']]}")
    for path, version in MIRROR_PINS.get(module, ()):
        edits.append(f"-replace={path}={path}@{version}")
    return edits


def _at(old: dict) -> str:
    return f"{old['Path']}@{old['Version']}" if old.get("Version") else old["Path"]


def prepare_wrapper(run, module: str, version: str) -> None:
    """Give the wrapper module (already `go mod init`ed) what `module@version`'s go.mod intends;
    `run` runs a command in it and returns its output (the toolchain's runner)."""
    downloaded = _json(run(["go", "mod", "download", "-json", f"{module}@{version}"]))
    gomod = _json(run(["go", "mod", "edit", "-json", downloaded["GoMod"]]))
    run(["go", "mod", "edit", *wrapper_edits(gomod, module)])


def _json(output: str) -> dict:
    """The JSON object a go command printed (the runner's output also holds its stderr lines,
    such as `go: downloading ...`, before it)."""
    return json.loads(output[output.index("{"):])
