"""Whether bad input that got in was reported (contract §4, §6 "never silent").

A version that waits or fails because of bad input says why in its `status.message` or in an event
about it, and that one text names what is wrong: the definition, the field (harness.library.mentions).
Any message is not enough ("Progressing" says nothing), nor is an event about another object, nor a
message naming another definition. An object no version uses (a KeptnTask written by hand) reports
on itself.
"""
from __future__ import annotations

from harness.contract.states import COMPLETED, KeptnState
from harness.eventually import NotYet, eventually
from harness.library import lifecycle
from harness.library.kube import Kube
from harness.library.mentions import Item, describe, first_naming
from harness.settings import TIMEOUTS

WAITS = "waits"  # the version does not complete
FAILS = "fails"  # the version ends Failed
WAITS_OR_FAILS = "waits-or-fails"  # either: where the contract does not say which
COMPLETES_OR_SAYS_WHY = "completes-or-says-why"  # random specs: Succeeded, or any other state naming what is wrong
_TO = {WAITS: "wait", FAILS: "fail", WAITS_OR_FAILS: "wait or fail", COMPLETES_OR_SAYS_WHY: "complete or say why"}


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
        versions = lifecycle.app_versions(kube, namespace, app)
        if not versions:
            texts = lifecycle.said_about(kube, namespace, "KeptnApp", app)
            text = first_naming(texts, items) if outcome == COMPLETES_OR_SAYS_WHY else None
            if text is not None:
                return f"no KeptnAppVersion; the KeptnApp says: {text}"
            raise NotYet(f"no KeptnAppVersion of {app}; events about the KeptnApp: {_quoted(texts)}")
        name = versions[-1]["metadata"]["name"]
        current = kube.get("KeptnAppVersion", name, namespace) or versions[-1]
        texts = lifecycle.said_about(kube, namespace, "KeptnAppVersion", name)
        return judge_version(name, current.get("status") or {}, texts, items, outcome)

    return eventually(check, f"the KeptnAppVersion of {namespace}/{app} to {_TO[outcome]} naming {describe(items)}",
                      TIMEOUTS.lifecycle)


def object_must_report(kube: Kube, namespace: str, kind: str, name: str, items: tuple[Item, ...]) -> str:
    """The object's status message or an event about it names every item. A KeptnApp or KeptnAppContext
    may also say it through the versions of the app of its name (contract §2: they share the name)."""
    def check() -> str:
        texts = lifecycle.said_about(kube, namespace, kind, name)
        if kind in ("KeptnApp", "KeptnAppContext"):
            for version in lifecycle.app_versions(kube, namespace, name):
                texts += lifecycle.said_about(kube, namespace, "KeptnAppVersion", version["metadata"]["name"])
        text = first_naming(texts, items)
        if text is None:
            raise NotYet(f"neither the status message of {kind} {name[:60]} nor an event about it names "
                         f"{describe(items)}; they say: {_quoted(texts)}")
        return text

    return eventually(check, f"{kind} {namespace}/{name[:60]} to report {describe(items)}", TIMEOUTS.lifecycle)


def _quoted(texts: list[str]) -> str:
    return "; ".join(repr(text[:300]) for text in texts[:5]) or "nothing"
