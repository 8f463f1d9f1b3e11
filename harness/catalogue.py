"""The scenario catalogue: every conformance scenario with its ID, feature and profile.

Read from the .feature files with pytest-bdd's own parser, so `list`, `docs/scenarios.md` and
the runner see the scenarios exactly as pytest-bdd will run them.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.feature import get_features

from harness import coverage
from harness.contract import rules
from harness.paths import FEATURES, REPO
from harness.profiles import FEATURES as KNOWN_FEATURES
from harness.profiles import PROFILES


@dataclass(frozen=True)
class Entry:
    id: str
    feature: str
    profile: str
    title: str  # of an outline, with its <placeholders>
    file: str  # relative to the repository
    line: int
    exclusive: bool
    feature_title: str
    feature_description: str
    examples: tuple[tuple[str, str], ...] = ()  # of an outline: (example ID as pytest names it, title filled in)
    rules: tuple[str, ...] = ()  # the IDs of the contract's rules it checks (@rule: tags)

    def runs(self) -> list[tuple[str, str]]:
        """(ID, title) of each run of the scenario, named as the reports name it: one for a
        scenario, one per example for an outline (`PromotionTasksRunInParallel[2-listed]`)."""
        if not self.examples:
            return [(self.id, self.title)]
        return [(f"{self.id}[{example}]", title) for example, title in self.examples]


def _examples(scenario) -> tuple[tuple[str, str], ...]:
    """An outline's examples: pytest-bdd names each `-`.join(its values) and fills the title in."""
    return tuple(("-".join(context.values()), scenario.render(context).name)
                 for examples in scenario.examples for context in examples.as_contexts())


def _shown(filename: str) -> str:
    """A feature file as the catalogue names it: relative to the repository when it is inside it."""
    path = Path(filename).resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _rule_order(rule_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in rule_id[1:].split(".")) if rules.by_id().get(rule_id) else (999,)


class CatalogueError(ValueError):
    """A scenario is mis-tagged; the message names its file and line."""


def entries(root: Path = FEATURES) -> list[Entry]:
    """Every conformance scenario: one that carries a @feature: tag (features/cluster has none: it
    checks the cluster provider, not an implementation)."""
    found = []
    for feature in get_features([str(root)]):
        for scenario in feature.scenarios.values():
            tags = scenario.tags | feature.tags
            features = [t.split(":", 1)[1] for t in tags if t.startswith("feature:")]
            if not features:
                continue
            ids = [t.split(":", 1)[1] for t in tags if t.startswith("id:")]
            where = f"{_shown(feature.filename)}:{scenario.line_number}"
            profiles = [p for p in PROFILES if p in tags]
            if len(ids) != 1 or len(features) != 1 or len(profiles) != 1:
                raise CatalogueError(f"{where}: scenario {scenario.name!r} needs exactly one @id:, one @feature: and one of @core/@extended")
            if features[0] not in KNOWN_FEATURES:
                raise CatalogueError(f"{where}: unknown conformance feature {features[0]!r}; known: {', '.join(KNOWN_FEATURES)}")
            if KNOWN_FEATURES[features[0]] != profiles[0]:
                raise CatalogueError(f"{where}: feature {features[0]} belongs to the {KNOWN_FEATURES[features[0]]} profile, not {profiles[0]}")
            checks = tuple(sorted((t.split(":", 1)[1] for t in tags if t.startswith("rule:")), key=_rule_order))
            unknown = [rule for rule in checks if rule not in rules.by_id()]
            if unknown:
                raise CatalogueError(f"{where}: scenario {scenario.name!r}: unknown rule(s) {', '.join(unknown)}; "
                                     f"harness/contract/rules.yaml lists every rule of docs/contract.md")
            found.append(Entry(
                ids[0], features[0], profiles[0], scenario.name, _shown(feature.filename),
                scenario.line_number, "exclusive" in tags, feature.name, feature.description.strip(), _examples(scenario),
                checks,
            ))
    duplicates = {e.id for e in found if [x.id for x in found].count(e.id) > 1}
    if duplicates:
        raise CatalogueError(f"scenario IDs used more than once: {', '.join(sorted(duplicates))}")
    return sorted(found, key=lambda e: (list(PROFILES).index(e.profile), e.feature, e.id))


def scenario_ids(root: Path = FEATURES) -> set[str]:
    """Every ID `--scenarios` and `--skip` accept: each scenario's, and each example's of an outline."""
    return {run_id for entry in entries(root) for run_id in (entry.id, *(i for i, _ in entry.runs()))}


def select(catalogue: list[Entry], profile: str = "all", features: tuple[str, ...] = ()) -> list[Entry]:
    return [e for e in catalogue if profile in ("all", e.profile) and (not features or e.feature in features)]


def as_json(catalogue: list[Entry]) -> list[dict]:
    """`list --output json`: one object per run, as the reports name it."""
    return [{"id": run_id, "scenario": e.id, "feature": e.feature, "profile": e.profile, "title": title,
             "file": e.file, "line": e.line, "exclusive": e.exclusive, "rules": list(e.rules)}
            for e in catalogue for run_id, title in e.runs()]


def render_markdown(catalogue: list[Entry]) -> str:
    """docs/scenarios.md: generated by `make docs`; `make test` checks it is current."""
    lines = [
        "# Scenario catalogue",
        "",
        "Generated from `features/` by `make docs`; do not edit by hand. `promotion-conformance list` prints the same.",
        "",
    ]
    for profile, features in PROFILES.items():
        lines += [f"## Profile `{profile}`", ""]
        for feature, summary in features.items():
            scenarios = [e for e in catalogue if e.feature == feature]
            lines += [f"### {feature}", "", f"{summary[0].upper()}{summary[1:]}.", ""]
            if not scenarios:
                lines += ["_No scenario yet._", ""]
                continue
            lines += ["| ID | Scenario | Rules | File |", "|---|---|---|---|"]
            for e in scenarios:
                note = " (runs alone: changes cluster-wide settings)" if e.exclusive else ""
                checks = ", ".join(e.rules) or "–"
                for run_id, title in e.runs():
                    lines.append(f"| `{run_id}` | {title}{note} | {checks} | [{e.file}:{e.line}](../{e.file}#L{e.line}) |")
            lines.append("")
    lines += coverage.render_markdown(coverage.measure(catalogue))
    return "\n".join(lines)


DOCS = REPO / "docs" / "scenarios.md"


def main(argv: list[str]) -> int:
    """`python -m harness.catalogue --write` regenerates docs/scenarios.md; `--check` fails if it is stale."""
    text = render_markdown(entries()) + "\n"
    if "--check" in argv:
        if not DOCS.exists() or DOCS.read_text() != text:
            print(f"{DOCS.relative_to(REPO)} is not current: run `make docs` and commit it", file=sys.stderr)
            return 1
        print(f"{DOCS.relative_to(REPO)} is current ({len(entries())} scenarios)")
        return 0
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(text)
    print(f"wrote {DOCS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
