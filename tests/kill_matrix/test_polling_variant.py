"""The polling variant (tests/mutants/variants): its own words for what the reference says, events
sent once, and informers that poll instead of watching. Its conformance is what `make mutants`
checks; these show that it really differs from the reference where it claims to."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from harness.contract.kinds import APP_VERSION, TASK_DEFINITION
from harness.contract.phases import APP_PHASES, PROMOTION
from harness.contract.states import KeptnState
from harness.controller import definitions, inputs, lifecycle, phase_checks
from harness.controller.store import Store
from mutants.variants import polling
from mutants.variants.wording import reword
from fakes.controller_api import EventSink

VERSION = {"metadata": {"name": "checkout-1.0.0-6b86b273", "namespace": "shop", "uid": "u1", "resourceVersion": "7"},
           "spec": {"appName": "checkout", "version": "1.0.0", "promotionTasks": ["promote-a", "promote-missing"]}}
# What the reference says in its own words, and a conformant variant need not.
REFERENCE_PHRASES = ("not found", "failed", "more", "must set exactly one of", "is a loop", "out of range", "must be set",
                     "started", "finished")


def missing_definition_notice() -> lifecycle.Notice:
    view = phase_checks._Phase(SimpleNamespace(store=Store()), VERSION, APP_VERSION, PROMOTION,
                               ["promote-a", "promote-missing"])
    _, notices = phase_checks._usable_definitions(view, ["promote-missing"])
    return notices[0]


def definition_error(spec: dict, lookup=lambda name: None) -> str:
    definition = {"metadata": {"name": "ktd-broken", "namespace": "shop"}, "spec": spec}
    with pytest.raises(definitions.DefinitionError) as error:
        definitions.check_task_definition(definition, lookup)
    return str(error.value)


def looping(name: str) -> dict:
    return {"metadata": {"name": name, "namespace": "shop"}, "spec": {"deno": {"functionRef": {"name": "ktd-broken"}}}}


@pytest.mark.parametrize("message, names", [
    (missing_definition_notice().message, ['"promote-missing"', '"shop"', "spec.promotionTasks[1]"]),
    (lifecycle.summary([f'KeptnTaskDefinition "missing-{n:04d}" not found' for n in range(1000)]),
     ["missing-0000", "missing-0009", "990"]),
    (definition_error({}), ['"ktd-broken"', "container", "python", "deno"]),
    (definition_error({"deno": {"functionRef": {"name": "ktd-loop"}}}, looping), ["functionRef.name", "ktd-broken"]),
    (definition_error({"container": {"name": "c", "image": "busybox"}, "timeout": "9999999999h"}),
     ["spec.timeout", "9999999999h"]),
    (definition_error({"container": {"name": "c"}}), ["spec.container.image"]),
    (inputs.missing_fields("KeptnApp", {"metadata": {"name": "no-spec", "namespace": "shop"}}), ["spec.version", "no-spec"]),
])
def test_the_variant_words_the_references_messages_its_own_way_and_keeps_every_name(message, names):
    said = reword(message)
    assert said != message
    assert not [p for p in REFERENCE_PHRASES if p in said], said
    assert all(name in said for name in names), said


def test_the_variant_words_a_failed_phase_and_its_events_its_own_way():
    def observe(phase, _status):
        return lifecycle.Observation(states=[KeptnState.FAILED], listed=1, failures=['KeptnTask "promotion-a-12345" failed'])

    result = lifecycle.advance({}, APP_PHASES[:1], observe, True, "2026-01-01T00:00:00.000000Z")
    said = [reword(message) for _, _, message in result.events] + [reword(result.status["message"])]
    assert said[0] == "phase AppPreDeployTasks began"
    assert said[-1].startswith("phase AppPreDeployTasks did not pass. Why: ") and "promotion-a-12345" in said[-1]
    assert not [s for s in said if any(p in s for p in REFERENCE_PHRASES)], said


def test_the_reworded_reason_for_a_missing_definition_still_names_it_for_the_version():
    """contract §4: a status message naming the missing definition (an event ...NotFound besides)."""
    said = reword(missing_definition_notice().message)
    assert said == 'there is no KeptnTaskDefinition named "promote-missing" in namespace "shop" (spec.promotionTasks[1])'


def test_the_variant_sends_an_event_once_per_object_reason_and_message():
    kube = EventSink()
    recorder = polling.OwnWordsRecorder(kube)
    notice = missing_definition_notice().message
    for message in (notice, notice, "PromotionTasks started", notice + "; and 1 more"):
        recorder.emit(VERSION, APP_VERSION, "Warning", "PromotionTasksNotFound", message)
    recorder.close(5)
    assert [e["message"] for _, e in kube.written] == [reword(notice), "phase PromotionTasks began",
                                                    reword(notice + "; and 1 more")]


class ListingKube:
    """Answers every list with one definition; a watch is never asked for."""

    def __init__(self):
        self.lists = 0
        self.listed_twice = threading.Event()

    def list(self, kind, namespace=None):
        self.lists += 1
        if self.lists >= 2:
            self.listed_twice.set()
        return [{"metadata": {"name": "promote-a", "namespace": "shop", "resourceVersion": "1"}}], "1"

    def watch_call(self, kind, namespace):
        raise AssertionError("the polling variant must not watch")


def test_the_variant_lists_again_after_its_poll_interval_and_queues_every_object_each_time(monkeypatch):
    monkeypatch.setattr(polling, "POLL_SECONDS", 0.05)
    kube, changed = ListingKube(), []
    informer = polling.PollingInformer(kube, Store(), TASK_DEFINITION, None, lambda kind, obj: changed.append(obj))
    informer.start()
    try:
        assert kube.listed_twice.wait(5)
    finally:
        informer.stop()
    assert len(changed) >= 2 and {o["metadata"]["name"] for o in changed} == {"promote-a"}
    assert informer.synced.is_set()

