"""Breaks contract §4 C4.7 "The version fails as soon as one item of the phase failed, while its other items still run": the phase fails only once every item ended.

A failed item with siblings still running (or not yet created) leaves the phase Progressing; the
phase, and the version, fail when the last of them ended.
"""
from harness.contract.states import KeptnState as S
from harness.controller import lifecycle
from mutants.compose import wrap


def waiting_for_all(aggregate):
    def aggregated(items, listed):
        failed = any(s in (S.FAILED, S.DEPRECATED) for s in items)
        running = len(items) < listed or any(not s.completed for s in items)
        if failed and running:
            return S.PROGRESSING
        return aggregate(items, listed)
    return aggregated


def install() -> None:
    wrap(lifecycle, "aggregate", waiting_for_all)
