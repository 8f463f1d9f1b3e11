"""A test that needs built binaries or a browser says so with the `cluster` marker, so that
`pytest tests -m "not cluster"` is the fast part: a skip on a binary the toolchain builds, on
Chromium or on jq, without the marker, fails here (git, which every checkout has, is not one)."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
NEEDS_BINARIES = ("toolchain.locate", "which('chromium')", "which('jq')")


def _marked_cluster(decorators: list[ast.expr]) -> bool:
    return any("pytest.mark.cluster" in ast.unparse(d) for d in decorators)


def unmarked(source: str) -> list[str]:
    """Names of the tests (or `pytestmark`) skipped for a missing binary without the cluster marker."""
    tree = ast.parse(source)
    wrong = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            text = ast.unparse(node.value)
            if any(n in text for n in NEEDS_BINARIES) and "pytest.mark.cluster" not in text:
                wrong.append("pytestmark")
        if isinstance(node, ast.FunctionDef):
            skips = [d for d in node.decorator_list if "skipif" in ast.unparse(d)]
            if any(n in ast.unparse(d) for d in skips for n in NEEDS_BINARIES) and not _marked_cluster(node.decorator_list):
                wrong.append(node.name)
    return wrong


def test_a_skip_for_a_missing_binary_without_the_marker_is_found():
    source = ("import pytest, shutil\n"
              "@pytest.mark.skipif(shutil.which('jq') is None, reason='no jq')\ndef test_x(): pass\n"
              "@pytest.mark.cluster\n@pytest.mark.skipif(shutil.which('jq') is None, reason='no jq')\ndef test_y(): pass\n"
              "pytestmark = pytest.mark.skipif(toolchain.locate('etcd') is None, reason='')\n")
    assert unmarked(source) == ["test_x", "pytestmark"]


def test_every_test_that_needs_binaries_is_marked_cluster():
    wrong = [f"{path.relative_to(TESTS.parent)}: {name}" for path in sorted(TESTS.rglob("test_*.py"))
             for name in unmarked(path.read_text())]
    assert not wrong, "mark these @pytest.mark.cluster:\n" + "\n".join(wrong)
