"""The contract's vocabulary, written once: the kinds of the API, KeptnState and check types, the
phase and failure tables, a Job's result, and the timestamp format.

The reference controller, the step library (the judges), the reports and the benchmarks all
import it from here; `docs/contract.md` states the same contract in words. Nothing in this package
knows the reference controller.
"""
