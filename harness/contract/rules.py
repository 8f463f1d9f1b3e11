"""The rules of `docs/contract.md`, loaded from `rules.yaml` beside this file.

A rule is one normative sentence of the contract with a stable ID (`C4.2`: section 4, rule 2).
The page states each rule after its ID; `rules.yaml` keeps the same list as data, with the
conformance feature whose scenarios check it, whether it is stricter than Keptn, and, for a rule no
scenario checks, why. `tests/contract/test_contract_rules.py` keeps the two in step.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema
import yaml

RULES_FILE = Path(__file__).with_name("rules.yaml")

ID_PATTERN = r"C\d+\.\d+"
UNCHECKED_WHY = {
    "outside": "cannot be seen from outside an implementation",
    "scope": "deliberately out of scope",
    "pending": "planned; the reason says what it waits for",
}

_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "feature", "text"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": f"^{ID_PATTERN}$"},
            "feature": {"type": "string", "minLength": 1},
            "stricter": {"type": "boolean"},
            "unchecked": {
                "type": "object",
                "required": ["why", "reason"],
                "additionalProperties": False,
                "properties": {"why": {"enum": sorted(UNCHECKED_WHY)}, "reason": {"type": "string", "minLength": 10}},
            },
            "text": {"type": "string", "minLength": 10},
        },
    },
}


@dataclass(frozen=True)
class Rule:
    id: str
    feature: str
    text: str
    stricter: bool = False
    unchecked_why: str | None = None  # a key of UNCHECKED_WHY when no scenario checks the rule
    unchecked_reason: str | None = None

    @property
    def section(self) -> int:
        return int(self.id[1:].split(".")[0])

    @property
    def sort_key(self) -> tuple[int, int]:
        section, number = self.id[1:].split(".")
        return int(section), int(number)


class RulesError(ValueError):
    """rules.yaml is malformed; the message names the file, the entry and the field."""


def load(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    try:
        entries = yaml.safe_load(path.read_text())
        jsonschema.validate(entries, _SCHEMA)
    except yaml.YAMLError as error:
        raise RulesError(f"{path}: not YAML: {error}") from None
    except jsonschema.ValidationError as error:
        where = list(error.absolute_path)
        entry = entries[where[0]] if where and isinstance(entries, list) else None
        named = f"rule {entry.get('id')}" if isinstance(entry, dict) and entry.get("id") else f"entry {where[0]}" if where else ""
        field = ".".join(str(p) for p in where[1:])
        raise RulesError(f"{path}: {named}{' field ' + field if field else ''}: {error.message}") from None
    rules = tuple(Rule(e["id"], e["feature"], e["text"], e.get("stricter", False),
                       (e.get("unchecked") or {}).get("why"), (e.get("unchecked") or {}).get("reason"))
                  for e in entries)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RulesError(f"{path}: rule {rule.id} is listed twice; an ID names one rule")
        seen.add(rule.id)
    return rules


@cache
def rules() -> tuple[Rule, ...]:
    return load()


def by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in rules()}


def stated_in(markdown: str) -> dict[str, str]:
    """The rules a page states: each list item that starts with a back-ticked ID, its sentence up to
    a trailing *Stricter than Keptn* mark (the page's own emphasis), joined onto one line."""
    stated: dict[str, str] = {}
    for match in re.finditer(rf"^- `({ID_PATTERN})` (.+)$", markdown, re.MULTILINE):
        text = re.sub(r"\s*\*Stricter than Keptn[^*]*\*.*$", "", match.group(2)).strip()
        stated[match.group(1)] = text
    return stated
