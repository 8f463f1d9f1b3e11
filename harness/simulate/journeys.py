"""Each released version's journey through the stages, measured from evidence with one clock (the
harness's, time.time()): when the Git server received the push that brought it to a stage, when the
stage's watch saw Flux apply it, its KeptnAppVersion appear, its promotion start and its lifecycle
end. From these: the time in each stage, the lead time dev → prod (release push → the last stage's
app version Succeeded), and its breakdown into Flux sync (push → applied), lifecycle (applied →
promotion started, or → completed in the last stage) and promotion (promotion started → the push
into the next stage).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from harness.contract.states import COMPLETED
from harness.gitops.history import Commit, ancestors
from harness.gitops.pipeline import version_key

SETTLE_SECONDS = 15.0  # after a stage's app version completed, how long its push into the next one may take


@dataclass
class Visit:
    """A version in one stage."""

    stage: str
    entered: float | None = None  # the push that brought the version there was received
    applied: float | None = None  # Flux was seen to have applied it
    created: float | None = None  # its KeptnAppVersion was first seen
    promotion_started: float | None = None  # its first promotion KeptnTask was seen
    completed: float | None = None  # its KeptnAppVersion was first seen completed
    status: str = ""  # the KeptnAppVersion's status.status ("" while it has none)
    phase: str = ""
    promotion_status: str = ""

    @property
    def reached(self) -> bool:
        return self.entered is not None

    @property
    def seconds(self) -> float | None:
        """Time in the stage: applied → completed."""
        return self.completed - self.applied if self.completed is not None and self.applied is not None else None


@dataclass
class Journey:
    version: str
    visits: list[Visit] = field(default_factory=list)

    @property
    def released(self) -> float | None:
        return self.visits[0].entered if self.visits else None

    @property
    def furthest(self) -> Visit:
        reached = [visit for visit in self.visits if visit.reached]
        return reached[-1] if reached else self.visits[0]

    @property
    def lead_time(self) -> float | None:
        """Release push → the last stage's app version completed Succeeded; None if it did not get there."""
        last = self.visits[-1]
        if last.status == "Succeeded" and last.completed is not None and self.released is not None:
            return last.completed - self.released
        return None

    def breakdown(self) -> dict[str, float] | None:
        """Flux sync, lifecycle and promotion seconds, summed over the stages (lead time = their sum)."""
        if self.lead_time is None:
            return None
        parts = {"flux": 0.0, "lifecycle": 0.0, "promotion": 0.0}
        for visit, following in zip(self.visits, [*self.visits[1:], None]):
            parts["flux"] += visit.applied - visit.entered
            lifecycle_end = visit.promotion_started if following is not None else visit.completed
            parts["lifecycle"] += lifecycle_end - visit.applied
            if following is not None:
                parts["promotion"] += following.entered - visit.promotion_started
        return parts


def push_times(commits: list[Commit], pushes: list[tuple[float, str]]) -> dict[str, float]:
    """Each commit → when the Git server received the push that first brought it (pushes: (time, head))."""
    received: dict[str, float] = {}
    for at, head in sorted(pushes):
        for sha in ancestors(commits, head):
            received.setdefault(sha, at)
    return received


def journey(version: str, stages: list[str], commits: list[Commit], received: dict[str, float],
            applied: dict[str, list[tuple[float, str]]], observations: dict[str, list]) -> Journey:
    """The journey of `version` from the evidence; `observations[stage]` are the stage's recorded
    KeptnAppVersion and KeptnTask observations (harness.library.recorder.Observation)."""
    by_sha = {c.sha: c for c in commits}
    trip = Journey(version)
    for stage in stages:
        visit = Visit(stage)
        entering = next((c for c in commits if c.parents and stage in c.changed and c.version(stage) == version), None)
        if entering is not None:
            visit.entered = received.get(entering.sha)
        visit.applied = next((at for at, sha in applied.get(stage, []) if sha in by_sha and by_sha[sha].version(stage) == version
                              and visit.entered is not None), None)
        _lifecycle(visit, version, observations.get(stage, []))
        trip.visits.append(visit)
    return trip


def _lifecycle(visit: Visit, version: str, observations: list) -> None:
    uid = None
    for observation in observations:
        obj = observation.object
        if observation.kind == "KeptnAppVersion" and (obj.get("spec") or {}).get("version") == version:
            uid = uid or obj["metadata"]["uid"]
            if obj["metadata"]["uid"] != uid:
                continue
            visit.created = visit.created or observation.received
            status = obj.get("status") or {}
            visit.status, visit.phase = status.get("status", ""), status.get("currentPhase", "")
            visit.promotion_status = status.get("promotionStatus", "")
            if visit.completed is None and status.get("status") in COMPLETED and status.get("endTime"):
                visit.completed = observation.received
        elif (observation.kind == "KeptnTask" and observation.type == "ADDED" and uid is not None
              and (obj.get("spec") or {}).get("checkType") == "promotion"
              and uid in [ref.get("uid") for ref in obj["metadata"].get("ownerReferences") or []]):
            visit.promotion_started = visit.promotion_started or observation.received


def ended(trip: Journey, wanted: dict[str, str], now: float) -> str | None:
    """How the journey ended, or None while it goes on. `wanted` is each stage's version at the
    repository's head: a stage that wants a newer version has moved past this one."""
    visit = trip.furthest
    last = visit is trip.visits[-1]
    if not visit.reached:
        return None
    if visit.completed is not None and last:
        return f"{visit.status} in {visit.stage}"
    if visit.completed is not None and visit.status == "Failed":
        return f"failed in {visit.stage} ({visit.phase})"
    if version_key(wanted.get(visit.stage, "0")) > version_key(trip.version):
        return f"overtaken in {visit.stage} by {wanted[visit.stage]}"
    if visit.completed is not None and now - visit.completed > SETTLE_SECONDS:
        return f"stopped after {visit.stage} ({visit.status}, promotion {visit.promotion_status or '-'})"
    return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
