"""The kill matrix: what `matrix.yaml` expects of each mutant and variant, and the verdict on what a
run observed.

- A **mutant** breaks one rule of docs/contract.md. It is *killed* when every scenario the matrix expects to
  kill it failed and every sentinel (a scenario it must still pass) passed. It *survived* when none
  of its killers failed; a sentinel that failed is an *unexpected failure*; a killer that passed
  while others failed leaves it *partly killed* (the matrix expects more than the suite catches).
- A **variant** differs from the reference where the contract allows: it must pass every scenario
  it runs. A scenario listed under `unfairJudges` fails it because its judge bakes in the
  reference (reported to the lead): it may fail or pass (a judge that bakes in a timing fails a
  poller only when the timing goes against it); either way it is shown, and the entry goes once
  the judge is fixed.
- The **reference** runs every scenario of the matrix and must pass them all.

A scenario that ran as several examples (a Scenario Outline) counts as failed when one example
failed. A scenario that did not run (skipped, not applicable, not run) cannot give a verdict.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.contract.rules import ID_PATTERN
from harness.validated_yaml import ConfigError, line_of, load_validated

HERE = Path(__file__).resolve().parent
MATRIX_FILE = HERE / "matrix.yaml"
REFERENCE_ADAPTER = HERE.parents[1] / "harness" / "implementations" / "reference.yaml"

# `module:function` under tests/mutants/ (`job_fields:pod_template_labels`)
_CHANGE = {"type": "string", "pattern": "^[a-z][a-z0-9_.]*:[a-z_][a-z0-9_]*$"}
_IDS = {"type": "array", "items": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]+$"}, "uniqueItems": True}
SCHEMA = {
    "type": "object",
    "required": ["mutants", "variants"],
    "additionalProperties": False,
    "properties": {
        "mutants": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["name", "breaks", "kills", "sentinels"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                           "breaks": {"type": "string", "pattern": f"^{ID_PATTERN}$"},
                           "change": _CHANGE, "crdChange": _CHANGE,
                           "kills": {**_IDS, "minItems": 1}, "sentinels": _IDS, "ci": {"type": "boolean"},
                           "note": {"type": "string"}},
            "not": {"required": ["change", "crdChange"]},
        }},
        "variants": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "adapter", "passes"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                           "adapter": {"type": "string"}, "passes": {**_IDS, "minItems": 1},
                           "ci": {"type": "boolean"},
                           "unfairJudges": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}}},
        }},
    },
}

MUTANT, VARIANT, REFERENCE = "mutant", "variant", "reference"
FAIL, PASS, UNFAIR = "fail", "pass", "unfair"
# verdicts
KILLED, SURVIVED, PARTLY_KILLED, UNEXPECTED, NOT_RUN = "killed", "survived", "partly killed", "unexpected failure", "not run"
PASSED = "passed"
GOOD = (KILLED, PASSED)


@dataclass(frozen=True)
class Entry:
    """One row of the matrix: what runs, and what each of its scenarios must do."""

    name: str
    kind: str  # mutant, variant or reference
    adapter: Path  # a variant's or the reference's; a mutant's is generated (adapters.py)
    rule: str  # a mutant's: the ID of the rule of docs/contract.md it breaks; empty otherwise
    expected: dict[str, str]  # scenario ID → FAIL, PASS, or UNFAIR (a variant's scenario with an unfair judge)
    unfair: dict[str, str] = field(default_factory=dict)  # scenario ID → why its judge fails a conformant variant
    ci: bool = False
    note: str = ""
    change: str = ""  # a mutant's change of the reference controller, `module:function`
    crd_change: str = ""  # or of the reference's CRDs, `module:function`

    @property
    def scenarios(self) -> list[str]:
        return list(self.expected)


@dataclass(frozen=True)
class Cell:
    scenario: str
    expected: str  # FAIL, PASS or UNFAIR
    observed: str  # the run's outcome: passed, failed, skipped, notApplicable, notRun, unsupported, missing
    reason: str = ""  # why it failed, from the report

    @property
    def matches(self) -> bool:
        if self.expected == UNFAIR:
            return self.observed in ("passed", "failed")
        return {FAIL: "failed", PASS: "passed"}[self.expected] == self.observed


@dataclass(frozen=True)
class Verdict:
    entry: str
    kind: str
    verdict: str
    cells: tuple[Cell, ...]
    problems: tuple[str, ...]  # why the verdict is not good, one sentence each
    seconds: float = 0.0

    @property
    def good(self) -> bool:
        return self.verdict in GOOD

    def as_dict(self) -> dict:
        return {**asdict(self), "good": self.good}


class MatrixError(ConfigError):
    """matrix.yaml says something impossible; the message names the file, line and field."""


def load(path: Path = MATRIX_FILE, known_ids: set[str] | None = None,
         known_rules: set[str] | None = None) -> list[Entry]:
    """Every mutant and variant of the matrix, then the reference (every scenario they use).
    `known_rules` None: the rules of harness/contract/rules.yaml."""
    try:
        document = load_validated(path, SCHEMA, "kill matrix")
    except ConfigError as error:
        raise MatrixError(str(error)) from None
    if known_ids is None:
        from harness.catalogue import scenario_ids

        known_ids = scenario_ids()
    if known_rules is None:
        from harness.contract import rules

        known_rules = set(rules.by_id())
    entries = []
    for index, mutant in enumerate(document["mutants"]):
        where = ["mutants", index]
        name = mutant["name"]
        _check_ids(path, where, mutant, ("kills", "sentinels"), known_ids)
        both = set(mutant["kills"]) & set(mutant["sentinels"])
        if both:
            _refuse(path, [*where, "sentinels"], f"{', '.join(sorted(both))} cannot both kill {name} and be passed by it")
        if known_rules is not None and mutant["breaks"] not in known_rules:
            _refuse(path, [*where, "breaks"], f"unknown rule {mutant['breaks']}; harness/contract/rules.yaml lists them")
        change, crd_change = mutant.get("change", "" if "crdChange" in mutant else f"{name}:install"), mutant.get("crdChange", "")
        for key, text in (("change", change), ("crdChange", crd_change)):
            if text and not (path.parent / f"{text.split(':')[0].replace('.', '/')}.py").is_file():
                _refuse(path, [*where, key if key in mutant else "name"], f"mutant {name} needs tests/mutants/"
                                                                        f"{text.split(':')[0].replace('.', '/')}.py")
        expected = {**{i: FAIL for i in mutant["kills"]}, **{i: PASS for i in mutant["sentinels"]}}
        entries.append(Entry(name, MUTANT, Path(), mutant["breaks"], expected, ci=mutant.get("ci", False),
                             note=mutant.get("note", ""), change=change, crd_change=crd_change))
    for index, variant in enumerate(document["variants"]):
        where = ["variants", index]
        _check_ids(path, where, variant, ("passes",), known_ids)
        unfair = variant.get("unfairJudges", {})
        stray = [i for i in unfair if i not in variant["passes"]]
        if stray:
            _refuse(path, [*where, "unfairJudges"], f"{', '.join(stray)}: not among the scenarios it runs (passes)")
        adapter = (path.parent / variant["adapter"]).resolve()
        if not adapter.is_file():
            _refuse(path, [*where, "adapter"], f"{variant['adapter']} does not exist ({adapter})")
        expected = {i: UNFAIR if i in unfair else PASS for i in variant["passes"]}
        entries.append(Entry(variant["name"], VARIANT, adapter, "", expected, unfair, variant.get("ci", False)))
    used = list(dict.fromkeys(i for entry in entries for i in entry.scenarios))
    entries.append(Entry(REFERENCE, REFERENCE, REFERENCE_ADAPTER, "", {i: PASS for i in used}, ci=True))
    return entries


def ci_subset(entries: list[Entry]) -> list[Entry]:
    """The entries marked `ci`, and the reference on the scenarios they use."""
    chosen = [e for e in entries if e.ci and e.kind != REFERENCE]
    used = list(dict.fromkeys(i for entry in chosen for i in entry.scenarios))
    reference = next(e for e in entries if e.kind == REFERENCE)
    return [*chosen, Entry(reference.name, REFERENCE, reference.adapter, "", {i: PASS for i in used}, ci=True)]


def base_id(outcome_id: str) -> str:
    """`PromotionTasksRunInParallel[2-listed]` → `PromotionTasksRunInParallel`."""
    return re.sub(r"\[.*\]$", "", outcome_id)


def observed(outcomes: list[dict]) -> dict[str, tuple[str, str]]:
    """Scenario ID → (outcome, reason) from a run's scenarios.json; the examples of an outline are
    one scenario: failed if one failed, passed if all passed, else the first other outcome."""
    by_id: dict[str, list[dict]] = {}
    for outcome in outcomes:
        by_id.setdefault(base_id(outcome["id"]), []).append(outcome)
    found = {}
    for scenario, examples in by_id.items():
        failed = [o for o in examples if o["status"] == "failed"]
        others = [o for o in examples if o["status"] not in ("passed", "failed")]
        if failed:
            found[scenario] = ("failed", "; ".join(o["reason"] if o["id"] == scenario else f"{o['id']}: {o['reason']}"
                                                  for o in failed))
        elif others:
            found[scenario] = (others[0]["status"], others[0]["reason"])
        else:
            found[scenario] = ("passed", "")
    return found


def verdict(entry: Entry, outcomes: list[dict], seconds: float = 0.0) -> Verdict:
    """The verdict on one entry from the outcomes of its run (scenarios.json)."""
    seen = observed(outcomes)
    cells = tuple(Cell(i, expected, *seen.get(i, ("missing", "the run reported no outcome for it")))
                  for i, expected in entry.expected.items())
    not_run = [c for c in cells if c.observed not in ("passed", "failed")]
    if not_run:
        return _verdict(entry, NOT_RUN, cells, [f"{c.scenario} did not run ({c.observed}: {c.reason})" for c in not_run], seconds)
    if entry.kind == MUTANT:
        killers = [c for c in cells if c.expected == FAIL]
        missed = [c.scenario for c in killers if c.observed == "passed"]
        sentinels = [c for c in cells if c.expected == PASS and c.observed == "failed"]
        problems = [f"sentinel {c.scenario} failed: {c.reason}" for c in sentinels]
        if len(missed) == len(killers):
            return _verdict(entry, SURVIVED, cells, [f"no killer failed: {', '.join(missed)} passed", *problems], seconds)
        if sentinels:
            return _verdict(entry, UNEXPECTED, cells, problems, seconds)
        if missed:
            return _verdict(entry, PARTLY_KILLED, cells, [f"expected to fail, passed: {', '.join(missed)}"], seconds)
        return _verdict(entry, KILLED, cells, [], seconds)
    failed = [c for c in cells if not c.matches]
    if failed:
        return _verdict(entry, UNEXPECTED, cells, [f"{c.scenario} failed: {c.reason}" for c in failed], seconds)
    return _verdict(entry, PASSED, cells, [], seconds)


def _verdict(entry: Entry, status: str, cells: tuple[Cell, ...], problems: list[str], seconds: float) -> Verdict:
    return Verdict(entry.name, entry.kind, status, cells, tuple(problems), seconds)


def _check_ids(path: Path, where: list, item: dict, keys: tuple[str, ...], known: set[str]) -> None:
    for key in keys:
        unknown = [i for i in item[key] if i not in known]
        if unknown:
            _refuse(path, [*where, key], f"unknown scenario ID(s) {', '.join(unknown)}; `promotion-conformance list` "
                                         "shows every ID")


def _refuse(path: Path, field: list, message: str) -> None:
    dotted = ".".join(str(part) for part in field)
    raise MatrixError(f"{path}:{line_of(path, field)}: field {dotted}: {message}")
