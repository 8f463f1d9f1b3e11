"""Breaks contract §4 C4.9 "In non-blocking mode, a failed task or evaluation phase before promotion ends `Warning`, counts as passed, and the lifecycle goes on": it fails the version.

A failed phase before promotion is settled as in blocking mode whatever blockDeployment says; a
failed promotion phase still ends Warning in non-blocking mode (C4.10).
"""
from harness.contract.phases import PROMOTION
from harness.controller import lifecycle
from mutants.compose import wrap


def blocking_before_promotion(settle):
    def settled(phases, phase, aggregated, block_deployment):
        return settle(phases, phase, aggregated, block_deployment or phase != PROMOTION)
    return settled


def install() -> None:
    wrap(lifecycle, "settle", blocking_before_promotion)
