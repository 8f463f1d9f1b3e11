"""A multi-stage GitOps pipeline: its stages, the versions released into it and the faults it meets.

Read from a Pipeline file (schema: pipeline.schema.json; examples/gitops/pipeline.yaml shows every
key) by `promotion-conformance simulate`, and built from their tables by the gitops scenarios. A
bad file is refused with `file:line: field F: what was expected` (exit code 2).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.paths import FIXTURES
from harness.validated_yaml import ConfigError, line_of, load_validated

SCHEMA = json.loads((Path(__file__).parent / "pipeline.schema.json").read_text())
DEFAULT_SCRIPT = FIXTURES / "gitops" / "promote.sh"
DEFAULT_INITIAL_VERSION = "0.1.0"


_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> float:
    """A duration as the schema allows it: a whole number and a unit (500ms, 15s, 2m, 1h)."""
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)", text).groups()
    return int(number) * _UNIT_SECONDS[unit]


def version_key(version: str) -> tuple[int, ...]:
    """Versions compare by their numbers, as `sort -V` does in the promotion script (1.10 > 1.9)."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


@dataclass(frozen=True)
class Task:
    name: str
    runs_for: str = "0s"
    exits_with: int = 0


@dataclass(frozen=True)
class Evaluation:
    """A post-deployment evaluation of one KeptnMetric whose value the harness sets (it plays the
    metrics provider): `value` normally, `failing_value` while a version it must fail runs."""

    metric: str
    target: str
    value: str
    failing_value: str


@dataclass(frozen=True)
class Stage:
    name: str
    post_task: Task | None = None
    evaluation: Evaluation | None = None
    promotion_tasks: tuple[Task, ...] = ()  # beside the one that promotes to the next stage
    block_deployment: bool = True


@dataclass(frozen=True)
class Release:
    version: str
    at: float  # seconds after the first release


@dataclass(frozen=True)
class Faults:
    kill_every: float | None = None  # SIGKILL the implementation (every cluster's) this often
    evaluation_fails: frozenset[tuple[str, str]] = frozenset()  # (stage, version)
    push_refused: frozenset[tuple[str, str]] = frozenset()  # (stage, version): the Git server refuses it


@dataclass(frozen=True)
class Pipeline:
    name: str
    app: str
    stages: tuple[Stage, ...]
    releases: tuple[Release, ...]
    promotion_script: str = field(default_factory=lambda: DEFAULT_SCRIPT.read_text(), repr=False)
    initial_version: str = DEFAULT_INITIAL_VERSION
    own_clusters: frozenset[str] = frozenset()  # stages on a cluster of their own; the others share one
    flux_interval: str = "10s"
    fetch_on_push: bool = True
    faults: Faults = Faults()

    @property
    def stage_names(self) -> list[str]:
        return [stage.name for stage in self.stages]

    def stage(self, name: str) -> Stage:
        return next(stage for stage in self.stages if stage.name == name)

    def next_stage(self, name: str) -> str | None:
        names = self.stage_names
        index = names.index(name)
        return names[index + 1] if index + 1 < len(names) else None

    def boundaries(self) -> list[tuple[str, str]]:
        names = self.stage_names
        return list(zip(names, names[1:]))

    @property
    def versions(self) -> list[str]:
        return [release.version for release in self.releases]


def load(path: Path) -> Pipeline:
    """A Pipeline file, checked against its schema and for what a schema cannot say."""
    document = load_validated(path, SCHEMA, "pipeline file")
    spec = document["spec"]
    stages = tuple(_stage(item) for item in spec["stages"])
    script = DEFAULT_SCRIPT
    if "promotionScript" in spec:
        script = (Path(path).parent / spec["promotionScript"]).resolve()
        if not script.is_file():
            raise ConfigError(f"{path}:{line_of(path, ['spec', 'promotionScript'])}: field spec.promotionScript: "
                              f"no such file {script}")
    flux = spec.get("flux", {})
    pipeline = Pipeline(
        name=document["metadata"]["name"], app=spec["app"], stages=stages,
        releases=_releases(spec["releases"]) if "releases" in spec else _release_series(spec["releaseSeries"]),
        promotion_script=script.read_text(), initial_version=spec.get("initialVersion", DEFAULT_INITIAL_VERSION),
        own_clusters=frozenset(s.name for s in stages[:-1]) if spec.get("clusters") == "per-stage" else frozenset(),
        flux_interval=flux.get("interval", "10s"),
        fetch_on_push=flux.get("fetchOnPush", True), faults=_faults(spec.get("faults", [])))
    problem = inconsistency(pipeline)
    if problem:
        field_path, message = problem
        raise ConfigError(f"{path}:{line_of(path, field_path)}: field {'.'.join(map(str, field_path))}: {message}")
    return pipeline


def inconsistency(pipeline: Pipeline) -> tuple[list, str] | None:
    """What is wrong beyond the schema, as (field path, message), or None."""
    names = pipeline.stage_names
    for index, name in enumerate(names):
        if names.index(name) != index:
            return ["spec", "stages", index, "name"], f"stage {name!r} is listed twice"
    versions = pipeline.versions
    for index, (older, newer) in enumerate(zip(versions, versions[1:]), 1):
        if version_key(newer) <= version_key(older):
            return ["spec", "releases", index], f"releases must go up: {newer} comes after {older}"
    if version_key(versions[0]) <= version_key(pipeline.initial_version):
        return ["spec", "releases", 0], f"the first release {versions[0]} must be newer than initialVersion {pipeline.initial_version}"
    sharing = [stage for stage in pipeline.stages if stage.name not in pipeline.own_clusters]
    if len({stage.block_deployment for stage in sharing}) > 1:
        return ["spec", "clusters"], ("blockDeployment is a setting of a whole cluster (KeptnConfig): stages that share "
                                      "one must agree; use clusters: per-stage to set it per stage")
    for kind, faults in (("evaluationFails", pipeline.faults.evaluation_fails), ("pushRefused", pipeline.faults.push_refused)):
        for stage, version in sorted(faults):
            if stage not in names:
                return ["spec", "faults"], f"{kind}: no stage {stage!r} (stages: {', '.join(names)})"
            if version not in versions:
                return ["spec", "faults"], f"{kind}: version {version} is not released (releases: {', '.join(versions)})"
            if kind == "evaluationFails" and pipeline.stage(stage).evaluation is None:
                return ["spec", "faults"], f"evaluationFails: stage {stage!r} has no postDeploymentEvaluation"
            if kind == "pushRefused" and stage == names[0]:
                return ["spec", "faults"], f"pushRefused: {stage!r} is the first stage; only promotions push to later ones"
    return None


def _stage(item: dict) -> Stage:
    evaluation = item.get("postDeploymentEvaluation")
    return Stage(
        name=item["name"],
        post_task=_task("post-check", item["postDeploymentTask"]) if "postDeploymentTask" in item else None,
        evaluation=Evaluation(evaluation["metric"], evaluation["target"], evaluation["value"],
                              evaluation.get("failingValue", "1000")) if evaluation else None,
        promotion_tasks=tuple(_task(task["name"], task) for task in item.get("promotionTasks", [])),
        block_deployment=item.get("blockDeployment", True))


def _task(name: str, item: dict) -> Task:
    return Task(name, item.get("runsFor", "0s"), item.get("exitsWith", 0))


def _releases(items: list[dict]) -> tuple[Release, ...]:
    return tuple(Release(item["version"], parse_duration(item.get("at", "0s"))) for item in items)


def _release_series(spec: dict) -> tuple[Release, ...]:
    numbers = list(version_key(spec["from"]))
    every = parse_duration(spec["every"])
    releases = []
    for index in range(spec["count"]):
        releases.append(Release(".".join(map(str, numbers)), index * every))
        numbers[-1] += 1
    return tuple(releases)


def _faults(items: list[dict]) -> Faults:
    kill_every, evaluation_fails, push_refused = None, set(), set()
    for item in items:
        if "killController" in item:
            kill_every = parse_duration(item["killController"]["every"])
        if "evaluationFails" in item:
            evaluation_fails.add((item["evaluationFails"]["stage"], item["evaluationFails"]["version"]))
        if "pushRefused" in item:
            push_refused.add((item["pushRefused"]["stage"], item["pushRefused"]["version"]))
    return Faults(kill_every, frozenset(evaluation_fails), frozenset(push_refused))
