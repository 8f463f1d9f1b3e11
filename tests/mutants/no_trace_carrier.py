"""Breaks contract §10 C10.1 "When tracing is configured, a promotion task's `spec.context.metadata` carries the version's W3C trace carrier": no task gets a traceparent, tracing configured or not.

The trace carrier a phase gives its tasks is always none; spans are still sent.
"""
from harness.controller import phase_checks
from mutants.compose import wrap


def install() -> None:
    wrap(phase_checks, "task_traceparent", lambda task_traceparent: lambda carrier, phase: None)
