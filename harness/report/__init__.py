"""Reports of a conformance run: the ConformanceReport (YAML, validated against its JSON Schema),
the timelines of each scenario and one HTML page. JUnit XML and cucumber JSON come from pytest and
pytest-bdd themselves (--junitxml, --cucumberjson).
"""
from harness.report.bars import bars_from_watch
from harness.report.collector import configure, describe_provider, observe
from harness.report.conformance import build_report, write_report
from harness.report.html import write_html
from harness.report.outcome import Outcome
from harness.report.timeline import write_timeline
from harness.report.validation import ReportInvalid, ReportUnreadable, validate_command, validate_file
from harness.report.verdict import profile_result

__all__ = [
    "Outcome", "ReportInvalid", "ReportUnreadable", "bars_from_watch", "build_report", "configure", "describe_provider", "observe",
    "profile_result", "validate_command", "validate_file", "write_html", "write_report", "write_timeline",
]
