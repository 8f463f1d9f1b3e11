"""Each function breaks one part of contract §5 C5.14 "A container task runs the definition's container
as written, with the environment variable `KEPTN_CONTEXT` (the JSON of the task's `spec.context`)
added, or replaced if the container sets it": the Job's container differs from the definition's in
that one part. What the simulated task reads (SIM_RUN_FOR, SIM_EXIT_CODE) is left alone, so the
task still runs as the scenario says."""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job, each_container

_SIMULATION = ("SIM_RUN_FOR", "SIM_EXIT_CODE", "SIM_RUN")


def _container(change) -> None:
    wrap(reconcile_task, "job_manifest", change_job(each_container(change)))


def image_changed() -> None:
    """Breaks C5.14 "the definition's container as written": the image's tag is replaced by `latest`."""
    _container(lambda c: c.update(image=c["image"].rsplit(":", 1)[0] + ":latest") if c.get("image") else None)


def command_changed() -> None:
    """Breaks C5.14 "the definition's container as written": the command runs through `/bin/sh -c` as one string."""
    _container(lambda c: c.update(command=["/bin/sh", "-c", " ".join(c["command"])]) if c.get("command") else None)


def args_dropped() -> None:
    """Breaks C5.14 "the definition's container as written": the container's args are left out."""
    _container(lambda c: c.pop("args", None))


def env_dropped() -> None:
    """Breaks C5.14 "the definition's container as written": of its env, only KEPTN_CONTEXT and what
    the simulation reads are kept."""
    _container(lambda c: c.update(env=[e for e in c.get("env") or [] if e["name"] in (*_SIMULATION, "KEPTN_CONTEXT")]))


def keptn_context_not_replaced() -> None:
    """Breaks C5.14 "... `KEPTN_CONTEXT` ... replaced if the container sets it": a definition's own
    KEPTN_CONTEXT is kept, and the task's context is not given."""
    def manifest(job_manifest):
        def made(name, task, definition, *args, **kwargs) -> dict:
            job = job_manifest(name, task, definition, *args, **kwargs)
            own = [e for e in ((definition["spec"].get("container") or {}).get("env") or []) if e.get("name") == "KEPTN_CONTEXT"]
            if own:
                for container in job["spec"]["template"]["spec"]["containers"]:
                    container["env"] = [e for e in container.get("env") or [] if e.get("name") != "KEPTN_CONTEXT"] + own
            return job
        return made
    wrap(reconcile_task, "job_manifest", manifest)
