"""The bad-input corpus (fixtures/reliability/bad_input/) is what the scenario needs: at least 30
bad objects, each file saying what is wrong and what must happen about objects it holds, every
name unique (all files go into one namespace), and the header format read strictly."""
from __future__ import annotations

from collections import Counter

import pytest

from harness.library import bad_input
from harness.library.bad_input import CorpusError, Expectation, parse_expectation

CASES = bad_input.load_corpus()


def test_the_corpus_holds_at_least_30_bad_objects_refused_and_accepted_ones():
    outcomes = Counter(e.outcome for case in CASES for e in case.expectations)
    assert len(CASES) >= 30, f"{len(CASES)} corpus files"
    assert outcomes["refused"] >= 20 and outcomes["waits"] + outcomes["fails"] + outcomes["reports"] >= 15, outcomes


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.path.stem)
def test_every_expectation_is_about_an_object_of_its_file(case):
    present = {(obj["kind"], obj["metadata"]["name"]) for obj in case.objects}
    for expectation in case.expectations:
        assert (expectation.kind, expectation.name) in present, (
            f"{case.path.name}: `{expectation}` is about no object of the file; it has {sorted(present)}")
        assert expectation.outcome in ("completes", "refused") or expectation.words, (
            f"{case.path.name}: `{expectation}` must say which words its status or events name")
    assert all("namespace" not in obj["metadata"] for obj in case.objects), (
        f"{case.path.name}: objects get the scenario's namespace; do not set one")


def test_names_are_unique_across_the_corpus():
    names = Counter((obj["kind"], obj["metadata"]["name"]) for case in CASES for obj in case.objects)
    assert [name for name, count in names.items() if count > 1] == []


def test_expectations_are_read_from_the_header():
    assert parse_expectation('refused KeptnApp shop naming spec.version: "Required value"', "f:2") == Expectation(
        "refused", "shop", "KeptnApp", "spec.version", ("Required value",))
    assert parse_expectation('waits app shop: "promote-a", "not found"', "f:2") == Expectation(
        "waits", "shop", words=("promote-a", "not found"))
    assert parse_expectation("completes app shop", "f:2") == Expectation("completes", "shop")
    assert parse_expectation('reports KeptnTask t: "spec.timeout"', "f:2") == Expectation(
        "reports", "t", "KeptnTask", words=("spec.timeout",))


@pytest.mark.parametrize("text", ["refused KeptnApp shop", "waits app shop", "maybe app shop",
                                  'waits app shop: promote-a, "not found"'])
def test_an_unreadable_expectation_names_the_file_and_line(text):
    with pytest.raises(CorpusError, match=r"^bad.yaml:3: "):
        parse_expectation(text, "bad.yaml:3")


def test_a_file_without_its_header_is_refused_naming_it(tmp_path):
    path = tmp_path / "bare.yaml"
    path.write_text("# wrong: nothing said about the outcome\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(CorpusError, match=r"bare.yaml: the first comment lines must say `# wrong: ...` and `# expect: ...`"):
        bad_input.load_case(path)
