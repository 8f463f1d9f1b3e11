"""Breaks contract §4 (non-blocking mode) "a failing promotion task ends with promotionStatus Warning, status Succeeded": it fails the version.

With blockDeployment false a failed promotion phase is settled as in blocking mode.
"""
from harness.contract.phases import PROMOTION
from harness.controller import lifecycle
from mutants.compose import wrap


def always_blocking_for_promotion(settle):
    def settled(phases, phase, aggregated, block_deployment):
        return settle(phases, phase, aggregated, block_deployment or phase == PROMOTION)
    return settled


def install() -> None:
    wrap(lifecycle, "settle", always_blocking_for_promotion)
