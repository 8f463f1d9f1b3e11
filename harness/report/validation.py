"""Is a ConformanceReport valid? The JSON Schema beside this module decides; this module only
loads it, reads report files and words the problems as `<JSON path>: <what is wrong>`.

`promotion-conformance report validate FILE` is `validate_command`: exit 0 valid, 1 invalid (each
problem on its own line), 2 the file cannot be read or is not YAML.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import jsonschema
import yaml

from harness.report.verdict import profile_result

SCHEMA_FILE = Path(__file__).parent / "schema" / "conformance-report.schema.json"


class ReportInvalid(ValueError):
    """A report does not match the schema; `problems` lists each one with its JSON path."""

    def __init__(self, what: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{what} is not a valid ConformanceReport:\n  " + "\n  ".join(problems))


class ReportUnreadable(ValueError):
    """A report file that cannot be read or parsed as YAML; the message names the file (and line)."""


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems_of(report: object) -> list[str]:
    """Every way `report` breaks the schema, as `$.path.to[0].field: message`, in document order;
    then every way a profile contradicts itself (a result its statistics do not give, a count its
    lists do not hold)."""
    errors = sorted(_validator().iter_errors(report), key=lambda error: [str(part) for part in error.absolute_path])
    problems = [f"{error.json_path}: {error.message}" for error in errors]
    if problems:
        return problems
    for index, profile in enumerate(report["profiles"]):
        statistics = profile["statistics"]
        expected = profile_result(**statistics, interrupted=report["interrupted"])
        if profile["result"] != expected:
            problems.append(f"$.profiles[{index}].result: {profile['result']!r} contradicts its statistics {statistics}"
                            f"{' of an interrupted run' if report['interrupted'] else ''}, which give {expected!r}")
        for status, listed in _LISTS.items():
            if len(profile[listed]) != statistics[status]:
                problems.append(f"$.profiles[{index}].{listed}: lists {len(profile[listed])} scenario(s), its "
                                f"statistics.{status} says {statistics[status]}")
    return problems


_LISTS = {"failed": "failedTests", "skipped": "skippedTests", "notRun": "notRunTests",
          "notApplicable": "notApplicableTests", "unsupported": "unsupportedTests"}


def check(report: dict, what: str = "the report") -> None:
    """Raise ReportInvalid unless `report` matches the schema."""
    problems = problems_of(report)
    if problems:
        raise ReportInvalid(what, problems)


class _Loader(yaml.SafeLoader):
    """YAML as written by hand: an unquoted `date: 2025-01-02T03:04:05Z` stays the string the schema expects."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_file(path: str | Path) -> object:
    """The YAML document in `path`; ReportUnreadable names the file (and the line) when it cannot be had."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportUnreadable(f"{path}: cannot read: {exc}") from exc
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ReportUnreadable(f"{where}: not YAML: {problem}") from exc


def validate_file(path: str | Path) -> list[str]:
    """The problems of the report in `path` (empty when valid); ReportUnreadable when it is not YAML."""
    document = load_file(path)
    if document is None:
        return ["$: the file holds no YAML document; expected a ConformanceReport"]
    return problems_of(document)


def validate_command(path: str) -> int:
    """`report validate FILE`: 0 valid, 1 invalid, 2 unreadable."""
    try:
        problems = validate_file(path)
    except ReportUnreadable as exc:
        print(f"promotion-conformance: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"{path}: not a valid ConformanceReport ({len(problems)} problem{'s' * (len(problems) > 1)}):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{path}: valid ConformanceReport")
    return 0
