"""The bad-input corpus: invalid or hostile objects, what is wrong with each, and its outcome.

`fixtures/reliability/bad_input/*.yaml` hold one bad object per file, with the objects that use it
(a KeptnAppContext and KeptnApp listing a bad definition). The comment lines at the top say what
is wrong and, machine-readably, what must happen; the scenario submits every file and checks:

    # wrong: <what is wrong, in words>
    # expect: refused <Kind> <name> naming <field>: "<part of the API server's message>"
    # expect: waits app <KeptnApp>: "<word>", "<word>"    its version stays Progressing and its status
                                                           message or events name every word
    # expect: fails app <KeptnApp>: "<word>", ...          its version ends Failed, naming every word
    # expect: completes app <KeptnApp>                     its version ends Succeeded
    # expect: reports <Kind> <name>: "<word>", ...         the object's status or events name every word

A file may carry several `expect:` lines. Names are unique across the corpus, so every file is
submitted into the same namespace.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.contract.states import COMPLETED
from harness.eventually import NotYet, eventually, never
from harness.library import lifecycle
from harness.library.kube import Kube
from harness.paths import FIXTURES
from harness.settings import TIMEOUTS

CORPUS = FIXTURES / "reliability" / "bad_input"
REFUSED_CODES = (400, 422)

_WORDS = r'(?P<words>".*")'
_EXPECT = {
    "refused": re.compile(r'refused (?P<kind>\w+) (?P<name>\S+) naming (?P<field>\S+): "(?P<fragment>.+)"'),
    "waits": re.compile(rf"waits app (?P<name>\S+): {_WORDS}"),
    "fails": re.compile(rf"fails app (?P<name>\S+): {_WORDS}"),
    "completes": re.compile(r"completes app (?P<name>\S+)"),
    "reports": re.compile(rf"reports (?P<kind>\w+) (?P<name>\S+): {_WORDS}"),
}


class CorpusError(ValueError):
    """A corpus file that does not say what is wrong or what must happen; names the file and line."""


@dataclass(frozen=True)
class Expectation:
    outcome: str  # refused, waits, fails, completes, reports
    name: str  # the object (refused, reports) or the KeptnApp
    kind: str = "KeptnApp"
    field: str = ""  # refused: the field the message must name
    words: tuple[str, ...] = ()  # refused: the message fragment; otherwise what status/events must name

    def __str__(self) -> str:
        return f"{self.outcome} {self.kind} {self.name[:60]}"


@dataclass(frozen=True)
class Case:
    path: Path
    wrong: str
    expectations: tuple[Expectation, ...]
    objects: tuple[dict, ...]


def parse_expectation(text: str, where: str) -> Expectation:
    outcome = text.split(" ", 1)[0]
    pattern = _EXPECT.get(outcome)
    match = pattern.fullmatch(text) if pattern else None
    if match is None:
        raise CorpusError(f"{where}: cannot read `expect: {text}`; expected one of: " + "; ".join(
            p.pattern for p in _EXPECT.values()))
    values = match.groupdict()
    if outcome == "refused":
        return Expectation(outcome, values["name"], values["kind"], values["field"], (values["fragment"],))
    try:
        words = tuple(json.loads(f"[{values['words']}]")) if values.get("words") else ()
    except ValueError:
        raise CorpusError(f'{where}: expected a comma-separated list of "quoted" words, got {values["words"]}') from None
    return Expectation(outcome, values["name"], values.get("kind") or "KeptnApp", words=words)


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
    objects = tuple(obj for obj in yaml.safe_load_all(path.read_text()) if obj)
    return Case(path, wrong, tuple(expectations), objects)


def load_corpus(folder: Path = CORPUS) -> list[Case]:
    return [load_case(path) for path in sorted(folder.glob("*.yaml"))]


@dataclass(frozen=True)
class Submitted:
    """What the API server answered to one object: None when it created it, else its refusal."""

    kind: str
    name: str
    refusal: str | None
    code: int | None = None


def submit(kube: Kube, namespace: str, case: Case) -> list[Submitted]:
    """Create every object of a case in `namespace`; a refusal (400/422) is recorded, not raised."""
    answers = []
    for obj in case.objects:
        body = {**obj, "metadata": {**obj.get("metadata", {}), "namespace": namespace}}
        kind, name = obj["kind"], obj["metadata"]["name"]
        try:
            kube.create(body)
            answers.append(Submitted(kind, name, None))
        except Exception as error:  # the dynamic client's error classes all carry the status and body
            if getattr(error, "status", None) not in REFUSED_CODES:
                raise
            answers.append(Submitted(kind, name, _message(error), error.status))
    return answers


def refusal_must_name_field(expectation: Expectation, answers: list[Submitted]) -> None:
    answer = next((a for a in answers if (a.kind, a.name) == (expectation.kind, expectation.name)), None)
    assert answer is not None, f"no object {expectation.kind} {expectation.name} in the case"
    assert answer.refusal is not None, (
        f"{expectation.kind} {expectation.name[:60]} was accepted; expected a refusal naming {expectation.field}")
    fragment = expectation.words[0]
    assert expectation.field in answer.refusal and fragment in answer.refusal, (
        f"{expectation.kind} {expectation.name[:60]} was refused ({answer.code}), but the message does not name "
        f"{expectation.field!r} with {fragment!r}: {answer.refusal}")


def outcome_must_show(kube: Kube, namespace: str, expectation: Expectation) -> None:
    """The version (or object) reaches the expected outcome and names the expected words."""
    app = expectation.name
    if expectation.outcome == "completes":
        lifecycle.app_version_must_reach(kube, namespace, app, {"status": "Succeeded"})
    elif expectation.outcome == "fails":
        lifecycle.app_version_must_reach(kube, namespace, app, {"status": "Failed"})
        version = lifecycle.latest_app_version(kube, namespace, app)
        must_name(kube, namespace, "KeptnAppVersion", version["metadata"]["name"], expectation.words)
    elif expectation.outcome == "waits":
        version = lifecycle.latest_app_version(kube, namespace, app)
        must_name(kube, namespace, "KeptnAppVersion", version["metadata"]["name"], expectation.words)
        lifecycle.app_version_must_reach(kube, namespace, app, {"status": "Progressing"})
    elif expectation.outcome == "reports":
        must_name(kube, namespace, expectation.kind, expectation.name, expectation.words)


def must_name(kube: Kube, namespace: str, kind: str, name: str, words: tuple[str, ...]) -> str:
    """Wait until the object's status, or one of its events, names every word; return that text."""
    def check() -> str:
        current = kube.get(kind, name, namespace) or {}
        texts = [json.dumps(current.get("status") or {}, ensure_ascii=False)]
        texts += [f"{e.get('reason')}: {e.get('message')}" for e in kube.list("Event", namespace)
                  if (e.get("involvedObject") or {}).get("name") == name]
        for text in texts:
            if all(word in text for word in words):
                return text
        raise NotYet(f"neither the status nor an event of {kind} {name[:60]} names all of {list(words)}; "
                     f"status: {texts[0][:600]}")

    return eventually(check, f"{kind} {namespace}/{name[:60]} to say {list(words)}", TIMEOUTS.lifecycle)


def waiting_versions_must_stay(kube: Kube, namespace: str, apps: list[str]) -> None:
    """The versions expected to wait do not move on (watched for TIMEOUTS.absence)."""
    def still_waiting() -> None:
        for app in apps:
            state = (lifecycle.latest_app_version(kube, namespace, app).get("status") or {}).get("status")
            assert state == "Progressing", f"the KeptnAppVersion of {app[:60]} was expected to wait, but is {state}"

    never(still_waiting, f"{len(apps)} app versions waiting for what they lack")


def version_must_complete_or_say_why(kube: Kube, namespace: str, app: str) -> str:
    """The app's version completes, or waits with a status message; if the implementation could not
    create a version at all, an event on the KeptnApp says why. Returns the outcome in words."""
    def check() -> str:
        versions = lifecycle.app_versions(kube, namespace, app)
        if not versions:
            events = [e for e in kube.list("Event", namespace) if (e.get("involvedObject") or {}).get("name") == app
                      and (e.get("involvedObject") or {}).get("kind") == "KeptnApp"]
            if events:
                return f"no version: {events[0].get('reason')}: {events[0].get('message')}"
            raise NotYet(f"no KeptnAppVersion of {app} and no event on the KeptnApp saying why")
        status = versions[-1].get("status") or {}
        if status.get("status") in COMPLETED and status.get("endTime"):
            return f"completed {status['status']}"
        if status.get("message"):
            return f"waits: {status['message']}"
        raise NotYet(f"KeptnAppVersion {versions[-1]['metadata']['name']} is {status.get('status')} and says nothing")

    return eventually(check, f"the version of {app} to complete or say why it waits", TIMEOUTS.lifecycle)


def _message(error: Exception) -> str:
    try:
        return str(json.loads(error.body)["message"])
    except (TypeError, ValueError, KeyError):
        return str(error)
