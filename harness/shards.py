"""Shards: one run split over N machines (`run --shard K/N`), each with its own cluster.

Every scenario run of the catalogue (an outline once per example) belongs to exactly one shard.
The split is the same on every machine — it depends only on the catalogue and on the durations
it is balanced by — so N CI runners that each run one shard together run the whole selection,
and `promotion-conformance report merge` makes their reports one (harness/report/merge.py).

Balanced by the per-scenario durations a run records (its scenarios.json); the default is the
committed `harness/shard_durations.json`, measured on a full `make conformance`. A scenario with no
recorded duration counts as the median of the others. The longest scenarios are placed first, each
into the shard with the least time so far (longest-processing-time first, ties to the lower shard):
written here because it is a few lines, and no well-kept library offers it.
"""
from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from harness.validated_yaml import ConfigError

DEFAULT_DURATIONS = Path(__file__).with_name("shard_durations.json")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse(text: str) -> Shard:
    """`K/N` with 1 ≤ K ≤ N; anything else is a ConfigError naming the option."""
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ConfigError(f"--shard: {text!r} is not a shard; expected K/N with 1 ≤ K ≤ N, e.g. 2/4")
    return Shard(int(match.group(1)), int(match.group(2)))


def durations(path: Path | None = None) -> dict[str, float]:
    """Seconds per scenario run ID from a scenarios.json (a list of outcomes) or a plain
    `{ID: seconds}` file; the committed default when `path` is None."""
    path = path or DEFAULT_DURATIONS
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ConfigError(f"--shard-durations: {path}: cannot be read as JSON ({error})") from None
    if isinstance(document, list):
        return {o["id"]: float(o["duration"]) for o in document if isinstance(o, dict) and "id" in o and "duration" in o}
    if isinstance(document, dict) and all(isinstance(v, (int, float)) for v in document.values()):
        return {k: float(v) for k, v in document.items()}
    raise ConfigError(f"--shard-durations: {path}: expected a run's scenarios.json or an object of seconds per scenario ID")


def assign(run_ids: list[str], seconds: dict[str, float], count: int) -> list[list[str]]:
    """The run IDs of each of `count` shards, balanced by `seconds`; the same input gives the same split."""
    known = [seconds[i] for i in run_ids if i in seconds]
    default = statistics.median(known) if known else 1.0
    weight = {i: seconds.get(i, default) for i in run_ids}
    shards: list[list[str]] = [[] for _ in range(count)]
    totals = [0.0] * count
    for run_id in sorted(set(run_ids), key=lambda i: (-weight[i], i)):
        lightest = min(range(count), key=lambda k: (totals[k], k))
        shards[lightest].append(run_id)
        totals[lightest] += weight[run_id]
    return [sorted(shard) for shard in shards]


def members(shard: Shard, run_ids: list[str], seconds: dict[str, float]) -> set[str]:
    """The run IDs of `shard`."""
    return set(assign(run_ids, seconds, shard.count)[shard.index - 1])
