"""The GitOps repository of a pipeline: one folder per stage, seeded once, then changed only by
releases (the harness, playing CI, writes the first stage) and promotions (the promotion task's
script writes the next stage).

    stages/<stage>/
      kustomization.yaml  lists the files below; replacements copy release.yaml's values into them
      release.yaml        ConfigMap `release`: the stage's version; after the first stage also the
                          commitID that brought the version to the previous stage, and that
                          stage's traceparent when its promotion task had one (releases and
                          promotions write this file, promotions also trace.yaml)
      trace.yaml          after the first stage: a patch of the KeptnAppContext that links it
                          (spanLinks) to the trace of the previous stage, or, when that stage's
                          promotion task had no trace carrier (tracing off), changes nothing
      app.yaml            the KeptnApp and its one workload, a Deployment
      context.yaml        the KeptnAppContext: task lists, metadata (stage; commitID)
      checks.yaml         KeptnTaskDefinitions (post-deployment check, promotion tasks), and the
                          post-deployment evaluation's KeptnEvaluationDefinition and KeptnMetric

Objects carry no namespace: each stage's Flux Kustomization applies its folder into the stage's
namespace (`targetNamespace`).
"""
from __future__ import annotations

from pathlib import Path

import yaml
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from harness.gitops.git_server import BRANCH, GitServerError, git
from harness.gitops.pipeline import Pipeline, Stage
from harness.library import manifests

RELEASE = "release.yaml"
TRACE = "trace.yaml"
PROMOTE_TASK = "promote"
GIT_TASK_IMAGE = "promotion-conformance/git-task:bookworm"  # on kind: Debian's git and sh (docs/gitops.md)
HOST_RUN = {"name": "SIM_RUN", "value": "host"}  # run by the simulated cluster's host runner
# What a stage's release names before its first promotion: no commit. An empty value cannot be
# used: kustomize's replacements turn "" into null, which the KeptnAppContext schema refuses (and
# Git's all-zero null object id into the number 0). For the same reason a missing trace is no
# empty span link but a trace.yaml that links nothing (contract §5: the carrier is there only when
# tracing is configured).
NO_COMMIT = "none"
RELEASE_ATTEMPTS = 5
_AUTHOR = ["-c", "user.name=promotion-conformance CI", "-c", "user.email=ci@promotion-conformance.invalid"]


def folder(stage: str) -> str:
    return f"stages/{stage}"


def release_yaml(version: str, commit: str | None = None, traceparent: str | None = None) -> str:
    """release.yaml as the promotion script writes it (fixtures/gitops/promote.sh)."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: release", "data:", f'  version: "{version}"']
    if commit is not None:
        lines.append(f'  commitID: "{commit}"')
    if traceparent:
        lines.append(f'  traceparent: "{traceparent}"')
    return "\n".join(lines) + "\n"


def trace_yaml(app: str, traceparent: str | None = None) -> str:
    """trace.yaml as the promotion script writes it: the app context's span link to `traceparent`,
    or, without one, a patch that changes nothing."""
    lines = ["apiVersion: lifecycle.keptn.sh/v1", "kind: KeptnAppContext", "metadata:", f"  name: {app}"]
    if traceparent:
        lines += ["spec:", "  spanLinks:", f'    - "{traceparent}"']
    return "\n".join(lines) + "\n"


def release_data(text: str) -> dict[str, str]:
    """The data of a release.yaml, every value a string."""
    document = yaml.safe_load(text) or {}
    return {key: str(value) for key, value in (document.get("data") or {}).items()}


def refusal_hook(refused) -> str:
    """A pre-receive hook (sh) refusing any push that sets a stage to a version of `refused`
    ((stage, version) pairs): a policy of the server, as a protected branch would have."""
    checks = "".join(
        f'    if [ "$(git show "$new:{folder(stage)}/{RELEASE}" 2>/dev/null | sed -n \'s/^ *version: *"\\{{0,1\\}}'
        f'\\([^"]*\\)"\\{{0,1\\}} *$/\\1/p\')" = "{version}" ]; then\n'
        f'        echo "policy: {version} may not reach {stage}" >&2\n        exit 1\n    fi\n'
        for stage, version in sorted(refused))
    return f"#!/bin/sh\nwhile read old new ref; do\n{checks}done\n"


def stage_files(pipeline: Pipeline, stage: Stage, repo_url: str) -> dict[str, str]:
    """The files of a stage's folder at the seed, every stage at the pipeline's initial version."""
    first = stage.name == pipeline.stage_names[0]
    app = pipeline.app
    workload = manifests.workload_deployment(app, app, pipeline.initial_version, namespace=None)
    documents = {
        "app.yaml": [manifests.app(app, None, pipeline.initial_version,
                                   workloads=[{"name": app, "version": pipeline.initial_version}]), workload],
        "context.yaml": [_context(pipeline, stage)],
        "checks.yaml": _checks(pipeline, stage, repo_url),
    }
    files = {name: yaml.safe_dump_all([_in_git(d) for d in docs], sort_keys=False) for name, docs in documents.items()}
    files[RELEASE] = release_yaml(pipeline.initial_version, None if first else NO_COMMIT)
    if not first:
        files[TRACE] = trace_yaml(pipeline.app)
    files["kustomization.yaml"] = yaml.safe_dump(_kustomization(first), sort_keys=False)
    return files


def _context(pipeline: Pipeline, stage: Stage) -> dict:
    lists = {"postDeploymentTasks": [stage.post_task.name] if stage.post_task else [],
             "postDeploymentEvaluations": [stage.evaluation.metric] if stage.evaluation else [],
             "promotionTasks": ([PROMOTE_TASK] if pipeline.next_stage(stage.name) else [])
             + [task.name for task in stage.promotion_tasks]}
    return manifests.app_context(pipeline.app, None, {k: v for k, v in lists.items() if v}, metadata={"stage": stage.name})


def _checks(pipeline: Pipeline, stage: Stage, repo_url: str) -> list[dict]:
    documents = []
    if stage.post_task:
        documents.append(manifests.task_definition(stage.post_task.name, None, stage.post_task.runs_for,
                                                   stage.post_task.exits_with))
    for task in stage.promotion_tasks:
        documents.append(manifests.task_definition(task.name, None, task.runs_for, task.exits_with, retries=0))
    to_stage = pipeline.next_stage(stage.name)
    if to_stage:
        documents.append(promotion_definition(pipeline.promotion_script, repo_url, stage.name, to_stage))
    if stage.evaluation:
        evaluation = stage.evaluation
        documents += [manifests.metric(evaluation.metric, None),
                      manifests.evaluation_definition(evaluation.metric, None, evaluation.metric, evaluation.target)]
    return documents


def promotion_definition(script: str, repo_url: str, from_stage: str, to_stage: str) -> dict:
    """The KeptnTaskDefinition whose container runs the promotion script (`sh -ec`), with Git."""
    container = {
        "name": PROMOTE_TASK, "image": GIT_TASK_IMAGE, "command": ["sh", "-ec", script],
        "env": [HOST_RUN, {"name": "REPO_URL", "value": repo_url}, {"name": "FROM_STAGE", "value": from_stage},
                {"name": "TO_STAGE", "value": to_stage}],
    }
    return {"apiVersion": manifests.LIFECYCLE, "kind": "KeptnTaskDefinition", "metadata": {"name": PROMOTE_TASK},
            "spec": {"container": container, "retries": 1, "timeout": "2m"}}


def _kustomization(first: bool) -> dict:
    def replace(field: str, kind: str, paths: list[str], create: bool = False) -> dict:
        target = {"select": {"kind": kind}, "fieldPaths": paths}
        if create:
            target["options"] = {"create": True}
        return {"source": {"kind": "ConfigMap", "name": "release", "fieldPath": f"data.{field}"}, "targets": [target]}

    replacements = [{
        "source": {"kind": "ConfigMap", "name": "release", "fieldPath": "data.version"},
        "targets": [
            {"select": {"kind": "KeptnApp"}, "fieldPaths": ["spec.version", "spec.workloads.0.version"]},
            {"select": {"kind": "Deployment"}, "fieldPaths": ["spec.template.metadata.labels.[app.kubernetes.io/version]",
                                                            "spec.template.metadata.labels.[keptn.sh/version]"]},
        ]}]
    kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                     "resources": [RELEASE, "app.yaml", "context.yaml", "checks.yaml"], "replacements": replacements}
    if not first:
        replacements.append(replace("commitID", "KeptnAppContext", ["spec.metadata.commitID"], create=True))
        kustomization["patches"] = [{"path": TRACE}]
    return kustomization


def _in_git(obj):
    """Without namespaces and unset fields: Flux puts every object into its stage's namespace."""
    if isinstance(obj, dict):
        return {k: _in_git(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_in_git(v) for v in obj]
    return obj


class Workspace:
    """A clone of the repository where the harness writes as a person or CI would: the seed, then
    releases into the first stage. Every change is one commit and one push over HTTP."""

    def __init__(self, url: str, path: Path):
        self.url = url
        self.path = path

    def seed(self, pipeline: Pipeline) -> str:
        self.path.mkdir(parents=True)
        git("init", "--quiet", f"--initial-branch={BRANCH}", cwd=self.path)
        git("remote", "add", "origin", self.url, cwd=self.path)
        for stage in pipeline.stages:
            base = self.path / folder(stage.name)
            base.mkdir(parents=True)
            for name, text in stage_files(pipeline, stage, self.url).items():
                (base / name).write_text(text)
        return self._commit_and_push(f"seed {pipeline.app} {pipeline.initial_version} in every stage")

    def release(self, app: str, stage: str, version: str) -> str:
        """CI releases `version` into `stage` (the first one); returns the commit. A push that loses
        the race to a promotion task's push (main moved after the fetch: "cannot lock ref", "fetch
        first") is made again on the new main, as CI would; a fifth refusal is an error."""
        for attempt in Retrying(stop=stop_after_attempt(RELEASE_ATTEMPTS),
                                retry=retry_if_exception_type(GitServerError), reraise=True):
            with attempt:
                git("fetch", "--quiet", "origin", BRANCH, cwd=self.path)
                git("reset", "--quiet", "--hard", f"origin/{BRANCH}", cwd=self.path)
                (self.path / folder(stage) / RELEASE).write_text(release_yaml(version))
                return self._commit_and_push(f"release {app} {version} to {stage}")

    def _commit_and_push(self, message: str) -> str:
        git("add", "--all", cwd=self.path)
        git(*_AUTHOR, "commit", "--quiet", "-m", message, cwd=self.path)
        git("push", "--quiet", "origin", f"HEAD:{BRANCH}", cwd=self.path)
        return git("rev-parse", "HEAD", cwd=self.path).strip()
