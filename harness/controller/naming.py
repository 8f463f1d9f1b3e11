"""Names of the objects the controller creates (contract §2 and §5)."""
from __future__ import annotations

import hashlib
import random
import re

_RNG = random.Random()

MAX_NAME = 253  # a DNS subdomain: the limit of most object names
MAX_LABEL_VALUE = 63  # a Job's name becomes the `job-name` label of its pods
_DIGITS_SUFFIX = len("-12345")
MAX_TASK_NAME = MAX_LABEL_VALUE - _DIGITS_SUFFIX  # so that `<task>-<5 digits>` still fits


def generation_hash(generation: int) -> str:
    """contract §2: the first 8 hex digits of sha256 of the decimal generation (1 → 6b86b273)."""
    return hashlib.sha256(str(generation).encode()).hexdigest()[:8]


def app_version_name(app: str, version: str, generation: int) -> str:
    """KeptnAppVersion `<app>-<version>-<hash>` (contract §2)."""
    suffix = "-" + generation_hash(generation)
    return _fit(f"{app}-{version}", MAX_NAME - len(suffix)) + suffix


def workload_name(app: str, workload: str) -> str:
    """KeptnWorkload `<app>-<workload>` (contract §2)."""
    return _fit(f"{app}-{workload}", MAX_NAME)


def workload_version_name(workload: str, version: str) -> str:
    """KeptnWorkloadVersion `<app>-<workload>-<version>` from the KeptnWorkload's name `<app>-<workload>`
    (contract §2); the app's AppDeploy phase waits for it."""
    return _fit(f"{workload}-{version}", MAX_NAME)


def task_name(check_type: str, definition: str, seed: str) -> str:
    """KeptnTask `<checkType>-<definition>-<5 digits>`, short enough for its Job's name (contract §5).
    The digits are drawn from `seed`, the owning version's UID (see `_digits`)."""
    suffix = _digits(seed)
    return _fit(f"{check_type}-{definition}", MAX_TASK_NAME - len(suffix)) + suffix


def evaluation_name(check_type: str, definition: str, seed: str) -> str:
    """KeptnEvaluation `<checkType>-<definition>-<5 digits>`, at most 63 characters."""
    suffix = _digits(seed)
    return _fit(f"{check_type}-{definition}", MAX_LABEL_VALUE - len(suffix)) + suffix


def job_name(task: str, seed: str) -> str:
    """Job `<task>-<5 digits>`, at most 63 characters (contract §5); `seed` is the task's UID."""
    suffix = _digits(seed)
    return _fit(task, MAX_LABEL_VALUE - len(suffix)) + suffix


def another_seed(seed: str, rng: random.Random = _RNG) -> str:
    """A seed for a second name when the first is taken by an object someone else owns."""
    return f"{seed}/{rng.getrandbits(64):x}"


def _digits(seed: str) -> str:
    """contract §5's "5 random digits", drawn from a hash of `seed` rather than a random source: an
    object of the same owner always gets the same name, so creating it a second time (after a
    restart, or from a cache that does not show it yet) is refused with 409 instead of running a
    task twice, and no request is needed to look for it first."""
    return f"-{10000 + int(hashlib.sha256(seed.encode()).hexdigest()[:12], 16) % 90000}"


def function_configmap_name(definition: str) -> str:
    """The ConfigMap holding a definition's inline code: `keptnfn-<definition>` (contract §5)."""
    return _fit(f"keptnfn-{definition}", MAX_NAME)


def _fit(text: str, limit: int) -> str:
    """`text` as a valid DNS subdomain of at most `limit` characters.

    Lower case; `_` and every other character a name may not hold become `-`; each dot-separated
    part starts and ends alphanumeric; a cut never leaves `-` or `.` at the end.
    """
    parts = (re.sub(r"[^a-z0-9-]", "-", part).strip("-") for part in text.lower().split("."))
    return ".".join(p for p in parts if p)[:limit].rstrip("-.")
