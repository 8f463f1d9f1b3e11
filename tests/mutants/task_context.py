"""Each function breaks one part of contract §5 C5.5 (a promotion task's `spec.context`) or C5.6 (its
`metadata` holds every entry of the app context's): the context the reference writes into the task
(and so into its Job's KEPTN_CONTEXT, which stays the JSON of the task's context) is wrong in that part."""
from harness.controller import reconcile_appversion
from harness.controller.tracing import TRACEPARENT
from mutants.compose import wrap


def _context(change) -> None:
    def changed(app_context):
        def made(version: dict, check_type: str, traceparent: str) -> dict:
            context = app_context(version, check_type, traceparent)
            change(context, version)
            return context
        return made
    wrap(reconcile_appversion, "app_context", changed)


def context_version_is_the_objects_name() -> None:
    """Breaks contract §5 C5.5 "`appVersion` (the version's `spec.version`)": appVersion is the
    KeptnAppVersion's name."""
    _context(lambda context, version: context.update(appVersion=version["metadata"]["name"]))


def context_object_type_workload() -> None:
    """Breaks contract §5 C5.5 "`objectType: App`": a promotion task's objectType is Workload."""
    _context(lambda context, version: context.update(objectType="Workload"))


def context_task_type_post() -> None:
    """Breaks contract §5 C5.5 "`taskType: promotion`": a promotion task's context says taskType post
    (its checkType stays promotion)."""
    _context(lambda context, version: context.update(taskType="post"))


def context_names_a_workload() -> None:
    """Breaks contract §5 C5.5 "and the workload fields empty": a promotion task's context names the app
    as its workload, at the app's version."""
    _context(lambda context, version: context.update(workloadName=context["appName"], workloadVersion=context["appVersion"]))


def context_metadata_first_entry_only() -> None:
    """Breaks contract §5 C5.6 "`spec.context.metadata` holds every entry of the app context's
    `metadata`": only its first entry is kept (and the trace carrier, which is C10.1's)."""
    def first_only(context: dict, version: dict) -> None:
        metadata = context.get("metadata") or {}
        entries = [k for k in metadata if k != TRACEPARENT]
        context["metadata"] = {k: v for k, v in metadata.items() if k == TRACEPARENT or k in entries[:1]}
    _context(first_only)
