"""Breaks contract §6 "Exactly once ... not when two controller replicas run": there is no leader election, every replica acts.

The settings always say --leader-elect=false, whatever the flags say.
"""
from dataclasses import replace as with_changes

from harness.controller import app
from mutants.compose import wrap


def without_leader_election(parse_settings):
    return lambda argv, environ: with_changes(parse_settings(argv, environ), leader_elect=False)


def install() -> None:
    wrap(app, "parse_settings", without_leader_election)
