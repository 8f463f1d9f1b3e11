"""Each function breaks one rule of contract §3 on the promotion phase's events (C3.12, C3.13); the
other events stay as they are."""
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def _changing_events(change):
    def wrapper(store_pass):
        def stored(ctx, kind, version, result, began):
            result.events = [e for e in (change(*event) for event in result.events) if e is not None]
            return store_pass(ctx, kind, version, result, began)
        return stored
    wrap(reconcile_appversion, "store_pass", wrapper)


def failed_as_normal() -> None:
    """Breaks contract §3 C3.13 "PromotionTasksFailed ... of type Warning": it is recorded as type Normal."""
    _changing_events(lambda kind, reason, message: ("Normal" if reason == "PromotionTasksFailed" else kind, reason, message))


def no_started() -> None:
    """Breaks contract §3 C3.12 "Entering the promotion phase records the event PromotionTasksStarted": it is never recorded."""
    _changing_events(lambda kind, reason, message: None if reason == "PromotionTasksStarted" else (kind, reason, message))
