"""Each function breaks one row of the table of contract §4 (C4.1-C4.6, blocking mode): the failed phase
leaves one field of its row un-deprecated (it stays Pending), or, for a failed promotion phase, moves
`currentPhase` on to Completed. The version still fails, and nothing after it runs."""
import dataclasses

from harness.controller import lifecycle, reconcile_appversion
from mutants.compose import wrap


def _keep(failed: str, field: str):
    def install() -> None:
        def keeping(settle):
            def settled(phases, phase, aggregated, block_deployment):
                outcome = settle(phases, phase, aggregated, block_deployment)
                if phase.name != failed:
                    return outcome
                return dataclasses.replace(outcome, deprecate=tuple(f for f in outcome.deprecate if f != field))
            return settled
        wrap(lifecycle, "settle", keeping)
    install.__doc__ = (f"Breaks the row {failed} of contract §4's table: a failed {failed} phase leaves "
                       f"{field} Pending instead of Deprecated.")
    return install


pre_tasks_keep_pre_evaluations = _keep("AppPreDeployTasks", "preDeploymentEvaluationStatus")  # C4.1
pre_evaluations_keep_post_evaluations = _keep("AppPreDeployEvaluations", "postDeploymentEvaluationStatus")  # C4.2
post_tasks_keep_post_evaluations = _keep("AppPostDeployTasks", "postDeploymentEvaluationStatus")  # C4.4
post_evaluations_keep_promotion = _keep("AppPostDeployEvaluations", "promotionStatus")  # C4.5


def promotion_failure_completes() -> None:
    """Breaks contract §4 C4.6 "`currentPhase` stays `PromotionTasks`": a failed promotion phase moves
    currentPhase on to Completed (status Failed, promotionStatus Failed and endTime as the rule says)."""
    def completing(advance):
        def advanced(current, phases, observe, block_deployment, now, follow=None):
            result = advance(current, phases, observe, block_deployment, now, follow)
            status = result.status
            if status.get("status") == "Failed" and status.get("currentPhase") == "PromotionTasks":
                status["currentPhase"] = "Completed"
            return result
        return advanced
    wrap(reconcile_appversion, "advance", completing)
