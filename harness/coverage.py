"""Rule coverage: for every rule of the contract, which scenarios check it, and which mutant of the
kill matrix shows that those scenarios fail when the rule is broken.

The anchor is Kubernetes' conformance behaviours: every behaviour has an ID, tests are mapped to
behaviours, and coverage is measured, not assumed. Here a rule is *checked* when a scenario names
it with a `@rule:` tag, *proven* when a mutant breaking it (tests/mutants/matrix.yaml, `breaks:`)
lists one of those scenarios among its killers and the last matrix run that ran it killed it
(docs/mutants.json), and *unchecked* only with a reason written next to it in rules.yaml.
`promotion-conformance coverage` prints it; `docs/scenarios.md` and every ConformanceReport carry it.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.contract import rules as contract_rules
from harness.contract.rules import UNCHECKED_WHY, Rule
from harness.paths import REPO
from harness.profiles import FEATURES

MATRIX_FILE = REPO / "tests" / "mutants" / "matrix.yaml"
VERDICTS_FILE = REPO / "docs" / "mutants.json"


@dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str
    kills: tuple[str, ...]
    verdict: str = ""  # of the last matrix run that ran it (docs/mutants.json); "" when none did


@dataclass(frozen=True)
class RuleCoverage:
    rule: Rule
    scenarios: tuple[str, ...]  # the scenarios tagged @rule:<id>
    mutants: tuple[Mutant, ...]  # the mutants breaking it that one of those scenarios must kill

    @property
    def profile(self) -> str:
        return FEATURES.get(self.rule.feature, "?")

    @property
    def checked(self) -> bool:
        return bool(self.scenarios)

    @property
    def killed(self) -> tuple[Mutant, ...]:
        return tuple(m for m in self.mutants if m.verdict == "killed")

    @property
    def state(self) -> str:
        if not self.checked:
            return "unchecked"
        return "proven" if self.killed else ("mutant not run" if self.mutants else "no mutant")


def kill_matrix(matrix_file: Path = MATRIX_FILE, verdicts_file: Path = VERDICTS_FILE) -> list[Mutant]:
    """The mutants of the kill matrix, each with the verdict of the last run that ran it. Read as
    data: a checkout without the matrix (an installed package) has no mutants."""
    if not matrix_file.is_file():
        return []
    verdicts = json.loads(verdicts_file.read_text()) if verdicts_file.is_file() else {}
    return [Mutant(m["name"], m.get("breaks", ""), tuple(m.get("kills", ())), verdicts.get(m["name"], {}).get("verdict", ""))
            for m in (yaml.safe_load(matrix_file.read_text()) or {}).get("mutants", [])]


def measure(catalogue: Iterable, mutants: list[Mutant] | None = None,
            all_rules: tuple[Rule, ...] | None = None) -> list[RuleCoverage]:
    """Every rule with what checks it; `catalogue` is harness.catalogue's entries (their `id` and `rules`)."""
    catalogue = list(catalogue)
    mutants = kill_matrix() if mutants is None else mutants
    found = []
    for rule in contract_rules.rules() if all_rules is None else all_rules:
        scenarios = tuple(entry.id for entry in catalogue if rule.id in entry.rules)
        proving = tuple(m for m in mutants if m.breaks == rule.id and set(m.kills) & set(scenarios))
        found.append(RuleCoverage(rule, scenarios, proving))
    return found


def problems(coverage: list[RuleCoverage]) -> list[str]:
    """What the coverage must never show, one sentence each: a rule neither checked nor given a
    reason, one that is both, a stricter-than-Keptn rule outside the extended profile, a checked
    rule no mutant breaks."""
    found = []
    for item in coverage:
        rule = item.rule
        if rule.feature not in FEATURES:
            found.append(f"{rule.id}: unknown conformance feature {rule.feature!r}")
        if not item.checked and not rule.unchecked_reason:
            found.append(f"{rule.id}: no scenario checks it (@rule:{rule.id}) and rules.yaml gives no reason why not")
        if item.checked and rule.unchecked_reason:
            found.append(f"{rule.id}: rules.yaml says it is unchecked ({rule.unchecked_why}), but "
                         f"{', '.join(item.scenarios)} check it")
        if rule.stricter and item.profile != "extended":
            found.append(f"{rule.id}: stricter than Keptn, so its feature must be extended, not {rule.feature} ({item.profile})")
        if item.checked and not item.mutants:
            found.append(f"{rule.id}: checked by {', '.join(item.scenarios)}, but no mutant of tests/mutants/matrix.yaml "
                         f"breaks it and expects one of them to fail")
    return found


def figures(coverage: list[RuleCoverage]) -> dict[str, int]:
    return {
        "rules": len(coverage),
        "checked": sum(c.checked for c in coverage),
        "unchecked": sum(not c.checked and bool(c.rule.unchecked_reason) for c in coverage),
        "neither": sum(not c.checked and not c.rule.unchecked_reason for c in coverage),
        "withMutant": sum(bool(c.mutants) for c in coverage),
        "proven": sum(bool(c.killed) for c in coverage),
        "mutants": len({m.name for c in coverage for m in c.mutants}),
        "mutantsKilled": len({m.name for c in coverage for m in c.killed}),
    }


def summary(coverage: list[RuleCoverage]) -> str:
    f = figures(coverage)
    neither = f", {f['neither']} neither" if f["neither"] else ""
    return (f"{f['rules']} rules: {f['checked']} checked by a scenario, {f['unchecked']} unchecked with a reason{neither}; "
            f"{f['withMutant']} with a mutant, {f['proven']} proven by a killed mutant "
            f"({f['mutantsKilled']} of {f['mutants']} mutants killed in their last run)")


def render_text(coverage: list[RuleCoverage]) -> str:
    lines = []
    for item in coverage:
        rule = item.rule
        if item.checked:
            mutants = ", ".join(f"{m.name} ({m.verdict or 'not run'})" for m in item.mutants) or "none"
            detail = f"scenarios: {', '.join(item.scenarios)}; mutants: {mutants}"
        else:
            detail = f"{rule.unchecked_why}: {rule.unchecked_reason}"
        stricter = " stricter" if rule.stricter else ""
        lines.append(f"{rule.id:<6} {item.state:<15} {rule.feature} ({item.profile}{stricter})\n       {detail}")
    return "\n".join([*lines, "", summary(coverage)])


def render_markdown(coverage: list[RuleCoverage]) -> list[str]:
    """The rule coverage section of docs/scenarios.md."""
    lines = ["## Rule coverage", "",
             "Every rule of [docs/contract.md](contract.md), the scenarios that check it (`@rule:` tags) and the "
             "mutants of the kill matrix ([docs/mutants.md](mutants.md)) that break it, with the verdict of the last "
             "matrix run that ran each; or why it is unchecked (" +
             "; ".join(f"*{key}*: {words}" for key, words in UNCHECKED_WHY.items()) + "). "
             "`promotion-conformance coverage` prints the same.", "",
             f"{summary(coverage)}.", "",
             "| Rule | Feature | Checked by | Mutants |", "|---|---|---|---|"]
    for item in coverage:
        rule = item.rule
        feature = f"{rule.feature}{' (stricter than Keptn)' if rule.stricter else ''}"
        if item.checked:
            checks = ", ".join(f"`{s}`" for s in item.scenarios)
            mutants = ", ".join(f"`{m.name}` ({m.verdict or 'not run'})" for m in item.mutants) or "**none**"
        else:
            checks, mutants = f"unchecked, {rule.unchecked_why}: {rule.unchecked_reason}", "–"
        lines.append(f"| {rule.id} | {feature} | {checks} | {mutants} |")
    lines.append("")
    return lines


def report_section(coverage: list[RuleCoverage], outcomes: Iterable) -> dict:
    """The `rules` section of a ConformanceReport: per rule, what this run's scenarios that check
    it did (`passed` when every one passed, `failed` when one failed, `notRun` when none ran), or
    `unchecked` with its reason. `outcomes` are the run's (their `id`, `status`)."""
    statuses: dict[str, list[str]] = {}
    for outcome in outcomes:
        statuses.setdefault(outcome.id.split("[", 1)[0], []).append(outcome.status)
    entries = []
    for item in coverage:
        entry = {"id": item.rule.id, "feature": item.rule.feature, "profile": item.profile}
        if not item.checked:
            entry |= {"result": "unchecked", "reason": f"{item.rule.unchecked_why}: {item.rule.unchecked_reason}"}
        else:
            seen = [s for scenario in item.scenarios for s in statuses.get(scenario, [])]
            ran = [s for s in seen if s in ("passed", "failed")]
            result = "failed" if "failed" in ran else "passed" if ran else "notRun"
            entry |= {"result": result, "scenarios": list(item.scenarios)}
        entries.append(entry)
    return {"summary": summary(coverage), "rules": entries}

