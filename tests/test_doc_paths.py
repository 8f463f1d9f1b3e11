"""What the README, `docs/`, the feature files and the package docstrings name exists: every
back-ticked repository path (a reader who follows one lands on a file, not on where a file used to
be), every Python file named without its folder (a sibling of the module whose docstring names it;
the README and `docs/` give the whole path), and every environment variable (some file that is not
documentation reads it). And the README and `docs/` name no commit of this repository: a hash
says nothing to a reader and goes stale; a date, a run ID or a tag does not."""
from __future__ import annotations

import ast
import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.paths import REPO

TOP = ("harness/", "features/", "steps/", "fixtures/", "tests/", "docs/", "examples/", "clusters/", ".ci/")
_TICKED = re.compile(r"`([^`\s]+)`")
_VARIABLE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_HEX = re.compile(r"(?<![\w/.@:-])[0-9a-f]{7,40}(?![\w/.-])")
_AFTER_COMMIT = re.compile(r"\bcommits?\s+`?([0-9a-f]{7,40})\b")
DOCUMENTATION = (".md", ".feature")
# Keptn's checkout that docs/implementations/keptn.md measured: another repository's commit, named once.
CHECKOUTS_MEASURED = {"docs/implementations/keptn.md": {"40e195d"}}


def _strip(word: str) -> str:
    return re.sub(r"(:\d+(-\d+)?|#L\d+)$", "", word).rstrip(".,;:")


def named_paths(text: str) -> set[str]:
    """The back-ticked words of `text` that are paths of this repository: they start with one of its
    top-level folders, hold no placeholder (`<run-id>`, `{repo}`, `*`) and are no command line."""
    found = set()
    for word in map(_strip, _TICKED.findall(text)):
        if word.startswith(TOP) and not re.search(r"[<>{}*$]", word):
            found.add(word)
    return found


def bare_python_files(text: str) -> set[str]:
    """The back-ticked Python file names of `text` given without a folder (`phases.py`)."""
    return {word for word in map(_strip, _TICKED.findall(text)) if re.fullmatch(r"[\w-]+\.py", word)}


def variables(text: str) -> set[str]:
    """The environment-variable-like words of `text`: upper case with an underscore (`SIM_RUN_FOR`)."""
    return set(_VARIABLE.findall(text))


def commit_like(text: str) -> set[str]:
    """Words of `text` that may be commits: hexadecimal, 7 to 40 digits, letters and figures both."""
    words = {w for w in _HEX.findall(text) if re.search(r"[a-f]", w) and re.search(r"\d", w)}
    return words | set(_AFTER_COMMIT.findall(text))


@functools.cache
def _documents() -> dict[str, str]:
    """README and `docs/`: hand-written pages and generated ones alike."""
    texts = {"README.md": (REPO / "README.md").read_text()}
    texts |= {str(p.relative_to(REPO)): p.read_text() for p in sorted((REPO / "docs").rglob("*.md"))}
    return texts


@functools.cache
def _docstrings() -> dict[str, str]:
    texts = {}
    for module in sorted((REPO / "harness").rglob("*.py")):
        docstring = ast.get_docstring(ast.parse(module.read_text()))
        if docstring:
            texts[str(module.relative_to(REPO))] = docstring
    return texts


@functools.cache
def _features() -> dict[str, str]:
    return {str(p.relative_to(REPO)): p.read_text() for p in sorted((REPO / "features").rglob("*.feature"))}


def _texts() -> dict[str, str]:
    return _documents() | _docstrings() | _features()


def _tracked_files() -> list[Path]:
    if shutil.which("git") and (REPO / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True).stdout
        return [REPO / name for name in listed.splitlines()]
    return [p for p in REPO.rglob("*") if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts]


def _without_docstrings(source: str) -> str:
    """A module's source less the lines of its docstrings, so that a variable only a docstring names
    counts as named by documentation, not as read."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines[first.lineno - 1:first.end_lineno] = [""] * (first.end_lineno - first.lineno + 1)
    return "\n".join(lines)


@functools.cache
def _code() -> str:
    """Every file of the checkout that is not documentation (nor this test), Python without its docstrings."""
    parts = []
    for path in _tracked_files():
        if path.suffix in DOCUMENTATION or path == Path(__file__).resolve() or not path.is_file():
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        parts.append(_without_docstrings(text) if path.suffix == ".py" else text)
    return "\n".join(parts)


def _commits_of_this_repository(words: set[str]) -> set[str]:
    if not words or not shutil.which("git") or not (REPO / ".git").exists():
        return set()
    ordered = sorted(words)
    answer = subprocess.run(["git", "cat-file", "--batch-check"], cwd=REPO, capture_output=True, text=True,
                            input="".join(f"{w}^{{commit}}\n" for w in ordered), check=True).stdout.splitlines()
    return {w for w, line in zip(ordered, answer) if not line.endswith("missing") and "ambiguous" not in line}


def test_the_scan_finds_paths_and_leaves_placeholders_and_commands_out():
    assert named_paths("see `harness/contract/rules.yaml` and `docs/contract.md`, run `reports/<run-id>/` "
                       "or `tests/mutants/{name}.py` or `make test`") == {"harness/contract/rules.yaml", "docs/contract.md"}
    assert len(set().union(*map(named_paths, _texts().values()))) >= 50  # a broken scan finds nothing and passes


def test_the_scans_find_bare_file_names_variables_and_commits():
    assert bare_python_files("`phases.py` (the tables), `harness/contract/states.py`, `pytest -q`") == {"phases.py"}
    assert variables("`make soak` (PROMOTION_SOAK=1), `SIM_RUN_FOR=5s`, a KeptnApp, HTTP") == {"PROMOTION_SOAK", "SIM_RUN_FOR"}
    assert commit_like("at commit `148cce5`, fixed in 43b8d38; run 20261203-102014-30667, version "
                       "checkout-1.0.0-6b86b273, digest sha256:4e07408562bedb8b60ce05c1decfe3ad16b72230") == {"148cce5", "43b8d38"}
    assert commit_like("commit 1234567 and commit `abcdefa`") == {"1234567", "abcdefa"}


def test_every_path_a_document_names_exists():
    missing = sorted(f"{where}: {path}" for where, text in _texts().items() for path in named_paths(text)
                     if not (REPO / path).exists())
    assert not missing, "back-ticked paths that do not exist:\n" + "\n".join(missing)


_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def linked_files(text: str) -> set[str]:
    """The relative targets of the Markdown links of `text` (web addresses left out)."""
    return {target for target in _LINK.findall(text) if not re.match(r"[a-z]+:", target)}


def test_every_relative_link_of_the_readme_and_docs_lands_on_a_file():
    assert linked_files("[a](docs/kind.md#x), [b](https://example.com/y), [c](../README.md)") == {"docs/kind.md", "../README.md"}
    broken = sorted(f"{where}: {target}" for where, text in _documents().items() for target in linked_files(text)
                    if not ((REPO / where).parent / target).exists())
    assert not broken, "links to files that do not exist:\n" + "\n".join(broken)


def test_a_python_file_is_named_by_its_path_or_is_a_sibling_of_the_module_that_names_it():
    wrong = []
    for where, text in _texts().items():
        for name in bare_python_files(text):
            if where.startswith("harness/"):
                if not (REPO / where).parent.joinpath(name).exists():
                    wrong.append(f"{where}: `{name}` is no module beside it; name it by its path")
            else:
                wrong.append(f"{where}: `{name}` without its folder; name it by its path (harness/...)")
    assert not wrong, "\n".join(sorted(wrong))


def test_every_variable_a_document_names_is_read_somewhere():
    code = _code()
    assert "PROMOTION_TASKS_ENABLED" in code  # a broken reader finds nothing and every variable looks stale
    unread = sorted(f"{where}: {name}" for where, text in _texts().items() for name in variables(text)
                    if not re.search(rf"(?<![A-Z0-9_]){name}(?![A-Z0-9_])", code))
    assert not unread, "variables no file reads (renamed or gone?):\n" + "\n".join(unread)


@pytest.mark.skipif(not (REPO / ".git").exists() or not shutil.which("git"), reason="not a git checkout")
def test_the_readme_and_docs_name_no_commit_of_this_repository():
    named = {}
    for where, text in _documents().items():
        for word in commit_like(text) - CHECKOUTS_MEASURED.get(where, set()):
            named.setdefault(word, []).append(where)
    found = _commits_of_this_repository(set(named)) | {
        word for where, text in _documents().items() for word in set(_AFTER_COMMIT.findall(text)) - CHECKOUTS_MEASURED.get(where, set())}
    hashes = sorted(f"{where}: {word}" for word in found for where in named[word])
    assert not hashes, "commit hashes in prose (say the date, the run ID or the tag instead):\n" + "\n".join(hashes)


def test_the_commit_check_knows_a_commit_of_this_repository_when_it_sees_one():
    if not (REPO / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    head = subprocess.run(["git", "rev-parse", "--short=9", "HEAD"], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()
    assert _commits_of_this_repository({head, "0000000"}) == {head}
