"""Judges of §6 (C6.5, C6.6): bad input is refused or reported, never silent.

The corpus (harness/library/bad_input.py) says, per object, what must be refused at admission and
what must follow. A version that waits or fails because of bad input says why in its
`status.message` or in an event about it, and that one text names what is wrong: the definition,
the field (harness/library/mentions.py). Any message is not enough ("Progressing" says nothing),
nor is an event about another object, nor a message naming another definition. An object no
version uses (a KeptnTask written by hand) reports on itself.
"""
from __future__ import annotations

from collections.abc import Callable

from harness.contract.states import COMPLETED, KeptnState
from harness.eventually import NotYet, eventually, never
from harness.judges import app_versions, lifecycle
from harness.kube import Kube
from harness.library import lookups
from harness.library.admission import Answer
from harness.library.bad_input import COMPLETES_OR_SAYS_WHY, FAILS, WAITS, WAITS_OR_FAILS, Case, Expectation
from harness.library.mentions import Item, describe, first_naming
from harness.timeouts import TIMEOUTS

_TO = {WAITS: "wait", FAILS: "fail", WAITS_OR_FAILS: "wait or fail", COMPLETES_OR_SAYS_WHY: "complete or say why"}


def admission_problems(case: Case, answers: list[Answer]) -> list[str]:
    """What went wrong at admission: a refusal the corpus requires that did not happen or that names
    none of its fields, a valid object refused. Empty when admission was conformant."""
    problems = []
    for answer in answers:
        rule = case.admissions.get((answer.kind, answer.name))
        what = f"{answer.kind} {answer.name[:60]}"
        if rule is None:
            if answer.refusal is not None:
                problems.append(f"{what} was refused ({answer.code}), but nothing is wrong with it: {answer.refusal}")
            continue
        fields = case.items(rule)
        if answer.refusal is None:
            if rule.outcome == "refused":
                problems.append(f"{what} was accepted; {rule.fixed_by} says it must be refused, naming {describe(fields)}")
            continue
        # Only a refusal the contract or Kubernetes fixes has its message fixed (C1.5, C1.6); one
        # nothing fixes (`may be refused`) may say anything: the contract asks for no other wording.
        if rule.outcome == "refused" and first_naming([answer.refusal], fields) is None:
            missed = f"names none of {describe(fields)}" if len(fields) == 1 else f"does not name {describe(fields)}"
            problems.append(f"{what} was refused ({answer.code}), but the message {missed}: {answer.refusal}")
    return problems



def corpus_must_be_admitted(submitted: list[tuple[Case, list[Answer]]]) -> None:
    """Every file of the corpus was admitted as it must be (admission_problems), all problems named at once."""
    problems = [f"{case.path.name}: {problem}" for case, answers in submitted for problem in admission_problems(case, answers)]
    assert not problems, "\n".join(problems)



def corpus_outcomes_must_show(kube: Kube, namespace: str, submitted: list[tuple[Case, list[Answer]]],
                              say: Callable[[str], None]) -> None:
    """Every file whose objects were all accepted shows each outcome it expects (outcome_must_show),
    and the versions expected to wait keep waiting; every failure named at once."""
    failures, waiting = [], []
    for case, answers in submitted:
        if not outcomes_apply(answers):
            continue
        for expectation in case.outcomes:
            try:
                said = outcome_must_show(kube, namespace, case, expectation)
                say(f"{case.path.stem}: {expectation.outcome}: {said[:200]}")
            except AssertionError as error:
                failures.append(f"{case.path.name} ({case.wrong}): {error}")
            if expectation.outcome == WAITS:
                waiting.append(expectation.name)
    assert not failures, "\n".join(failures)
    waiting_versions_must_stay(kube, namespace, waiting)



def outcomes_apply(answers: list[Answer]) -> bool:
    """The outcome lines say what happens once every object of the file is in."""
    return all(answer.refusal is None for answer in answers)



def outcome_must_show(kube: Kube, namespace: str, case: Case, expectation: Expectation) -> str:
    """The version (or object) shows the expected outcome and names what is wrong; returns what it said."""
    if expectation.outcome == "completes":
        lifecycle.app_version_must_reach(kube, namespace, expectation.name, {"status": "Succeeded"})
        return "completed"
    if expectation.outcome == "reports":
        return object_must_report(kube, namespace, expectation.kind, expectation.name, case.items(expectation))
    return version_must_say_why(kube, namespace, expectation.name, case.items(expectation),
                                         expectation.outcome)



def waiting_versions_must_stay(kube: Kube, namespace: str, apps: list[str]) -> None:
    """The versions expected to wait do not complete (watched for TIMEOUTS.absence)."""
    def still_waiting() -> None:
        for app in apps:
            state = (app_versions.latest_app_version(kube, namespace, app).get("status") or {}).get("status")
            assert state not in COMPLETED, f"the KeptnAppVersion of {app[:60]} was expected to wait, but is {state}"

    never(still_waiting, f"{len(apps)} app versions waiting for what they lack")



def judge_version(name: str, status: dict, texts: list[str], items: tuple[Item, ...], outcome: str) -> str:
    """The outcome in words if the version shows `outcome` and one of `texts` (its status message and
    events) names every item; NotYet while it may still come; AssertionError when it never will."""
    state = status.get("status") or KeptnState.PENDING.value
    completed = state in COMPLETED and bool(status.get("endTime"))
    seen = f"KeptnAppVersion {name} is {state}" + (" (completed)" if completed else "")
    expected = f"expected it to {_TO[outcome]} naming {describe(items)}"
    if completed and state == KeptnState.SUCCEEDED:
        if outcome == COMPLETES_OR_SAYS_WHY:
            return f"completed {state}"
        raise AssertionError(f"{seen}; {expected}")
    if completed and (outcome == WAITS or outcome == WAITS_OR_FAILS and state != KeptnState.FAILED):
        raise AssertionError(f"{seen}; {expected}")
    if outcome == FAILS and not completed:
        raise NotYet(f"{seen}; {expected}")
    text = first_naming(texts, items)
    if text is None:
        raise NotYet(f"{seen}, but neither its status message nor an event about it names {describe(items)}; "
                     f"they say: {_quoted(texts)}")
    return f"{state}: {text}"



def version_must_say_why(kube: Kube, namespace: str, app: str, items: tuple[Item, ...], outcome: str) -> str:
    """The app's newest version shows `outcome` and says why, naming every item. For
    COMPLETES_OR_SAYS_WHY, an app that got no version at all may say why in an event about the KeptnApp."""
    def check() -> str:
        versions = lookups.app_versions(kube, namespace, app)
        if not versions:
            texts = lookups.said_about(kube, namespace, "KeptnApp", app)
            text = first_naming(texts, items) if outcome == COMPLETES_OR_SAYS_WHY else None
            if text is not None:
                return f"no KeptnAppVersion; the KeptnApp says: {text}"
            raise NotYet(f"no KeptnAppVersion of {app}; events about the KeptnApp: {_quoted(texts)}")
        name = versions[-1]["metadata"]["name"]
        current = kube.get("KeptnAppVersion", name, namespace) or versions[-1]
        texts = lookups.said_about(kube, namespace, "KeptnAppVersion", name)
        return judge_version(name, current.get("status") or {}, texts, items, outcome)

    return eventually(check, f"the KeptnAppVersion of {namespace}/{app} to {_TO[outcome]} naming {describe(items)}",
                      TIMEOUTS.lifecycle)



def object_must_report(kube: Kube, namespace: str, kind: str, name: str, items: tuple[Item, ...]) -> str:
    """The object's status message or an event about it names every item. A KeptnApp or KeptnAppContext
    may also say it through the versions of the app of its name (contract §2: they share the name)."""
    def check() -> str:
        texts = lookups.said_about(kube, namespace, kind, name)
        if kind in ("KeptnApp", "KeptnAppContext"):
            for version in lookups.app_versions(kube, namespace, name):
                texts += lookups.said_about(kube, namespace, "KeptnAppVersion", version["metadata"]["name"])
        text = first_naming(texts, items)
        if text is None:
            raise NotYet(f"neither the status message of {kind} {name[:60]} nor an event about it names "
                         f"{describe(items)}; they say: {_quoted(texts)}")
        return text

    return eventually(check, f"{kind} {namespace}/{name[:60]} to report {describe(items)}", TIMEOUTS.lifecycle)



def _quoted(texts: list[str]) -> str:
    return "; ".join(repr(text[:300]) for text in texts[:5]) or "nothing"
