"""The bad-input corpus: invalid or hostile objects, what is wrong with each, and what must happen.

`fixtures/reliability/bad_input/*.yaml` hold one bad object per file, with the objects that use it
(a KeptnAppContext and KeptnApp listing a bad definition). The comment lines at the top say what is
wrong and, machine-readably, what must happen. They say what must be *named* (the field, the
definition), never how: any wording that names it passes (harness.library.mentions).

Admission, one line per object that may or must be refused (any other object of the file must be
accepted):

    # expect: refused <Kind> <name> naming <fields> (<what fixes it>)
        docs/contract.md or Kubernetes itself fixes admission (`(contract §1)`, `(Kubernetes: object names)`):
        the API server must refuse it, its message naming one of <fields>; where the contract says
        what the message says, <fields> may be several items separated by `, `, each to be named
        (C1.6: `spec.container, spec.python, spec.deno`, a message that says exactly one of them)
    # expect: may be refused <Kind> <name> naming <fields>
        nothing fixes admission (a constraint of some CRD set only): refused, with any message (nothing
        fixes it either), or accepted and then reported, naming one of <fields>, as the outcome lines say; a file with no outcome line
        reports it on the object itself: `reports <Kind> <name> naming <fields>`

What follows once every object of the file is in (when one was refused, the outcome lines are not
judged: they say what happens to the objects accepted together):

    # expect: completes app <KeptnApp>                  its version ends Succeeded
    # expect: waits app <KeptnApp> naming <items>       its version does not complete, and its status
                                                        message or an event about it names every item
    # expect: fails app <KeptnApp> naming <items>       its version ends Failed, naming every item
    # expect: waits-or-fails app <KeptnApp> naming <items>   either (where the contract does not say)
    # expect: reports <Kind> <name> naming <items>      the object's status message or an event about
                                                        it (or its app's version) names every item

<fields> are alternatives separated by ` or `; <items> are separated by `, `, each one or more
alternatives separated by ` or `. An alternative is a field path (`spec.timeout`), an object name,
or `a missing definition`: any definition the app's KeptnAppContext lists that the file does not
define. Names are unique across the corpus, so every file is submitted into the same namespace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.contract.phases import CONTEXT_LISTS
from harness.kube import Kube
from harness.library import admission
from harness.library.admission import Answer
from harness.library.mentions import Item, Name, mention
from harness.paths import FIXTURES

# The outcomes an `# expect:` line may ask of a version.
WAITS = "waits"  # the version does not complete
FAILS = "fails"  # the version ends Failed
WAITS_OR_FAILS = "waits-or-fails"  # either: where the contract does not say which
COMPLETES_OR_SAYS_WHY = "completes-or-says-why"  # random specs: Succeeded, or any other state naming what is wrong

CORPUS = FIXTURES / "reliability" / "bad_input"
FIXED_BY = ("contract §", "Kubernetes")  # what may fix admission: the contract, or Kubernetes for every object
MISSING = "a missing definition"

_OBJECT = r"(?P<kind>\w+) (?P<name>\S+)"
_APP = r"app (?P<name>\S+)"
_EXPECT = {
    "refused": re.compile(rf"refused {_OBJECT} naming (?P<items>.+?) \((?P<fixed_by>[^()]+)\)"),
    "may be refused": re.compile(rf"may be refused {_OBJECT} naming (?P<items>.+)"),
    "completes": re.compile(rf"completes {_APP}"),
    WAITS: re.compile(rf"waits {_APP} naming (?P<items>.+)"),
    FAILS: re.compile(rf"fails {_APP} naming (?P<items>.+)"),
    WAITS_OR_FAILS: re.compile(rf"waits-or-fails {_APP} naming (?P<items>.+)"),
    "reports": re.compile(rf"reports {_OBJECT} naming (?P<items>.+)"),
}
ADMISSIONS = ("refused", "may be refused")


class CorpusError(ValueError):
    """A corpus file that does not say what is wrong or what must happen; names the file and line."""


@dataclass(frozen=True)
class Expectation:
    outcome: str  # one of _EXPECT's keys
    name: str  # the object (admission, reports) or the KeptnApp
    kind: str = "KeptnApp"
    items: tuple[tuple[str, ...], ...] = ()  # what must be named: each a tuple of alternatives
    fixed_by: str = ""  # refused: what fixes admission

    def __str__(self) -> str:
        return f"{self.outcome} {self.kind} {self.name[:60]}"


@dataclass(frozen=True)
class Case:
    path: Path
    wrong: str
    expectations: tuple[Expectation, ...]
    objects: tuple[dict, ...]

    @property
    def admissions(self) -> dict[tuple[str, str], Expectation]:
        return {(e.kind, e.name): e for e in self.expectations if e.outcome in ADMISSIONS}

    @property
    def outcomes(self) -> tuple[Expectation, ...]:
        return tuple(e for e in self.expectations if e.outcome not in ADMISSIONS)

    def items(self, expectation: Expectation) -> tuple[Item, ...]:
        """What the expectation must find named, `a missing definition` resolved against the file."""
        missing = self.missing_definitions(expectation.name)
        return tuple(tuple(alternative for token in tokens for alternative in (
            [Name(name) for name in missing] if token == MISSING else [mention(token)])) for tokens in expectation.items)

    def missing_definitions(self, app: str) -> list[str]:
        """The definitions the app's KeptnAppContext lists that no object of the file defines."""
        defined = {obj["metadata"]["name"] for obj in self.objects if obj["kind"].endswith("Definition")}
        context = next((obj for obj in self.objects if obj["kind"] == "KeptnAppContext"
                        and obj["metadata"]["name"] == app), {})
        spec = context.get("spec") if isinstance(context.get("spec"), dict) else {}
        listed = [name for field in CONTEXT_LISTS if isinstance(spec.get(field), list) for name in spec[field]]
        return [name for name in dict.fromkeys(listed) if isinstance(name, str) and name not in defined]


def parse_expectation(text: str, where: str) -> Expectation:
    outcome = next((key for key in sorted(_EXPECT, key=len, reverse=True) if text.startswith(key + " ")), None)
    match = _EXPECT[outcome].fullmatch(text) if outcome else None
    if match is None:
        raise CorpusError(f"{where}: cannot read `expect: {text}`; expected one of: " + "; ".join(
            p.pattern for p in _EXPECT.values()))
    values = match.groupdict()
    fixed_by = values.get("fixed_by") or ""
    if outcome == "refused" and not fixed_by.startswith(FIXED_BY):
        raise CorpusError(f"{where}: `refused` is for what docs/contract.md or Kubernetes fixes, written `(contract §N)` or "
                          f"`(Kubernetes: ...)`, got ({fixed_by}); where nothing fixes admission, write `may be refused`")
    items = tuple(tuple(alternatives.split(" or ")) for alternatives in values["items"].split(", ")) \
        if values.get("items") else ()
    if outcome == "may be refused" and len(items) != 1:
        raise CorpusError(f"{where}: a refusal names one field of several alternatives (`spec.a or spec.b`), "
                          f"not a list: {values['items']}")
    return Expectation(outcome, values["name"], values.get("kind") or "KeptnApp", items, fixed_by)


def load_case(path: Path) -> Case:
    wrong, expectations = "", []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(": ")
        if key == "wrong":
            wrong = value.strip()
        elif key == "expect":
            expectations.append(parse_expectation(value.strip(), f"{path}:{number}"))
    if not wrong or not expectations:
        raise CorpusError(f"{path}: the first comment lines must say `# wrong: ...` and `# expect: ...`")
    if not any(e.outcome not in ADMISSIONS for e in expectations):  # accepted, it reports on itself
        expectations += [Expectation("reports", e.name, e.kind, e.items) for e in expectations
                         if e.outcome == "may be refused"]
    objects = tuple(obj for obj in yaml.safe_load_all(path.read_text()) if obj)
    return Case(path, wrong, tuple(expectations), objects)


def load_corpus(folder: Path = CORPUS) -> list[Case]:
    return [load_case(path) for path in sorted(folder.glob("*.yaml"))]


def submit(kube: Kube, namespace: str, case: Case) -> list[Answer]:
    """Create every object of a case in `namespace`, in the file's order; refusals are answers."""
    return [admission.create(kube, obj, namespace) for obj in case.objects]
