"""Whether a definition can be used (contract §1: exactly one of container, python, deno)."""
from __future__ import annotations

import pytest

from harness.controller.definitions import (DefinitionError, Function, check_evaluation_definition,
                                            check_task_definition, resolve_function, runtime_of)


def _definition(name="promote", **spec):
    return {"metadata": {"name": name, "namespace": "shop"}, "spec": spec}


def _none(_name):
    return None


@pytest.mark.parametrize(("spec", "found"), [({}, "none"), ({"container": {"image": "x"}, "deno": {"inline": {}}},
                                                            "container, deno")])
def test_exactly_one_runtime(spec, found):
    with pytest.raises(DefinitionError, match=rf'KeptnTaskDefinition "promote" in namespace "shop" spec: must set '
                                              rf'exactly one of container, python, deno \(found: {found}\)'):
        runtime_of(_definition(**spec))


def test_a_container_definition_needs_an_image():
    with pytest.raises(DefinitionError, match=r"spec.container.image: must be set"):
        check_task_definition(_definition(container={"name": "x"}), _none)
    assert check_task_definition(_definition(container={"name": "x", "image": "busybox"}), _none) is None


def test_an_unparsable_timeout_names_the_object_and_the_field():
    definition = _definition(container={"name": "x", "image": "busybox"}, timeout="abc")
    with pytest.raises(DefinitionError, match=r'KeptnTaskDefinition "promote" in namespace "shop" spec.timeout: '
                                              r'"abc" is not a duration'):
        check_task_definition(definition, _none)


def test_inline_code_comes_from_the_definitions_configmap():
    definition = _definition(deno={"inline": {"code": "console.log(1)"}, "parameters": {"map": {"a": "1"}}})
    assert check_task_definition(definition, _none) == Function(
        "deno", "keptnfn-promote", None, {"a": "1"}, None, "", "promote")


@pytest.mark.parametrize(("source", "configmap", "url"), [
    ({"configMapRef": {"name": "my-code"}}, "my-code", None),
    ({"httpRef": {"url": "https://example.com/f.py"}}, None, "https://example.com/f.py"),
])
def test_code_from_a_configmap_or_an_url(source, configmap, url):
    function = resolve_function(_definition(python=source), _none)
    assert (function.runtime, function.configmap, function.url, function.code_definition) == (
        "python", configmap, url, None)


def test_a_function_without_code_is_rejected():
    with pytest.raises(DefinitionError, match=r"spec.deno: needs one of inline.code, httpRef.url, "
                                              r"configMapRef.name, functionRef.name"):
        resolve_function(_definition(deno={"parameters": {"map": {}}}), _none)


def test_function_ref_takes_the_code_of_the_referenced_definition_and_overrides_its_parameters():
    parent = _definition("base", deno={"inline": {"code": "x"}, "parameters": {"map": {"a": "1", "b": "1"}},
                                       "secureParameters": {"secret": "base-secret"}})
    child = _definition("child", deno={"functionRef": {"name": "base"}, "parameters": {"map": {"b": "2"}}})
    function = resolve_function(child, {"base": parent}.get)
    assert function == Function("deno", "keptnfn-base", None, {"a": "1", "b": "2"}, "base-secret", "", "base")


def test_a_missing_function_ref_is_named():
    child = _definition("child", python={"functionRef": {"name": "gone"}})
    with pytest.raises(DefinitionError, match=r'spec.python.functionRef.name: KeptnTaskDefinition "gone" not found'):
        resolve_function(child, _none)


def test_a_function_ref_loop_is_reported_instead_of_recursing_forever():
    loop = _definition("loop", deno={"functionRef": {"name": "loop"}})
    with pytest.raises(DefinitionError, match=r"functionRef.name: the functionRef chain loop → loop is a loop"):
        resolve_function(loop, {"loop": loop}.get)


def test_evaluation_definition_retry_interval():
    assert check_evaluation_definition({"metadata": {"name": "q", "namespace": "s"}, "spec": {}}) == 5.0
    with pytest.raises(DefinitionError, match=r'KeptnEvaluationDefinition "q" in namespace "s" spec.retryInterval'):
        check_evaluation_definition({"metadata": {"name": "q", "namespace": "s"}, "spec": {"retryInterval": "soon"}})
