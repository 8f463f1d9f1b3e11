"""Breaks contract §10 C10.2 "When tracing is configured, the implementation sends the version's spans to the configured OpenTelemetry collector": nothing is sent.

Tasks still carry the version's trace (C10.1); no span of it reaches the collector.
"""
from harness.controller.tracing import Tracing
from mutants.compose import replace


def install() -> None:
    replace(Tracing, "_export", lambda self, *span: None)
