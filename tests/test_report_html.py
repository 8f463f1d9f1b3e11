"""The report page: self-contained HTML with every scenario and one SVG rect per timeline bar."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from harness.report import Outcome, build_report, write_html, write_report, write_timeline
from harness.report.bars import bars_from_objects
from test_report_timeline import JOBS, TASKS, app_version, at

SVG = "{http://www.w3.org/2000/svg}"
VOID = {"meta", "br", "img", "hr", "input", "link"}


class NestingChecker(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


OUTCOMES = [
    Outcome("PromotionTasksRunInParallel", "PromotionParallelism", "core", "passed", "", 9.4, "steps/t.py::test_a"),
    Outcome("PromotionTaskFailsVersion", "PromotionBlockingFailure", "core", "failed",
            "promotionStatus: expected Failed, observed Succeeded <with markup>", 12.0, "steps/t.py::test_b"),
    Outcome("PromotionNonBlockingWarning", "PromotionNonBlockingFailure", "extended", "skipped", "not claimed", 0.0, "steps/t.py::test_c"),
]


def timelines(page: str) -> dict[str, ElementTree.Element]:
    """Each SVG of the page, parsed as XML (so it must be well-formed), by the scenario it draws."""
    svgs = [ElementTree.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", page, flags=re.S)]
    return {svg.get("aria-label").removeprefix("timeline of "): svg for svg in svgs}


@pytest.fixture
def report_dir(tmp_path):
    report = build_report(OUTCOMES, implementation={"name": "reference", "version": "0.1.0", "organization": "tests"},
                          provider={"name": "simulated"}, interrupted=True)
    write_report(report, tmp_path, OUTCOMES)
    write_timeline(tmp_path, "PromotionTasksRunInParallel", bars_from_objects([app_version()], TASKS, JOBS, []), status="passed")
    running = [{"row": "KeptnTask promotion-a-1", "group": "task", "start": at(0), "end": None, "status": "Progressing"}]
    write_timeline(tmp_path, "PromotionTaskFailsVersion", running, status="failed", recorded_at=at(5))
    return tmp_path


def test_the_page_is_well_formed_html_with_one_section_per_scenario(report_dir):
    page = write_html(report_dir).read_text()
    checker = NestingChecker()
    checker.feed(page)
    checker.close()
    assert checker.open == []
    for outcome in OUTCOMES:
        assert f"<h2>{outcome.id}</h2>" in page
    assert page.count('<section class="scenario"') == 3
    assert "promotionStatus: expected Failed, observed Succeeded &lt;with markup&gt;" in page
    assert "The run was interrupted" in page
    assert page.count("No timeline recorded.") == 1  # the skipped scenario


def test_the_page_loads_nothing_from_elsewhere(report_dir):
    page = write_html(report_dir).read_text()
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert re.findall(r'(?:src|href)="', page) == []
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}  # the SVG namespace name only


def test_each_timeline_is_an_svg_with_one_rect_per_bar(report_dir):
    page = write_html(report_dir).read_text()
    svgs = timelines(page)
    assert sorted(svgs) == ["PromotionTaskFailsVersion", "PromotionTasksRunInParallel"]
    parallel, failing = svgs["PromotionTasksRunInParallel"], svgs["PromotionTaskFailsVersion"]
    bar_rects = [rect for rect in parallel.iter(f"{SVG}rect") if "bar" in rect.get("class", "").split()]
    assert len(bar_rects) == len(bars_from_objects([app_version()], TASKS, JOBS, []))
    statuses = [rect.get("data-status") for rect in bar_rects]
    assert statuses.count("Failed") == 4  # version, promotion phase, deploy-prod task and its Job
    assert len([text for text in parallel.iter(f"{SVG}text") if text.get("class") == "failed-mark"]) == 4
    running = [rect for rect in failing.iter(f"{SVG}rect") if "bar" in rect.get("class", "").split()]
    assert len(running) == 1 and running[0].get("fill").startswith("url(#run-")


def test_parallel_tasks_sit_on_their_own_rows_at_overlapping_x(report_dir):
    page = write_html(report_dir).read_text()
    parallel = timelines(page)["PromotionTasksRunInParallel"]
    tasks = {rect.find(f"{SVG}title").text.split(" ")[1]: rect for rect in parallel.iter(f"{SVG}rect")
             if rect.get("class") == "bar task"}
    notify, deploy = tasks["promotion-notify-12345"], tasks["promotion-deploy-prod-54321"]
    assert notify.get("y") != deploy.get("y")
    notify_x, deploy_x = float(notify.get("x")), float(deploy.get("x"))
    assert notify_x < deploy_x + float(deploy.get("width")) and deploy_x < notify_x + float(notify.get("width"))


def test_a_timeline_without_an_outcome_still_gets_a_section(report_dir):
    write_timeline(report_dir, "PromotionOrphan", [{"row": "r", "group": "task", "start": at(0), "end": at(1), "status": "Succeeded"}],
                   status="passed")
    page = write_html(report_dir).read_text()
    assert "<h2>PromotionOrphan</h2>" in page
