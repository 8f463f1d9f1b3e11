"""Breaks contract §3 C3.7 "A phase with fewer items than definitions listed is `Pending`": it is Progressing.

A phase whose listed definitions do not all have an item yet (one of them does not exist) is
reported Progressing; everything else is aggregated as the reference does.
"""
from harness.contract.states import KeptnState as S
from harness.controller import lifecycle
from mutants.compose import wrap


def progressing_when_missing(aggregate):
    def aggregated(items, listed):
        state = aggregate(items, listed)
        if state == S.PENDING and len(items) < listed and S.PENDING not in items:
            return S.PROGRESSING
        return state
    return aggregated


def install() -> None:
    wrap(lifecycle, "aggregate", progressing_when_missing)
