"""Each function breaks one rule of contract §3 on what a KeptnAppVersion's status says while it runs
(C3.1, C3.3); the lifecycle itself runs as the reference's does."""
from harness.contract.states import KeptnState
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def _changing_status(change):
    def wrapper(advance):
        def advanced(current, phases, observe, block_deployment, now, follow=None):
            result = advance(current, phases, observe, block_deployment, now, follow)
            if result.status.get("status") == KeptnState.PROGRESSING.value:
                change(result.status)
            return result
        return advanced
    wrap(reconcile_appversion, "advance", wrapper)


def current_phase_renamed() -> None:
    """Breaks contract §3 C3.1 "`status.currentPhase` names the phase that runs" (by its name in the table):
    the post-deployment task phase is written as AppPostDeployment."""
    def rename(status: dict) -> None:
        if status.get("currentPhase") == "AppPostDeployTasks":
            status["currentPhase"] = "AppPostDeployment"
    _changing_status(rename)


def promotion_state_early() -> None:
    """Breaks contract §3 C3.3 "Every phase state starts as `Pending`": promotionStatus is Progressing
    from the version's first pass, before its phase began."""
    def touch(status: dict) -> None:
        if status.get("currentPhase") != "PromotionTasks" and status.get("promotionStatus") == KeptnState.PENDING.value:
            status["promotionStatus"] = KeptnState.PROGRESSING.value
    _changing_status(touch)
