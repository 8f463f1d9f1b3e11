"""JUnit XML that a CI's test view reads the way this project names things.

pytest's junitxml names a test case after its Python function (`test_count_promotion_tasks_...
[10-listed]`, class `steps.test_promotion`). After the session has written the file, each
conformance scenario's test case is renamed from the labels the collector put into its
properties: name = the scenario ID (`PromotionTasksRunInParallel[10-listed]`), classname = its
conformance feature; the pytest name stays as the property `pytest.name`. An interrupted run gets
a test case `RunInterrupted` with an error, so that CI never shows it as a clean, shorter run.

A pytest plugin (loaded with the harness's, harness.plugin). Post-processing the file is the one way: junitxml takes names from node IDs and offers no hook
to change them.
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from harness.report.collector import PROPERTY

INTERRUPTED_CASE = "RunInterrupted"


def rename_scenarios(path: Path, interrupted: bool) -> None:
    tree = ElementTree.parse(path)
    root = tree.getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        for case in suite.findall("testcase"):
            if case.get("name") is None:  # the test a Ctrl-C stopped: junitxml leaves an empty, uncounted entry
                suite.remove(case)
                continue
            properties = case.find("properties")
            labels = {} if properties is None else {
                p.get("name", "").removeprefix(PROPERTY): p.get("value") for p in properties
                if p.get("name", "").startswith(PROPERTY)}
            if "id" not in labels or "feature" not in labels:
                continue  # not a conformance scenario (a unit test, the cluster's own features)
            ElementTree.SubElement(properties, "property", name="pytest.name",
                                   value=f"{case.get('classname')}::{case.get('name')}")
            case.set("classname", labels["feature"])
            case.set("name", labels["id"])
    if interrupted and suites:
        suite = suites[0]
        case = ElementTree.SubElement(suite, "testcase", classname="promotion-conformance", name=INTERRUPTED_CASE, time="0")
        ElementTree.SubElement(case, "error", message=(
            "the run was interrupted: scenarios that had not finished are missing from this file; "
            "the ConformanceReport says interrupted: true")).text = "interrupted (Ctrl-C, SIGTERM or SIGHUP)"
        for attribute in ("tests", "errors"):
            suite.set(attribute, str(int(suite.get(attribute, "0")) + 1))
    tree.write(path, encoding="utf-8", xml_declaration=True)


@pytest.hookimpl(trylast=True)  # junitxml writes its file in its own pytest_sessionfinish
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In the controlling process (the only one that writes `--junitxml`), once the file exists."""
    path = getattr(session.config.option, "xmlpath", None)
    if hasattr(session.config, "workerinput") or not path or not Path(path).exists():
        return
    rename_scenarios(Path(path), interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
