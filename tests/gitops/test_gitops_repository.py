"""The GitOps repository without a cluster: the Git server over HTTP, the seeded stage folders (as
kustomize renders them), the history read back, and the promotion scripts run as the host runner
runs them (`sh -ec`, the container's env) against the served repository."""
from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from harness.clusters import toolchain
from harness.gitops import history, repository
from harness.gitops.git_server import GitServer, git
from harness.gitops.pipeline import Evaluation, Pipeline, Release, Stage, Task
from harness.gitops.repository import NO_COMMIT, Workspace, folder, refusal_hook
from harness.paths import FIXTURES

STAGES = ("dev", "staging", "prod")
PIPELINE = Pipeline("test", "podtato-head", (
    Stage("dev", post_task=Task("post-check", "1s"), promotion_tasks=(Task("notify", "0s", 1),)),
    Stage("staging", evaluation=Evaluation("error-rate", "<1", "0.1", "5")),
    Stage("prod"),
), (Release("1.0.0", 0), Release("1.1.0", 5)))
TRACE = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"


@pytest.fixture
def served(tmp_path):
    with GitServer(tmp_path / "server") as server:
        workspace = Workspace(server.url, tmp_path / "ci")
        workspace.seed(PIPELINE)
        yield server, workspace


def promote(server, tmp_path, version: str, from_stage="dev", to_stage="staging", script="promote.sh", name="run",
            traceparent: str | None = TRACE):
    """The script run as the host runner runs it. `traceparent=None`: KEPTN_CONTEXT carries no trace,
    as Keptn's when no OpenTelemetry collector is configured (contract §5)."""
    context = {"appName": "podtato-head", "appVersion": version, "taskType": "promotion", "objectType": "App",
               "metadata": {"stage": from_stage, **({"traceparent": traceparent} if traceparent else {})}}
    scratch = tmp_path / name
    scratch.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "KEPTN_CONTEXT": json.dumps(context), "REPO_URL": server.url,
           "FROM_STAGE": from_stage, "TO_STAGE": to_stage}
    return subprocess.run(["sh", "-ec", (FIXTURES / "gitops" / script).read_text()], cwd=scratch, env=env,
                          capture_output=True, text=True)


def test_clone_and_push_over_http_are_logged_with_the_head_they_left(served):
    server, workspace = served
    assert [push.head for push in server.pushes] == [server.head()]
    commit = workspace.release("podtato-head", "dev", "1.0.0")
    assert server.head() == commit and server.pushes[-1].head == commit
    assert server.pushes[-1].received >= server.pushes[0].received


def test_the_history_names_each_commits_versions_and_changed_stages(served):
    server, workspace = served
    workspace.release("podtato-head", "dev", "1.0.0")
    seed, release = history.read(server.repository, list(STAGES))
    assert seed.changed == frozenset(STAGES) and not seed.parents
    assert release.changed == {"dev"} and release.version("dev") == "1.0.0" and release.version("prod") == "0.1.0"
    assert seed.releases["staging"] == {"version": "0.1.0", "commitID": NO_COMMIT}


def test_the_promotion_script_pushes_one_commit_naming_app_version_and_stages(served, tmp_path):
    server, workspace = served
    released = workspace.release("podtato-head", "dev", "1.0.0")
    done = promote(server, tmp_path, "1.0.0")
    assert done.returncode == 0, done.stderr
    commits = history.read(server.repository, list(STAGES))
    assert len(commits) == 3
    last = commits[-1]
    assert last.subject == "promote podtato-head 1.0.0 from dev to staging" and last.changed == {"staging"}
    assert last.releases["staging"] == {"version": "1.0.0", "commitID": released, "traceparent": TRACE}


def test_the_promotion_script_never_promotes_twice_nor_goes_back(served, tmp_path):
    server, workspace = served
    workspace.release("podtato-head", "dev", "1.0.0")
    assert promote(server, tmp_path, "1.0.0", name="first").returncode == 0
    again = promote(server, tmp_path, "1.0.0", name="again")
    assert again.returncode == 0 and "already runs podtato-head 1.0.0" in again.stdout
    workspace.release("podtato-head", "dev", "1.10.0")
    assert promote(server, tmp_path, "1.10.0", name="newer").returncode == 0
    workspace.release("podtato-head", "dev", "1.9.0")
    older = promote(server, tmp_path, "1.9.0", name="older")
    assert older.returncode == 0 and "newer than 1.9.0" in older.stdout
    assert [c.version("staging") for c in history.read(server.repository, list(STAGES)) if "staging" in c.changed] == \
        ["0.1.0", "1.0.0", "1.10.0"]


def test_a_refused_push_fails_the_promotion_script(served, tmp_path):
    server, workspace = served
    server.install_hook("pre-receive", refusal_hook({("staging", "1.0.0")}))
    workspace.release("podtato-head", "dev", "1.0.0")
    refused = promote(server, tmp_path, "1.0.0")
    assert refused.returncode == 1, refused.stdout
    assert "policy: 1.0.0 may not reach staging" in refused.stderr
    assert history.read(server.repository, list(STAGES))[-1].version("staging") == "0.1.0"


def test_the_faulty_script_pushes_twice(served, tmp_path):
    server, workspace = served
    workspace.release("podtato-head", "dev", "1.0.0")
    assert promote(server, tmp_path, "1.0.0", script="promote-pushes-twice.sh").returncode == 0
    pushed = [c for c in history.read(server.repository, list(STAGES)) if c.parents and "staging" in c.changed]
    assert len(pushed) == 2


@pytest.mark.cluster
@pytest.mark.skipif(toolchain.locate("kubectl") is None, reason="kubectl is not built (make toolchain)")
def test_a_stage_folder_renders_its_release_into_the_app_workload_and_context(served, tmp_path):
    server, workspace = served
    workspace.release("podtato-head", "dev", "1.0.0")
    assert promote(server, tmp_path, "1.0.0").returncode == 0
    git("pull", "--quiet", "origin", "main", cwd=workspace.path)
    rendered = subprocess.run([str(toolchain.locate("kubectl").path), "kustomize", str(workspace.path / folder("staging"))],
                              capture_output=True, text=True, check=True).stdout
    objects = {obj["kind"]: obj for obj in yaml.safe_load_all(rendered)}
    assert objects["KeptnApp"]["spec"]["version"] == "1.0.0"
    assert objects["KeptnApp"]["spec"]["workloads"] == [{"name": "podtato-head", "version": "1.0.0"}]
    labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert labels["keptn.sh/version"] == labels["app.kubernetes.io/version"] == "1.0.0"
    context = objects["KeptnAppContext"]["spec"]
    assert context["spanLinks"] == [TRACE] and context["metadata"]["stage"] == "staging"
    assert context["metadata"]["commitID"] == server.pushes[1].head  # the release commit
    assert context["promotionTasks"] == ["promote"] and context["postDeploymentEvaluations"] == ["error-rate"]
    assert all("namespace" not in obj["metadata"] for obj in objects.values())
    dev = {o["kind"] + "/" + o["metadata"]["name"]: o for o in yaml.safe_load_all(
        subprocess.run([str(toolchain.locate("kubectl").path), "kustomize", str(workspace.path / folder("dev"))],
                       capture_output=True, text=True, check=True).stdout)}
    assert dev["KeptnAppContext/podtato-head"]["spec"]["promotionTasks"] == ["promote", "notify"]
    promote_env = {e["name"]: e["value"] for e in dev["KeptnTaskDefinition/promote"]["spec"]["container"]["env"]}
    assert promote_env == {"SIM_RUN": "host", "REPO_URL": server.url, "FROM_STAGE": "dev", "TO_STAGE": "staging"}


def _rendered(workspace, stage: str) -> dict[str, dict]:
    git("pull", "--quiet", "origin", "main", cwd=workspace.path)
    rendered = subprocess.run([str(toolchain.locate("kubectl").path), "kustomize", str(workspace.path / folder(stage))],
                              capture_output=True, text=True, check=True).stdout
    return {obj["kind"]: obj for obj in yaml.safe_load_all(rendered)}


def test_without_a_trace_carrier_the_script_promotes_and_writes_no_traceparent(served, tmp_path):
    """Issue 22: Keptn puts a traceparent into a task's context only when tracing is configured; an
    empty one, written as "", became a null span link that the KeptnAppContext schema refuses."""
    server, workspace = served
    released = workspace.release("podtato-head", "dev", "1.0.0")
    done = promote(server, tmp_path, "1.0.0", traceparent=None)
    assert done.returncode == 0, done.stderr
    last = history.read(server.repository, list(STAGES))[-1]
    assert last.subject == "promote podtato-head 1.0.0 from dev to staging" and last.changed == {"staging"}
    assert last.releases["staging"] == {"version": "1.0.0", "commitID": released}
    message = git("log", "-1", "--format=%B", cwd=server.repository)
    assert "traceparent" not in message


@pytest.mark.cluster
@pytest.mark.skipif(toolchain.locate("kubectl") is None, reason="kubectl is not built (make toolchain)")
def test_without_a_trace_carrier_the_next_stage_gets_no_span_link_and_a_later_trace_gets_one(served, tmp_path):
    server, workspace = served
    assert "spanLinks" not in _rendered(workspace, "staging")["KeptnAppContext"]["spec"]  # the seed: no link
    workspace.release("podtato-head", "dev", "1.0.0")
    assert promote(server, tmp_path, "1.0.0", traceparent=None, name="untraced").returncode == 0
    context = _rendered(workspace, "staging")["KeptnAppContext"]["spec"]
    assert "spanLinks" not in context and context["metadata"]["stage"] == "staging"
    workspace.release("podtato-head", "dev", "1.1.0")
    assert promote(server, tmp_path, "1.1.0", name="traced").returncode == 0
    assert _rendered(workspace, "staging")["KeptnAppContext"]["spec"]["spanLinks"] == [TRACE]


def test_a_release_that_loses_the_race_to_another_push_is_pushed_again_on_top_of_it(served, tmp_path, monkeypatch):
    # seen in a conformance run: the controller's promotion push moved main between CI's fetch and push
    server, workspace = served
    real_git = repository.git
    other = tmp_path / "other"
    raced = []

    def git_with_a_race(*args, **kwargs):
        if args[:1] == ("push",) and not raced:  # another writer pushes first
            real_git("clone", "--quiet", server.url, str(other), cwd=tmp_path)
            (other / "stages" / "staging" / "note.txt").write_text("promoted meanwhile\n")
            real_git("add", "--all", cwd=other)
            real_git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", "promote meanwhile", cwd=other)
            real_git("push", "--quiet", "origin", "HEAD:main", cwd=other)
            raced.append(True)
        return real_git(*args, **kwargs)

    monkeypatch.setattr(repository, "git", git_with_a_race)
    commit = workspace.release("podtato-head", "dev", "1.0.0")
    assert raced
    subjects = git("log", "--format=%s", "-2", commit, cwd=workspace.path).splitlines()
    assert subjects == ["release podtato-head 1.0.0 to dev", "promote meanwhile"], subjects
