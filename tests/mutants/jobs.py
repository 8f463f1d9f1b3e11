"""A wrapper of the reference's `job_manifest` for the mutants that build a wrong Job."""
from __future__ import annotations

from collections.abc import Callable


def change_job(change: Callable[[dict], object]):
    """`job_manifest`, with `change` applied to the Job it returns."""
    def wrapper(job_manifest):
        def manifest(*args, **kwargs) -> dict:
            job = job_manifest(*args, **kwargs)
            change(job)
            return job
        return manifest
    return wrapper


def each_container(change: Callable[[dict], None]) -> Callable[[dict], None]:
    """A change of a Job: `change` applied to every container of its pod template."""
    def changed(job: dict) -> None:
        for container in job["spec"]["template"]["spec"]["containers"]:
            change(container)
    return changed
