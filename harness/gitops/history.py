"""The GitOps repository's history, read from the server's bare repository: the evidence of what
was released and promoted, written by Git and the promotion scripts, never by the implementation.

Each commit is read with every stage's release.yaml as it stood at that commit, and the stages
whose release.yaml it changed (compared with its first parent; the seed changes all of them).
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.gitops.git_server import BRANCH, GitServerError, git
from harness.gitops.repository import RELEASE, folder, release_data

_FIELD, _RECORD = "\x00", "\x1e"  # what %x00 and %x1e of the log format print


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    subject: str
    author: str
    committed: float  # the committer's clock (seconds)
    releases: dict[str, dict]  # stage → the data of its release.yaml at this commit ({} if absent)
    changed: frozenset[str]  # stages whose release.yaml this commit changed

    def version(self, stage: str) -> str:
        return str(self.releases.get(stage, {}).get("version", ""))


def read(repository: Path, stages: list[str]) -> list[Commit]:
    """Every commit of the branch, parents before children."""
    try:
        log = git("log", "--reverse", "--topo-order", "--format=%H%x00%P%x00%an%x00%ct%x00%s%x1e", BRANCH, cwd=repository)
    except GitServerError:
        return []  # nothing pushed yet
    entries = [record.strip("\n").split(_FIELD) for record in log.split(_RECORD) if record.strip()]
    files = _release_files(repository, [(sha, stage) for sha, *_ in entries for stage in stages])
    commits: dict[str, Commit] = {}
    for sha, parents, author, committed, subject in entries:
        releases = {stage: files[(sha, stage)] for stage in stages}
        first_parent = commits.get(parents.split()[0]) if parents else None
        changed = frozenset(s for s in stages if first_parent is None or first_parent.releases.get(s) != releases[s])
        commits[sha] = Commit(sha, tuple(parents.split()), subject, author, float(committed), releases, changed)
    return list(commits.values())


def _release_files(repository: Path, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Every (commit, stage)'s release.yaml data, through one `git cat-file --batch`."""
    request = "".join(f"{sha}:{folder(stage)}/{RELEASE}\n" for sha, stage in wanted).encode()
    output = subprocess.run(["git", "cat-file", "--batch"], cwd=repository, input=request, capture_output=True,
                            check=True).stdout
    found, position = {}, 0
    for key in wanted:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        position = header_end + 1
        if header[-1] == b"missing":
            found[key] = {}
            continue
        size = int(header[2])
        found[key] = release_data(output[position:position + size].decode())
        position += size + 1
    return found


def ancestors(commits: list[Commit], sha: str) -> set[str]:
    """`sha` and every commit it descends from."""
    by_sha = {commit.sha: commit for commit in commits}
    seen, todo = set(), [sha]
    while todo:
        current = todo.pop()
        if current in seen or current not in by_sha:
            continue
        seen.add(current)
        todo.extend(by_sha[current].parents)
    return seen
