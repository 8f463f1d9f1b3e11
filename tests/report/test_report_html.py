"""The report page: self-contained HTML with every scenario and one SVG rect per timeline bar."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from harness.report import Outcome, build_report, write_html, write_report, write_timeline
from harness.report.bars import bars_from_watch
from test_report_timeline import DEPLOY, NOTIFY, WATCHED, at

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
    Outcome("CRDUpgradeKeepsObjects", "CRDCompatibility", "core", "passed", "", 3.2, "steps/t.py::test_d"),
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
    write_timeline(tmp_path, "PromotionTasksRunInParallel", bars_from_watch(WATCHED), status="passed")
    running = [{"row": "KeptnTask promotion-a-1", "group": "task", "start": at(0), "end": None, "status": "Progressing"}]
    write_timeline(tmp_path, "PromotionTaskFailsVersion", running, status="failed", recorded_at=at(5))
    (tmp_path / "diagnostics" / "PromotionTaskFailsVersion").mkdir(parents=True)
    (tmp_path / "diagnostics" / "PromotionTaskFailsVersion" / "failure.txt").write_text("AssertionError")
    return tmp_path


def test_the_page_is_well_formed_html(report_dir):
    page = write_html(report_dir).read_text()
    checker = NestingChecker()
    checker.feed(page)
    checker.close()
    assert checker.open == []
    assert "promotionStatus: expected Failed, observed Succeeded &lt;with markup&gt;" in page
    assert "The run was interrupted" in page


def overview(page: str) -> list[list[str]]:
    """The rows of the table of every scenario, as text cells."""
    table = re.search(r'<table class="scenarios">(.*?)</table>', page, flags=re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table) if "<td" in row]


def test_one_table_holds_every_scenario_failures_first(report_dir):
    rows = overview(write_html(report_dir).read_text())
    assert [(row[0], row[1]) for row in rows] == [
        ("failed", "PromotionTaskFailsVersion"),
        ("passed", "CRDUpgradeKeepsObjects"),  # within a result: core first, then by feature and ID
        ("passed", "PromotionTasksRunInParallel"),
        ("skipped", "PromotionNonBlockingWarning"),
    ]
    skipped = rows[-1]
    assert skipped[2:] == ["PromotionNonBlockingFailure", "extended", "", "not claimed"]  # no seconds: it did not run


def test_failures_come_first_and_scenarios_without_a_timeline_get_no_card(report_dir):
    page = write_html(report_dir).read_text()
    cards = re.findall(r'<section class="scenario[^"]*" id="([^"]+)"', page)
    assert cards == ["PromotionTaskFailsVersion", "PromotionTasksRunInParallel"]  # the failure, then timelines
    assert page.index('id="PromotionTaskFailsVersion"') < page.index('<table class="scenarios">')
    assert "No timeline recorded" not in page
    assert '<a href="#PromotionTaskFailsVersion">' in page and ">CRDUpgradeKeepsObjects<" in page
    assert '<a href="diagnostics/PromotionTaskFailsVersion/failure.txt">failure.txt</a>' in page
    assert '<a href="diagnostics/PromotionTaskFailsVersion/">every object of its namespace</a>' in page


def test_a_failure_without_a_timeline_still_gets_its_card_with_the_reason(report_dir):
    (report_dir / "timelines" / "PromotionTaskFailsVersion.json").unlink()
    page = write_html(report_dir).read_text()
    card = re.search(r'<section class="scenario failed" id="PromotionTaskFailsVersion">(.*?)</section>', page, flags=re.S)
    assert card and "observed Succeeded" in card.group(1) and "<svg" not in card.group(1)


def test_each_timeline_is_an_svg_with_one_rect_per_bar(report_dir):
    page = write_html(report_dir).read_text()
    svgs = timelines(page)
    assert sorted(svgs) == ["PromotionTaskFailsVersion", "PromotionTasksRunInParallel"]
    parallel, failing = svgs["PromotionTasksRunInParallel"], svgs["PromotionTaskFailsVersion"]
    bar_rects = [rect for rect in parallel.iter(f"{SVG}rect") if "bar" in rect.get("class", "").split()]
    assert len(bar_rects) == len(bars_from_watch(WATCHED))
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
    notify, deploy = tasks[NOTIFY], tasks[DEPLOY]
    assert notify.get("y") != deploy.get("y")
    notify_x, deploy_x = float(notify.get("x")), float(deploy.get("x"))
    assert notify_x < deploy_x + float(deploy.get("width")) and deploy_x < notify_x + float(notify.get("width"))


def test_a_timeline_without_an_outcome_still_gets_a_card(report_dir):
    write_timeline(report_dir, "PromotionOrphan", [{"row": "r", "group": "task", "start": at(0), "end": at(1), "status": "Succeeded"}],
                   status="passed")
    page = write_html(report_dir).read_text()
    assert "<h3>PromotionOrphan</h3>" in page


def test_a_long_reason_is_cut_in_the_table_and_whole_in_the_card(tmp_path):
    long = Outcome("PromotionTaskFailsVersion", "PromotionBlockingFailure", "core", "failed", "x" * 200 + " end", 1.0, "n")
    report = build_report([long], implementation={"name": "r", "version": "1", "organization": "o"}, provider={"name": "simulated"})
    write_report(report, tmp_path, [long])
    page = write_html(tmp_path).read_text()
    assert overview(page)[0][5] == "x" * 139 + "…"
    assert "x" * 200 + " end</p>" in page
