"""Judges of a multi-stage GitOps promotion (features/gitops), from evidence the implementation does
not write: the GitOps repository's history (written by Git, the release and the promotion scripts),
the revisions Flux applied in each stage (Kustomization status, watched), and the app versions,
tasks and Jobs of each stage's namespace as the cluster holds them.

A *promotion commit* into stage T for version v is a commit (not the seed) that changed T's
release.yaml and left T at v. Each judge fails with what it expected and what it found.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from harness.gitops.history import Commit, ancestors
from harness.gitops.pipeline import version_key
from harness.gitops.repository import PROMOTE_TASK
from harness.judges import app_versions


def _short(commits: Iterable[Commit]) -> str:
    return ", ".join(f"{c.sha[:8]} {c.subject!r}" for c in commits) or "none"


def promotion_commits(commits: list[Commit], stage: str, version: str) -> list[Commit]:
    return [c for c in commits if c.parents and stage in c.changed and c.version(stage) == version]


def each_boundary_must_have_one_commit(commits: list[Commit], boundaries: list[tuple[str, str]], version: str) -> None:
    """Exactly one promotion commit per stage boundary for `version`: not none, not two."""
    problems = []
    for from_stage, to_stage in boundaries:
        found = promotion_commits(commits, to_stage, version)
        if len(found) != 1:
            problems.append(f"{from_stage} → {to_stage}: {len(found)} commits ({_short(found)})")
    assert not problems, (f"expected exactly one promotion commit of {version} per stage boundary; "
                          + "; ".join(problems))


def must_not_be_promoted_twice(commits: list[Commit], boundaries: list[tuple[str, str]], version: str) -> None:
    """At most one promotion commit of `version` per stage boundary (a version may stop before one)."""
    twice = [f"{a} → {b}: {_short(found)}" for a, b in boundaries
             if len(found := promotion_commits(commits, b, version)) > 1]
    assert not twice, f"{version} was promoted more than once across a stage boundary: " + "; ".join(twice)


def stage_must_not_receive(commits: list[Commit], stage: str, version: str) -> None:
    found = promotion_commits(commits, stage, version)
    assert not found, f"{version} must never have been promoted to {stage}, but the repository has {_short(found)}"


def stage_must_end_at(commits: list[Commit], stage: str, version: str) -> None:
    assert commits, "the repository has no commits"
    assert commits[-1].version(stage) == version, (
        f"{stage} should end at {version}; the repository's head {commits[-1].sha[:8]} has it at "
        f"{commits[-1].version(stage) or 'no version'}")


def first_parent_chain(commits: list[Commit]) -> list[Commit]:
    """The branch as it moved: the head, its first parent, ... back to the seed (oldest first)."""
    by_sha = {c.sha: c for c in commits}
    chain, current = [], commits[-1] if commits else None
    while current is not None:
        chain.append(current)
        current = by_sha.get(current.parents[0]) if current.parents else None
    return list(reversed(chain))


def must_never_go_back(versions: list[tuple[str, str]], what: str) -> None:
    """`versions` is (where, version) in the order they came; a version older than one before it
    means the stage went back."""
    highest, where_highest = None, ""
    for where, version in versions:
        if highest is not None and version_key(version) < version_key(highest):
            raise AssertionError(f"{what} went back from {highest} ({where_highest}) to {version} ({where}); "
                                 f"sequence: {' → '.join(v for _, v in versions)}")
        if highest is None or version_key(version) > version_key(highest):
            highest, where_highest = version, where
    assert versions, f"{what}: nothing seen"


def keptn_app_versions(observations: list) -> list[tuple[str, str]]:
    """The stage's KeptnApp `spec.version`, each time it changed, as the scenario's watch saw it."""
    seen: list[tuple[str, str]] = []
    for observation in observations:
        version = ((observation.object.get("spec") or {}).get("version"))
        if observation.type != "DELETED" and version and (not seen or seen[-1][1] != version):
            seen.append((f"KeptnApp generation {observation.object['metadata'].get('generation')}", version))
    return seen


def history_versions(commits: list[Commit], stage: str) -> list[tuple[str, str]]:
    """The stage's version at each commit of the branch, in the order the branch moved."""
    return [(c.sha[:8], c.version(stage)) for c in first_parent_chain(commits)]


def applied_versions(commits: list[Commit], applied: list[tuple[float, str]], stage: str) -> list[tuple[str, str]]:
    """The stage's version in each revision Flux applied there, in the order it applied them."""
    by_sha = {c.sha: c for c in commits}
    unknown = [sha for _, sha in applied if sha not in by_sha]
    assert not unknown, f"Flux applied revisions the repository does not have: {[s[:8] for s in unknown]}"
    return [(f"applied {sha[:8]}", by_sha[sha].version(stage)) for _, sha in applied]


def flux_must_have_applied(commits: list[Commit], applied: list[tuple[float, str]], stage: str, version: str) -> float:
    """Flux applied, in `stage`, a revision that holds `version` there; returns when it was seen."""
    for (at, _), (_, seen) in zip(applied, applied_versions(commits, applied, stage)):
        if seen == version:
            return at
    raise AssertionError(f"Flux never applied {version} in {stage}; it applied "
                         f"{[v for _, v in applied_versions(commits, applied, stage)]}")


def flux_must_not_have_applied(commits: list[Commit], applied: list[tuple[float, str]], stage: str, version: str) -> None:
    seen = [v for _, v in applied_versions(commits, applied, stage)]
    assert version not in seen, f"Flux applied {version} in {stage} (it applied {seen}); it must never have"


def commit_must_be_visible(commits: list[Commit], applied_in_from: list[tuple[float, str]], from_stage: str,
                           to_version: dict) -> str:
    """The app version of the next stage names, in its metadata `commitID`, the commit that brought
    its version to `from_stage`: a commit of the repository that holds that version in `from_stage`,
    which Flux applied there (it, or a later revision with the same release of `from_stage`)."""
    spec = to_version.get("spec") or {}
    version, name = spec.get("version"), to_version["metadata"]["name"]
    commit_id = (spec.get("metadata") or {}).get("commitID")
    by_sha = {c.sha: c for c in commits}
    assert commit_id in by_sha, (f"KeptnAppVersion {name} names commitID {commit_id!r} in spec.metadata, which is not "
                                 f"a commit of the repository")
    source = by_sha[commit_id]
    assert source.version(from_stage) == version, (
        f"KeptnAppVersion {name} ({version}) names commit {commit_id[:8]}, where {from_stage} runs "
        f"{source.version(from_stage)}, not {version}")
    applied_there = [sha for _, sha in applied_in_from
                     if commit_id in ancestors(commits, sha) and by_sha[sha].releases.get(from_stage) == source.releases.get(from_stage)]
    assert applied_there, (f"commit {commit_id[:8]} named by KeptnAppVersion {name} was never applied by Flux in "
                           f"{from_stage} (applied there: {[s[:8] for _, s in applied_in_from]})")
    return commit_id


def context_must_carry(job: dict, key: str, value: str) -> None:
    """The task's KEPTN_CONTEXT (the Job's container env) carries metadata `key` = `value`."""
    containers = (((job.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    env = {e.get("name"): e.get("value") for c in containers for e in c.get("env") or []}
    name = job["metadata"]["name"]
    assert "KEPTN_CONTEXT" in env, f"Job {name} has no KEPTN_CONTEXT in its container env"
    try:
        metadata = json.loads(env["KEPTN_CONTEXT"]).get("metadata") or {}
    except (ValueError, AttributeError):
        raise AssertionError(f"Job {name}: KEPTN_CONTEXT is not a JSON object: {env['KEPTN_CONTEXT'][:200]}") from None
    assert metadata.get(key) == value, (f"Job {name}: KEPTN_CONTEXT metadata.{key} should be {value!r}, "
                                        f"is {metadata.get(key)!r} (metadata: {metadata})")


# -- over a running pipeline (harness.gitops.running.PipelineRun): its evidence, then the judges above --


def no_stage_went_back(run) -> None:
    """No stage ever moved to an older version: not along the repository's branch, not in the
    revisions Flux applied there, not in the KeptnApp the stage's namespace held."""
    commits = run.history()
    for stage in run.pipeline.stage_names:
        must_never_go_back(history_versions(commits, stage), f"{stage} in the repository")
        must_never_go_back(applied_versions(commits, run.applied(stage), stage), f"{stage} as Flux applied it")
        must_never_go_back(keptn_app_versions(run.recorders[stage].seen("KeptnApp")), f"the KeptnApp of {stage}")


def no_version_promoted_twice(run) -> None:
    commits = run.history()
    for version in run.pipeline.versions:
        must_not_be_promoted_twice(commits, run.pipeline.boundaries(), version)


def reached_versions_must_have_one_commit_per_boundary(commits: list[Commit], boundaries: list[tuple[str, str]],
                                                        versions: list[str], last: str) -> list[str]:
    """Some released version reached the last stage, and each that did has exactly one promotion
    commit per stage boundary; returns those versions."""
    reached = [version for version in versions if promotion_commits(commits, last, version)]
    assert reached, f"no released version reached {last}"
    for version in reached:
        each_boundary_must_have_one_commit(commits, boundaries, version)
    return reached


def commits_must_be_visible(run, version: str) -> None:
    """Across every stage boundary S → T, T's app version of `version` names the commit Flux applied
    in S (spec.metadata.commitID), and so does T's promotion task, in its KEPTN_CONTEXT."""
    commits = run.history()
    for from_stage, to_stage in run.pipeline.boundaries():
        site = run.sites[to_stage]
        to_version = app_versions.latest_app_version(site.kube, site.namespace, run.pipeline.app, version=version)
        commit_id = commit_must_be_visible(commits, run.applied(from_stage), from_stage, to_version)
        if run.pipeline.next_stage(to_stage):
            context_must_carry(promotion_job(run.recorders[to_stage], to_version), "commitID", commit_id)


def promotion_job(recorder, app_version: dict) -> dict:
    """The Job of the app version's promotion KeptnTask that promotes (its `promote` definition), as
    the scenario's watch saw it (it is there after ttlSecondsAfterFinished removed it)."""
    uid = app_version["metadata"]["uid"]
    tasks = recorder.ever("KeptnTask", lambda t: (t.get("spec") or {}).get("checkType") == "promotion"
                          and (t.get("spec") or {}).get("taskDefinition") == PROMOTE_TASK
                          and uid in _owners(t))
    assert tasks, f"no promotion KeptnTask of {PROMOTE_TASK!r} was seen for {app_version['metadata']['name']}"
    task_uids = {t["metadata"]["uid"] for t in tasks}
    jobs = recorder.ever("Job", lambda j: bool(task_uids & set(_owners(j))))
    assert jobs, f"no Job was seen for the promotion KeptnTask(s) {[t['metadata']['name'] for t in tasks]}"
    return jobs[0]


def _owners(obj: dict) -> list[str]:
    return [ref.get("uid") for ref in obj["metadata"].get("ownerReferences") or []]


_ITEM_KINDS = {"EvaluationTaskStatus": "KeptnEvaluation", "TaskStatus": "KeptnTask"}  # longest suffix first


def stage_must_say_why(kube, namespace: str, version: dict, words: list[str], timeout: float | None = None) -> str:
    """A stage says why a version failed (contract C9.3): the version's status message or an event
    about it names every one of `words` (harness.library.lookups.said_about), or so does an
    event or status message of a failed item the version names in its phase lists (the KeptnTask
    or KeptnEvaluation of `status.<phase>TaskStatus[].name`): Keptn says it on the failed
    KeptnEvaluation, "evaluation of 'error-rate' failed with value '5' …". Returns what said it."""
    from harness.eventually import NotYet, eventually
    from harness.library.lookups import said_about

    name = version["metadata"]["name"]

    def check() -> str:
        current = kube.get("KeptnAppVersion", name, namespace) or version
        sources = [("KeptnAppVersion", name)]
        for key, items in (current.get("status") or {}).items():
            kind = next((kind for suffix, kind in _ITEM_KINDS.items() if key.endswith(suffix)), None)
            if kind and isinstance(items, list):
                sources += [(kind, item["name"]) for item in items if item.get("name") and item.get("status") == "Failed"]
        heard = []
        for kind, source in sources:
            for text in said_about(kube, namespace, kind, source):
                if all(word in text for word in words):
                    return f"{kind} {source}: {text}"
                heard.append(f"{kind} {source}: {text}")
        raise NotYet(f"neither KeptnAppVersion {name} nor a failed item it names ({', '.join(s for _, s in sources[1:]) or 'none'}) "
                     f"names {words} in its status message or events; they say: {heard}")

    return eventually(check, f"{namespace} to say why KeptnAppVersion {name} failed ({', '.join(words)})", timeout)
