"""Breaks contract §4 (blocking mode) "PromotionTasks failing: status Failed": a failed promotion task does not fail the version.

In blocking mode a failed promotion phase is settled as in non-blocking mode (Warning, the
version completes Succeeded).
"""
from harness.contract.phases import PROMOTION
from harness.controller import lifecycle
from mutants.compose import wrap


def never_blocking_for_promotion(settle):
    def settled(phases, phase, aggregated, block_deployment):
        return settle(phases, phase, aggregated, block_deployment and phase != PROMOTION)
    return settled


def install() -> None:
    wrap(lifecycle, "settle", never_blocking_for_promotion)
