"""Conformance and simulation harness for the Keptn promotion phase (KEP 98)."""
