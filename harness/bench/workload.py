"""A benchmark namespace, the Keptn objects a stage creates in it, and running versions in it.

Every version of a benchmark is its own KeptnApp with a KeptnAppContext of the same name, so one
KeptnApp means one KeptnAppVersion and versions never wait for each other. Objects are created
with CustomObjectsApi (plain dicts) and counted, so that the scale stage can subtract the
harness's requests from the API server's counters. What happened in the namespace is the record
of the suite's own Recorder (KeptnAppVersions, KeptnTasks and Jobs), started before anything is
created there.
"""
from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kubernetes import client

from harness.bench.measured_implementation import Exited
from harness.bench.moments import is_final
from harness.contract.kinds import (
    APP,
    APP_CONTEXT,
    APP_VERSION,
    EVALUATION_DEFINITION,
    JOB,
    METRIC,
    TASK,
    TASK_DEFINITION,
    Kind,
)
from harness.contract.timestamps import now_text
from harness.eventually import NotYet, WaitTimedOut, eventually
from harness.kube import Kube
from harness.library import manifests
from harness.library.recorder import Recorder

KINDS = {kind.kind: kind for kind in (APP, APP_CONTEXT, TASK, TASK_DEFINITION, METRIC, EVALUATION_DEFINITION, JOB)}
RECORDED = {kind.kind: kind for kind in (APP_VERSION, TASK, JOB)}  # the kinds the record watches


class Space:
    """One namespace of one stage, recorded from its creation until the `with` block ends (or
    not at all, `recorded=False`)."""

    def __init__(self, api_client: client.ApiClient, stage: str, say, recorded: bool = True,
                 exited: Callable[[], str | None] = lambda: None):
        self.name = f"bench-{stage}-{uuid.uuid4().hex[:5]}"
        self.say = say
        self._exited = exited  # why the implementation is gone, checked while waiting for it
        self.sent: Counter[str] = Counter()  # this client's requests, by `VERB plural`
        self.contexts: dict[str, dict[str, list[str]]] = {}  # the lists of each KeptnAppContext made
        self.created: dict[str, float] = {}  # app → when the harness sent its KeptnApp (time.time())
        self._versions: dict[str, dict] = {}  # app → its KeptnAppVersion, as of _indexed_at observations
        self._indexed_at = -1
        self._custom = client.CustomObjectsApi(api_client)
        client.CoreV1Api(api_client).create_namespace({"metadata": {"name": self.name}})
        self.record = Recorder(Kube(api_client), self.name, kinds=tuple(RECORDED)).start() if recorded else None

    def __enter__(self) -> "Space":
        return self

    def __exit__(self, *_) -> None:
        if self.record:
            self.record.stop()

    @property
    def lists(self) -> Counter[str]:
        """The LIST requests of the record's watches (each starts with one, and one more after a
        watch that could not resume), by `LIST plural`: they are the harness's own requests."""
        if not self.record:
            return Counter()
        return Counter({f"LIST {RECORDED[kind].plural}": 1 + sum(g.kind == kind for g in self.record.gaps)
                        for kind in self.record.kinds})

    def create(self, body: dict) -> dict:
        kind = KINDS[body["kind"]]
        self.sent[f"POST {kind.plural}"] += 1
        return self._custom.create_namespaced_custom_object(kind.group, kind.version, self.name, kind.plural, body)

    def patch_status(self, kind: Kind, name: str, status: dict) -> dict:
        self.sent[f"PATCH {kind.plural}/status"] += 1
        return self._custom.patch_namespaced_custom_object_status(kind.group, kind.version, self.name, kind.plural,
                                                                  name, {"status": status})

    # -- what a stage sets up -------------------------------------------------------------

    def task_definitions(self, names: list[str], run_for: str = "0s") -> None:
        for name in names:
            self.create(manifests.task_definition(name, self.name, run_for=run_for))

    def passing_evaluation(self, name: str) -> None:
        """A KeptnEvaluationDefinition whose one objective holds (metric value 5, target >1)."""
        self.create(manifests.metric(name, self.name))
        self.patch_status(METRIC, name, {"value": "5", "rawValue": "NQ==", "lastUpdated": now_text()})
        self.create(manifests.evaluation_definition(name, self.name, name, ">1"))

    def contexts_for(self, apps: list[str], lists: dict[str, list[str]]) -> None:
        """A KeptnAppContext per app. A stage makes them all before its first KeptnApp: an
        implementation copies the context when the version is created, and a context created a
        moment before its app may not have reached its cache yet (see `Outcome.add_final`)."""
        for app in apps:
            self.create(manifests.app_context(app, self.name, lists))
            self.contexts[app] = lists

    def app(self, app: str) -> None:
        self.created[app] = time.time()
        self.create(manifests.app(app, self.name, "v1"))

    # -- what happened --------------------------------------------------------------------

    def version_of(self, app: str) -> dict | None:
        """The latest version of app's KeptnAppVersion: from an index by app, made again only when the
        record grew (it only grows), so that 1,000 versions are not 1,000 scans of the record."""
        grown = len(self.record.observations)
        if grown != self._indexed_at:
            self._versions = {v["spec"].get("appName"): v for v in self.record.latest(APP_VERSION.kind)}
            self._indexed_at = grown
        return self._versions.get(app)

    def is_final(self, app: str) -> bool:
        version = self.version_of(app)
        return version is not None and is_final(version)

    def wait(self, holds, waiting_for: str, timeout: float, every: float = 0.0) -> bool:
        """Until `holds()` is true, asked at most once per `every` seconds (a question that reads
        the whole record of 1,000 versions must not take a CPU from what is measured); after
        `timeout` say what was awaited and return False (a benchmark reports what did not happen
        instead of failing). Exited when the implementation is gone: nothing more will happen."""
        asked = [float("-inf")]

        def check() -> None:
            gone = self._exited()
            if gone:
                raise Exited(f"while waiting for {waiting_for}: {gone}")
            if time.monotonic() - asked[0] < every:
                raise NotYet("not asked again yet")
            asked[0] = time.monotonic()
            if not holds():
                raise NotYet("not yet")

        try:
            eventually(check, waiting_for, timeout)
        except WaitTimedOut as error:
            self.say(f"  {error}")
            return False
        return True



@dataclass
class Outcome:
    """Which versions of a stage ended how. Only Succeeded versions are measured."""

    succeeded: list[dict] = field(default_factory=list)
    without_context: list[dict] = field(default_factory=list)  # {app, missing}: Succeeded, but not measured
    failed: list[str] = field(default_factory=list)
    stuck: list[dict] = field(default_factory=list)  # {app, phase}: not final when its time was up
    not_started: list[str] = field(default_factory=list)  # the stage's time was up before it began

    def add_final(self, space: Space, app: str) -> None:
        version = space.version_of(app)
        status = (version or {}).get("status") or {}
        missing = [name for name, listed in space.contexts.get(app, {}).items()
                   if listed and (version or {}).get("spec", {}).get(name) != listed]
        if status.get("status") == "Succeeded" and missing:
            # The version did not get its KeptnAppContext's lists: it ran a shorter lifecycle than
            # the one measured, so it is reported and left out.
            self.without_context.append({"app": app, "missing": missing})
        elif status.get("status") == "Succeeded":
            self.succeeded.append(version)
        elif status.get("status") == "Failed":
            self.failed.append(app)
        else:
            self.stuck.append({"app": app, "phase": status.get("currentPhase") or
                               ("no KeptnAppVersion" if version is None else "no status")})

    @property
    def started(self) -> int:
        return len(self.succeeded) + len(self.without_context) + len(self.failed) + len(self.stuck)

    def extend(self, other: "Outcome") -> None:
        self.succeeded += other.succeeded
        self.without_context += other.without_context
        self.failed += other.failed
        self.stuck += other.stuck
        self.not_started += other.not_started

    def report(self) -> dict:
        return {"succeeded": len(self.succeeded), "withoutContext": self.without_context, "failed": self.failed,
                "stuck": {"count": len(self.stuck), "versions": self.stuck}, "notStarted": len(self.not_started)}


def run_one_by_one(space: Space, apps: list[str], version_timeout: float, deadline: float) -> Outcome:
    """Each app's version is started once the one before it ended (or was given up on), so that
    each is measured alone. No version starts after `deadline` (time.monotonic()). The apps'
    KeptnAppContexts exist already (`Space.contexts_for`)."""
    outcome = Outcome()
    for index, app in enumerate(apps):
        if time.monotonic() >= deadline:
            outcome.not_started = apps[index:]
            space.say(f"  stage time is up: {len(outcome.not_started)} version(s) not started")
            break
        space.app(app)
        space.wait(lambda: space.is_final(app), f"the KeptnAppVersion of {app} to end", version_timeout)
        outcome.add_final(space, app)
    return outcome


def uid(version: dict) -> str:
    return version["metadata"]["uid"]
