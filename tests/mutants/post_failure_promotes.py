"""Breaks contract §4 "AppPostDeployTasks / AppPostDeployEvaluations failing deprecate promotion; no promotion KeptnTask is ever created": promotion runs anyway.

In blocking mode a failed post-deployment phase is settled as in non-blocking mode (Warning), so
the lifecycle goes on to promotion.
"""
from harness.controller import lifecycle
from mutants.compose import wrap

POST_DEPLOYMENT = ("AppPostDeployTasks", "AppPostDeployEvaluations")


def post_deployment_never_blocks(settle):
    def settled(phases, phase, aggregated, block_deployment):
        return settle(phases, phase, aggregated, block_deployment and phase.name not in POST_DEPLOYMENT)
    return settled


def install() -> None:
    wrap(lifecycle, "settle", post_deployment_never_blocks)
