"""The judges of bad input, on objects and counts made up here: what a message must name
(harness.library.mentions), a version or object that reports bad input (harness.judges.stricter.reasons),
and hot loops (harness.judges.stricter.quiet). Each judge is shown failing on the input it exists to refuse."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from harness import timeouts
from harness.eventually import NotYet, WaitTimedOut
from harness.judges.stricter import quiet, reasons
from harness.judges.stricter.quiet import Reading
from harness.library import bad_input
from harness.library.api_requests import Request
from harness.library.mentions import Field, Name, first_naming, item
from fakes.cluster_reads import FakeKube


@pytest.fixture(autouse=True)
def short_waits():
    """Waits of 1/250 of their length: a judge that never holds times out in half a second."""
    before = timeouts.TIMEOUTS.current
    timeouts.configure(timeouts.timeouts_of({}, scale=0.004))
    yield
    timeouts.configure(before)


# -- what a text names --------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "text"), [
    ("spec.timeout", 'KeptnTaskDefinition "x" is invalid: spec.timeout: Invalid value: "5 minutes"'),
    ("spec.timeout", "the Timeout of x cannot be parsed"),  # any wording, any case
    ("spec.promotionTasks[0]", "spec.promotionTasks[3]: Invalid value"),  # the index does not matter
    ("spec.container.name", "spec.container.name: Required value"),
    ("spec.container.name", "its container has no name"),
    ("spec", "spec: Invalid value: exactly one of container, python, deno"),
])
def test_a_field_is_named_by_its_last_segment_in_any_wording(path, text):
    assert Field(path).named_in(text)


@pytest.mark.parametrize(("path", "text"), [
    ("spec.timeout", "Progressing"),
    ("spec.timeout", "KeptnTaskDefinition ktd-timeout-words cannot be run"),  # only inside another name
    ("spec.container.image", "spec.container.imagePullPolicy: Unsupported value"),  # another field
    ("spec.container.name", "KeptnTaskDefinition name x: spec.retries must not be negative"),  # `name` alone
    ("spec", "InvalidSpec"),
])
def test_a_field_is_not_named_by_an_unrelated_text(path, text):
    assert not Field(path).named_in(text)


def test_an_object_is_named_by_its_name_a_short_one_only_standing_alone():
    assert Name("random-001-task").named_in("KeptnTask promotion-random-001-task-12345 failed")
    assert not Name("random-001-task").named_in("KeptnAppVersion random-001-1.0.0-6b86b273 is Progressing")
    assert Name("a").named_in('KeptnTaskDefinition "a" not found')
    assert not Name("a").named_in("Progressing: waiting")
    assert Name("").named_in('KeptnTaskDefinition "" not found') and not Name("").named_in("not found")


def test_every_item_must_be_named_in_one_text():
    items = (item("ktd-x"), item("spec.timeout"))
    assert first_naming(["ktd-x: spec.timeout is out of range"], items) == "ktd-x: spec.timeout is out of range"
    assert first_naming(["ktd-x cannot run", "spec.timeout is out of range"], items) is None  # split over two
    assert first_naming(["ktd-y: spec.timeout"], (item("ktd-x", "ktd-y"),)) == "ktd-y: spec.timeout"  # alternatives


# -- a version or object that reports bad input ------------------------------------------------------------


def _version(app: str, state: str = "Progressing", message: str | None = None, completed: bool = False) -> dict:
    status = {"status": state, **({"message": message} if message else {}),
              **({"endTime": "2026-01-01T00:00:10Z"} if completed else {})}
    return {"kind": "KeptnAppVersion", "metadata": {"name": f"{app}-1.0.0-6b86b273", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"appName": app}, "status": status}


def _event(kind: str, name: str, reason: str, message: str) -> dict:
    return {"kind": "Event", "metadata": {"name": f"{name}.1"}, "involvedObject": {"kind": kind, "name": name},
            "reason": reason, "message": message}


WRONG = (item("ktd-timeout-out-of-range"), item("spec.timeout"))
SAID = 'KeptnTaskDefinition "ktd-timeout-out-of-range": spec.timeout 2562048h is beyond any duration'


def _says_why(kube: FakeKube, outcome: str = bad_input.WAITS_OR_FAILS, items=WRONG) -> str:
    return reasons.version_must_say_why(kube, "t", "shop", items, outcome)


def test_a_waiting_version_naming_the_definition_and_the_field_in_its_message_or_an_event_passes():
    assert _says_why(FakeKube.of(_version("shop", message=SAID))) == f"Progressing: {SAID}"
    version = _version("shop", message="Progressing")
    event = _event("KeptnAppVersion", version["metadata"]["name"], "PromotionTasksInvalid", SAID)
    assert _says_why(FakeKube.of(version, event)).endswith(SAID)
    assert _says_why(FakeKube.of(_version("shop", "Failed", SAID, completed=True)), bad_input.FAILS).startswith("Failed")


@pytest.mark.parametrize(("objects", "seen"), [
    ([_version("shop", "Pending")], "is Pending, but .* they say: nothing$"),  # a silent Pending version
    ([_version("shop", message="Progressing")], "they say: 'Progressing'$"),  # a message that says nothing
    ([_version("shop"), _event("KeptnApp", "shop", "Invalid", SAID)], "they say: nothing$"),  # about another object
    ([_version("shop", message='KeptnTaskDefinition "ktd-retries-negative": spec.timeout is out of range')],
     "ktd-retries-negative"),  # naming another definition
    ([_version("shop", message='KeptnTaskDefinition "ktd-timeout-out-of-range" cannot be run')],
     "cannot be run'$"),  # the definition without the field
    ([_version("shop", message="ktd-timeout-out-of-range"), _event("KeptnAppVersion", "shop-1.0.0-6b86b273", "X",
                                                                    "spec.timeout is out of range")],
     "'ktd-timeout-out-of-range'; 'X: spec.timeout is out of range'$"),  # the two in two texts
    ([], "no KeptnAppVersion of shop"),
])
def test_a_version_that_does_not_name_what_is_wrong_fails(objects, seen):
    with pytest.raises(WaitTimedOut, match="to wait or fail naming ktd-timeout-out-of-range and spec.timeout") as failed:
        _says_why(FakeKube.of(*objects))
    assert re.search(seen, str(failed.value)), str(failed.value)


def test_a_version_that_completed_although_it_should_wait_fails_at_once():
    for outcome in (bad_input.WAITS, bad_input.WAITS_OR_FAILS):
        with pytest.raises(AssertionError, match=r"is Succeeded \(completed\); expected it to wait"):
            reasons.judge_version("v", {"status": "Succeeded", "endTime": "t"}, [SAID], WRONG, outcome)
    with pytest.raises(AssertionError, match=r"is Failed \(completed\); expected it to wait naming"):
        reasons.judge_version("v", {"status": "Failed", "endTime": "t"}, [SAID], WRONG, bad_input.WAITS)
    with pytest.raises(NotYet, match="expected it to fail naming"):
        reasons.judge_version("v", {"status": "Progressing"}, [SAID], WRONG, bad_input.FAILS)


def test_a_random_apps_version_completes_or_names_what_is_wrong():
    assert _says_why(FakeKube.of(_version("shop", "Succeeded", completed=True)), bad_input.COMPLETES_OR_SAYS_WHY) == \
        "completed Succeeded"
    with pytest.raises(WaitTimedOut, match="they say: 'Progressing'"):
        _says_why(FakeKube.of(_version("shop", message="Progressing")), bad_input.COMPLETES_OR_SAYS_WHY)
    with pytest.raises(WaitTimedOut, match="is Failed"):  # failed and silent
        _says_why(FakeKube.of(_version("shop", "Failed", "PromotionTasks failed", completed=True)),
                  bad_input.COMPLETES_OR_SAYS_WHY)
    no_version = FakeKube.of(_event("KeptnApp", "shop", "InvalidSpec", "ktd-timeout-out-of-range: spec.timeout"))
    assert _says_why(no_version, bad_input.COMPLETES_OR_SAYS_WHY).startswith("no KeptnAppVersion; the KeptnApp says")
    with pytest.raises(WaitTimedOut):  # the KeptnApp's events count only for an app without a version
        _says_why(no_version, bad_input.WAITS)


def test_an_object_reports_on_itself_or_through_the_version_of_its_app():
    task = {"kind": "KeptnTask", "metadata": {"name": "by-hand"}, "status": {"message": "spec.timeout: out of range"}}
    assert reasons.object_must_report(FakeKube.of(task), "t", "KeptnTask", "by-hand", (item("spec.timeout"),))
    context = {"kind": "KeptnAppContext", "metadata": {"name": "shop"}}
    said = reasons.object_must_report(FakeKube.of(context, _version("shop", message='"" is no definition name: '
                                                                               "spec.promotionTasks[0]")),
                                       "t", "KeptnAppContext", "shop", (item("spec.promotionTasks"),))
    assert said.startswith('"" is no definition name')
    silent = {"kind": "KeptnTask", "metadata": {"name": "by-hand"}, "status": {"status": "Pending"}}
    with pytest.raises(WaitTimedOut, match="names spec.timeout; they say: nothing"):
        reasons.object_must_report(FakeKube.of(silent, _event("KeptnTask", "other", "X", "spec.timeout")), "t",
                                    "KeptnTask", "by-hand", (item("spec.timeout"),))


def test_a_version_expected_to_wait_must_not_complete():
    reasons.waiting_versions_must_stay(FakeKube.of(_version("shop", message=SAID)), "t", ["shop"])
    with pytest.raises(AssertionError, match="the KeptnAppVersion of shop was expected to wait, but is Failed"):
        reasons.waiting_versions_must_stay(FakeKube.of(_version("shop", "Failed", SAID, completed=True)), "t", ["shop"])


def test_each_expected_outcome_of_a_corpus_file_must_show():
    from pathlib import Path

    def outcome(expectation: bad_input.Expectation, *objects: dict) -> str:
        case = bad_input.Case(Path("corpus/ktd-timeout-out-of-range.yaml"), "a timeout out of range", (expectation,), ())
        return reasons.outcome_must_show(FakeKube.of(*objects), "t", case, expectation)

    waits = bad_input.Expectation(bad_input.WAITS, "shop", items=(("ktd-timeout-out-of-range",), ("spec.timeout",)))
    assert outcome(waits, _version("shop", message=SAID)) == f"Progressing: {SAID}"
    with pytest.raises(WaitTimedOut, match="to wait naming ktd-timeout-out-of-range and spec.timeout"):
        outcome(waits, _version("shop", message="Progressing"))
    completes = bad_input.Expectation("completes", "shop")
    assert outcome(completes, _version("shop", "Succeeded", completed=True)) == "completed"
    with pytest.raises(AssertionError, match="it has completed"):
        outcome(completes, _version("shop", "Failed", SAID, completed=True))
    reports = bad_input.Expectation("reports", "by-hand", kind="KeptnTask", items=(("spec.timeout",),))
    silent = {"kind": "KeptnTask", "metadata": {"name": "by-hand"}, "status": {"status": "Pending"}}
    with pytest.raises(WaitTimedOut, match="names spec.timeout; they say: nothing"):
        outcome(reports, silent)


def _corpus_file(*expectations: bad_input.Expectation) -> bad_input.Case:
    from pathlib import Path

    return bad_input.Case(Path("corpus/ktd-timeout-out-of-range.yaml"), "a timeout out of range", expectations, ())


def test_the_whole_corpus_must_be_admitted_as_each_file_says_and_every_problem_is_named():
    from harness.library.admission import Answer

    refused = bad_input.Expectation("refused", "ktd-x", kind="KeptnTaskDefinition", items=(("spec.timeout",),),
                                    fixed_by="contract §1")
    case = _corpus_file(refused)
    reasons.corpus_must_be_admitted([(case, [Answer("KeptnTaskDefinition", "ktd-x", "spec.timeout: Invalid value", 422)])])
    with pytest.raises(AssertionError, match="(?s)ktd-timeout-out-of-range.yaml: KeptnTaskDefinition ktd-x was accepted.*"
                                             "ktd-timeout-out-of-range.yaml: KeptnTaskDefinition ktd-x was refused \\(422\\), "
                                             "but the message names none of spec.timeout"):
        reasons.corpus_must_be_admitted([(case, [Answer("KeptnTaskDefinition", "ktd-x", None)]),
                                           (case, [Answer("KeptnTaskDefinition", "ktd-x", "InvalidSpec", 422)])])


def test_every_accepted_corpus_file_must_show_its_outcomes_and_its_waiting_versions_keep_waiting():
    from harness.library.admission import Answer

    waits = bad_input.Expectation(bad_input.WAITS, "shop", items=(("ktd-timeout-out-of-range",), ("spec.timeout",)))
    accepted = [(_corpus_file(waits), [Answer("KeptnApp", "shop", None)])]
    said = []
    reasons.corpus_outcomes_must_show(FakeKube.of(_version("shop", message=SAID)), "t", accepted, said.append)
    assert said == [f"ktd-timeout-out-of-range: waits: Progressing: {SAID}"]
    with pytest.raises(AssertionError, match="ktd-timeout-out-of-range.yaml \\(a timeout out of range\\): timed out"):
        reasons.corpus_outcomes_must_show(FakeKube.of(_version("shop", message="Progressing")), "t", accepted, said.append)
    refused_file = [(_corpus_file(waits), [Answer("KeptnApp", "shop", "refused", 422)])]  # its outcomes do not apply
    reasons.corpus_outcomes_must_show(FakeKube.of(), "t", refused_file, said.append)


# -- hot loops -------------------------------------------------------------------------------------------

PATCH = Request("PATCH", "lifecycle.keptn.sh", "keptnappversions", "status", "200")


def _readings(writes_at: dict[float, int], until: float, every: float = 2.0) -> list[Reading]:
    """Readings every `every` seconds from 0 to `until`; writes_at: second → writes made just before it."""
    readings, total, at = [], 0, 0.0
    while at <= until:
        total += sum(count for second, count in writes_at.items() if at - every < second <= at)
        readings.append(Reading(at, Counter({PATCH: total}) if total else Counter()))
        at += every
    return readings


def test_an_implementation_that_settles_and_stays_quiet_passes():
    busy_then_quiet = {1.0: 40, 3.0: 40, 5.0: 2}  # 82 writes at first, then nothing
    verdict = quiet.verdict(_readings(busy_then_quiet, until=60), allowed=6)
    assert verdict == "settled 4s into the count and quiet for 40s (at most 6 writes in any 10s)"


def test_a_burst_writer_fails_although_it_is_quiet_in_some_window():
    bursts = {second: 20 for second in range(15, 60, 15)}  # 20 writes every 15 s
    with pytest.raises(AssertionError, match=r"settled 0s into the count, but wrote 20 times in the 10s from 6s "
                                             r"\(6s after settling; at most 6 allowed\): it writes in bursts\. "
                                             r"20× PATCH lifecycle.keptn.sh/keptnappversions/status → 200"):
        quiet.verdict(_readings(bursts, until=60), allowed=6)


def test_a_burst_straddling_two_readings_is_counted_whole():
    # 4 writes just before 16 s and 4 just before 18 s: no single reading sees more than 4
    with pytest.raises(AssertionError, match="wrote 8 times"):
        quiet.verdict(_readings({15.5: 4, 17.5: 4}, until=60), allowed=6)


def test_a_writer_that_never_settles_is_not_yet_and_one_watched_too_briefly_neither():
    with pytest.raises(NotYet, match="no 10s window with at most 6 writes yet; the last one: 50 writes"):
        quiet.verdict(_readings({second: 10 for second in range(1, 40, 2)}, until=40), allowed=6)
    with pytest.raises(NotYet, match="settled 0s into the count; watching whether it stays quiet"):
        quiet.verdict(_readings({}, until=30), allowed=6)


def test_refused_requests_of_the_implementation_are_at_most_one_per_bad_object():
    refused = Request("POST", "batch", "jobs", "", "422")
    before, after = Counter(), Counter({refused: 33 + 5, PATCH: 100})
    assert quiet.refusals_must_be_few(before, after, own_refusals=33, bad_objects=56).endswith(
        "the implementation's: 5")
    with pytest.raises(AssertionError, match=r"refused 60 requests of the implementation for 56 bad objects .*"
                                             r"93× POST batch/jobs → 422"):
        quiet.refusals_must_be_few(before, Counter({refused: 93}), own_refusals=33, bad_objects=56)
    assert quiet.counted_refusals([422, None, 403, 400]) == 2  # a webhook's 403 is not a refused write


def test_counting_writes_stops_at_once_when_the_implementation_is_gone():
    def gone():
        raise AssertionError("reference is not running (pid 42 is gone)")

    with pytest.raises(AssertionError, match=r"while watching the implementation while its writes are counted: "
                                             r"reference is not running"):
        quiet.must_settle_and_stay_quiet(Counter, gone, bad_objects=56)
