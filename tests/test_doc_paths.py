"""Every repository path the README, `docs/` and the package docstrings name in back-ticks exists:
a reader who follows one lands on a file, not on where a file used to be."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from harness.paths import REPO

TOP = ("harness/", "features/", "steps/", "fixtures/", "tests/", "docs/", "examples/", "clusters/", ".ci/")
_TICKED = re.compile(r"`([^`\s]+)`")


def named_paths(text: str) -> set[str]:
    """The back-ticked words of `text` that are paths of this repository: they start with one of its
    top-level folders, hold no placeholder (`<run-id>`, `{repo}`, `*`) and are no command line."""
    found = set()
    for word in _TICKED.findall(text):
        word = re.sub(r"(:\d+(-\d+)?|#L\d+)$", "", word).rstrip(".,;:")
        if word.startswith(TOP) and not re.search(r"[<>{}*$]", word):
            found.add(word)
    return found


def _texts() -> dict[str, str]:
    texts = {"README.md": (REPO / "README.md").read_text()}
    texts |= {str(p.relative_to(REPO)): p.read_text() for p in sorted((REPO / "docs").rglob("*.md"))}
    for module in sorted((REPO / "harness").rglob("*.py")):
        docstring = ast.get_docstring(ast.parse(module.read_text()))
        if docstring:
            texts[str(module.relative_to(REPO))] = docstring
    return texts


def test_the_scan_finds_paths_and_leaves_placeholders_and_commands_out():
    assert named_paths("see `harness/contract/rules.yaml` and `docs/contract.md`, run `reports/<run-id>/` "
                       "or `tests/mutants/{name}.py` or `make test`") == {"harness/contract/rules.yaml", "docs/contract.md"}
    assert len(set().union(*map(named_paths, _texts().values()))) >= 50  # a broken scan finds nothing and passes


def test_every_path_a_document_names_exists():
    missing = sorted(f"{where}: {path}" for where, text in _texts().items() for path in named_paths(text)
                     if not (REPO / path).exists())
    assert not missing, "back-ticked paths that do not exist:\n" + "\n".join(missing)
