"""The static CRD compatibility checker (`crd-compat OLD NEW`), issue "CRD backward compatibility".

Each breaking case is `tests/compat_cases/widget.yaml` (OLD) against `tests/compat_cases/<case>.yaml`
(NEW); `diff` the two files to see the one change a case makes.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from harness import compat
from harness.compat.fields import Field
from harness.compat.loading import documents
from harness.compat.openapi import admission_errors, unchecked
from harness.compat import output
from harness.compat.output import shown_path
from harness.compat.breaking_rules import FIELD_RULES
from harness.paths import FIXTURES

CASES = Path(__file__).parents[1] / "compat_cases"
OLD = CASES / "widget.yaml"
BREAKING = re.compile(r"BREAKING (\S+) (\S+) (\S+) (\S+): (.+)")


@pytest.fixture
def crd_compat(capsys, tmp_path):
    """Run the command, returning (exit code, stdout lines, stderr). `fixtures` defaults to an empty
    folder, so that example objects other teams add to fixtures/ stay out of these cases."""
    empty = tmp_path / "no-fixtures"
    empty.mkdir()

    def run(*argv, fixtures: Path = empty) -> tuple[int, list[str], str]:
        code = compat.main([*map(str, argv), "--fixtures", str(fixtures)])
        out, err = capsys.readouterr()
        return code, out.splitlines(), err

    return run


def breaking(lines: list[str]) -> set[tuple[str, str, str, str]]:
    return {BREAKING.fullmatch(line).groups()[:4] for line in lines if line.startswith("BREAKING ")}


def _edited_widget(tmp_path: Path, edit) -> Path:
    """widget.yaml with `edit(crd["spec"])` applied, written to a file."""
    crd = yaml.safe_load(OLD.read_text())
    edit(crd["spec"])
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(crd))
    return new


# --- one deliberately breaking pair per rule -------------------------------------------------------

@pytest.mark.parametrize(("case", "expected", "detail"), [
    # "every version OLD serves is still served by NEW"
    ("not_served", {("Widget", "v1", ".", "not-served")}, "served → served: false"),
    # "a CRD of OLD missing from NEW is breaking"
    ("crd_removed", {("Widget", "*", ".", "crd-removed")}, "→ not in NEW"),
    # "no field removed or renamed (a rename shows as removal; report it as removed)"
    ("field_removed", {("Widget", "v1", ".spec.mode", "removed")}, "in OLD → not in NEW"),
    # "no field narrowed in type"
    ("type_narrowed", {("Widget", "v1", ".spec.mode", "type-narrowed")}, "string → integer"),
    # "no new required field (at any depth, also a newly required property in an existing object)"
    ("newly_required", {("Widget", "v1", ".spec.owner", "newly-required"),
                        ("Widget", "v1", ".spec.limits.cpu", "newly-required")}, "optional → required"),
    # "defaults unchanged"
    ("default_changed", {("Widget", "v1", ".spec.retries", "default-changed")}, "10 → 3"),
    ("default_added", {("Widget", "v1", ".spec.mode", "default-added")}, 'none → "fast"'),
    # "enum values not removed"
    ("enum_value_removed", {("Widget", "v1", ".spec.color", "enum-value-removed")}, '(removed: ["blue"])'),
    # "tighter constraints ... are breaking as narrowed"
    ("max_length_lowered", {("Widget", "v1", ".spec.name", "narrowed")}, "maxLength 63 → 20"),
    ("pattern_added", {("Widget", "v1", ".spec.name", "narrowed")}, 'pattern none → "^[a-z-]+$"'),
])
def test_a_breaking_pair_exits_1_with_one_line_per_breaking_change(crd_compat, case, expected, detail):
    code, lines, err = crd_compat(OLD, CASES / f"{case}.yaml")
    assert (code, err) == (1, "")
    assert breaking(lines) == expected
    assert any(detail in line for line in lines if line.startswith("BREAKING ")), lines
    assert lines[-1].startswith(f"breaking: {len(expected)} breaking change(s) in 1 CRD(s): Widget")


def test_a_compatible_pair_exits_0_and_says_what_it_checked(crd_compat):
    """New optional field, new served version, enum value added, maxLength raised: all compatible."""
    code, lines, err = crd_compat(OLD, CASES / "compatible.yaml")
    assert (code, err) == (0, "")
    assert breaking(lines) == set()
    # v1 against v1; the new served v2 is no upgrade path while NEW still stores v1
    assert "checked Widget.compat.example.com: versions v1" in lines
    assert lines[-1].startswith("compatible: all 1 CRD(s) of OLD are in NEW")
    assert "15 field(s) compared" in lines[-1]


def test_stored_objects_are_compared_with_the_new_storage_version(crd_compat, tmp_path):
    """Conversion None: objects stored as OLD's v1 are served as NEW's v2 as they are."""
    def store_v2_without_mode(spec):
        v1 = spec["versions"][0]
        v2 = copy.deepcopy(v1) | {"name": "v2"}
        del v2["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["mode"]
        spec["versions"] = [v1 | {"storage": False}, v2]

    code, lines, _ = crd_compat(OLD, _edited_widget(tmp_path, store_v2_without_mode))
    assert code == 1
    assert breaking(lines) == {("Widget", "v1→v2", ".spec.mode", "removed")}


def test_an_older_version_new_still_serves_is_no_upgrade_path_and_is_not_compared(crd_compat, tmp_path):
    """Only real upgrade paths are compared: a version to itself, and OLD's storage version to NEW's
    (issue 22: Keptn was charged for v1beta1 → v1alpha3). NEW stores v2 and still serves an old v0
    with another schema, which no stored v1 object is upgraded to."""
    def store_v2_and_serve_an_old_v0(spec):
        v1 = spec["versions"][0]
        v0 = copy.deepcopy(v1) | {"name": "v0", "storage": False}
        del v0["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["mode"]
        spec["versions"] = [v0, v1 | {"storage": False}, copy.deepcopy(v1) | {"name": "v2"}]

    code, lines, _ = crd_compat(OLD, _edited_widget(tmp_path, store_v2_and_serve_an_old_v0))
    assert (code, breaking(lines)) == (0, set())
    assert "checked Widget.compat.example.com: versions v1, v1→v2" in lines


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda spec: spec.update(scope="Cluster"), ("Widget", "*", ".", "scope-changed")),
    (lambda spec: spec["names"].update(plural="widgetz"), ("Widget", "*", ".", "plural-changed")),
])
def test_another_scope_or_plural_moves_the_resource_and_is_breaking(crd_compat, tmp_path, edit, expected):
    code, lines, _ = crd_compat(OLD, _edited_widget(tmp_path, edit))
    assert code == 1
    assert breaking(lines) == {expected}


def test_a_webhook_conversion_is_a_note_about_what_was_not_compared(crd_compat, tmp_path):
    new = _edited_widget(tmp_path, lambda spec: spec.update(conversion={"strategy": "Webhook"}))
    code, lines, _ = crd_compat(OLD, new)
    assert code == 0
    assert "note: Widget: NEW converts versions with a Webhook conversion; objects stored as v1 are only " \
           "compared with NEW's v1" in lines


def test_a_new_cel_rule_is_a_note_because_cel_is_not_evaluated(crd_compat, tmp_path):
    def add_rule(spec):
        schema = spec["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        schema["x-kubernetes-validations"] = [{"rule": "self.size < 100"}]

    code, lines, _ = crd_compat(OLD, _edited_widget(tmp_path, add_rule))
    assert code == 0
    assert any(line.startswith("note: Widget v1 .spec: CEL rules") and "self.size < 100" in line for line in lines)


# --- bad input: exit 2, one line on stderr naming the file, the line and what was expected -------

def test_a_missing_path_is_bad_input(crd_compat):
    code, lines, err = crd_compat(CASES / "nope.yaml", OLD)
    assert (code, lines) == (2, [])
    assert err == f"promotion-conformance crd-compat: error: {CASES / 'nope.yaml'}: no such file or folder\n"


def test_a_file_that_is_not_yaml_is_bad_input_naming_the_line(crd_compat, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("spec: [unclosed\n")
    code, lines, err = crd_compat(OLD, broken)
    assert (code, lines) == (2, [])
    assert err.count("\n") == 1
    assert err.startswith(f"promotion-conformance crd-compat: error: {broken}:2: not valid YAML")


APP_VERSIONS = FIXTURES / "crds" / "current" / "lifecycle.keptn.sh_keptnappversions.yaml"


@pytest.mark.parametrize(("cut_after", "field", "expected"), [
    # cut inside a word: the half-written key or value is what the API server would refuse
    ("      currentPhas", "spec.versions[0].schema.openAPIV3Schema.properties.status.properties",
     "expected a mapping of field names to schemas, found the string 'currentPhas'"),
    ("                items:\n                  type: stri", "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.preDeploymentTasks.items.type",
     "expected one of object, array, string, integer, number, boolean, found the string 'stri'"),
    ("workloadStatus:\n                type: array\n                items:\n",
     "spec.versions[0].schema.openAPIV3Schema.properties.status.properties.workloadStatus.items",
     "expected a schema (a mapping), found none"),
])
def test_a_crd_file_cut_short_is_bad_input_naming_file_line_and_field(crd_compat, tmp_path, cut_after, field, expected):
    """Issue: `crd-compat` on a CRD file cut in half answered with a traceback and exit 1 ("breaking")."""
    text = APP_VERSIONS.read_text()
    kept = text[:text.index(cut_after) + len(cut_after)]
    cut = tmp_path / APP_VERSIONS.name
    cut.write_text(kept)
    code, lines, err = crd_compat(FIXTURES / "crds" / "previous", cut)
    assert (code, lines) == (2, [])
    line = kept.rstrip("\n").count("\n") + 1  # the line of the field the cut left half-written
    assert err == f"promotion-conformance crd-compat: error: {cut}:{line} (doc 1): field {field}: {expected}\n"


def test_a_crd_file_cut_between_documents_is_bad_input_naming_the_line(crd_compat, tmp_path):
    text = OLD.read_text()
    cut = tmp_path / "cut.yaml"
    cut.write_text(text + "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: [")
    code, _, err = crd_compat(OLD, cut)
    assert code == 2
    assert err.startswith(f"promotion-conformance crd-compat: error: {cut}:{text.count(chr(10)) + 5}: not valid YAML")


def test_yaml_that_is_not_a_crd_is_bad_input_naming_the_document(crd_compat, tmp_path):
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(OLD.read_text() + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    code, lines, err = crd_compat(mixed, OLD)
    assert (code, lines) == (2, [])
    line = OLD.read_text().count("\n") + 2
    assert err == (f"promotion-conformance crd-compat: error: {mixed}:{line} (doc 2): field (document): not a CRD: "
                   "expected apiextensions.k8s.io/v1 CustomResourceDefinition, found v1 ConfigMap\n")


@pytest.mark.parametrize(("edit", "field", "expected"), [
    (lambda v: v.pop("schema"), "spec.versions[0].schema.openAPIV3Schema", "expected a non-empty mapping, found none"),
    (lambda v: v.update(served="yes"), "spec.versions[0].served", "expected true or false, found the string 'yes'"),
    (lambda v: v["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["tasks"].pop("items"),
     "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.tasks.items",
     "an array needs items: expected a schema, found none"),
    (lambda v: v["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["mode"].pop("type"),
     "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.mode.type",
     "expected a type (object, array, string, integer, number, boolean), found none"),
    (lambda v: v["schema"]["openAPIV3Schema"]["properties"]["spec"].update(required="size"),
     "spec.versions[0].schema.openAPIV3Schema.properties.spec.required", "expected a list, found the string 'size'"),
])
def test_a_crd_the_api_server_would_refuse_is_bad_input_naming_the_field(crd_compat, tmp_path, edit, field, expected):
    crd = yaml.safe_load(OLD.read_text())
    edit(crd["spec"]["versions"][0])
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(crd))
    code, _, err = crd_compat(bad, OLD)
    assert code == 2
    assert re.fullmatch(rf"promotion-conformance crd-compat: error: {re.escape(str(bad))}:\d+ \(doc 1\): "
                        rf"field {re.escape(field)}: {re.escape(expected)}\n", err), err


def test_an_example_object_that_is_not_a_kubernetes_object_is_bad_input(crd_compat, tmp_path):
    objects = tmp_path / "objects"
    objects.mkdir()
    (objects / "o.yaml").write_text("# a comment\nmetadata: {name: x}\n")
    code, _, err = crd_compat(OLD, OLD, "--objects", objects)
    assert code == 2
    assert err == (f"promotion-conformance crd-compat: error: {objects / 'o.yaml'}:2 (doc 1): not a Kubernetes object: "
                   "expected apiVersion and kind\n")


def test_bad_arguments_are_one_line_and_exit_2(capsys):
    assert compat.main([str(OLD)]) == 2
    err = capsys.readouterr().err
    assert err == "promotion-conformance crd-compat: error: the following arguments are required: NEW\n"


# --- the objects check, and how its results are summarized ----------------------------------------

def test_an_object_valid_under_old_and_invalid_under_new_is_breaking_and_named(crd_compat):
    """"every object under --objects DIR and the example objects found in fixtures/ ... that is valid
    under OLD must be valid under NEW; an object invalid under OLD is listed as a note"."""
    objects, fixtures = CASES / "objects", CASES / "fixtures"
    code, lines, _ = crd_compat(OLD, CASES / "pattern_added.yaml", "--objects", objects, fixtures=fixtures)
    assert code == 1
    widgets, example = shown_path(objects / "widgets.yaml"), shown_path(fixtures / "examples" / "widget.yaml")
    assert [line for line in lines if " object-invalid: " in line] == [
        f"BREAKING Widget v1 .spec.name object-invalid: 2 example objects valid under OLD, invalid under NEW: "
        f"{widgets} (doc 2) default/bad-name: 'Bad_Name' does not match '^[a-z-]+$'; "
        f"{example} (doc 2) examples/example: 'EXAMPLE' does not match '^[a-z-]+$'",
    ]
    notes = [line for line in lines if line.startswith("note: ")]
    assert notes == [
        f"note: Widget: 1 example object invalid under OLD already, not held against NEW: {widgets} (doc 3) "
        "default/negative: .spec.size: -1 is less than the minimum of 0",
        f"note: {widgets}: 1 document(s) of a kind no CRD of OLD or NEW defines, not checked: v1 ConfigMap",
        "note: not checked, OLD does not serve their version: compat.example.com/v9 Widget (1)",
    ]
    assert ("checked objects: 3 valid under OLD and validated under NEW (2 from --objects, 1 from fixtures); "
            "1 invalid under OLD (see notes)") in lines
    assert lines[-1] == "breaking: 2 breaking change(s) in 1 CRD(s): Widget"


def test_objects_valid_under_both_keep_the_pair_compatible(crd_compat):
    code, lines, _ = crd_compat(OLD, CASES / "compatible.yaml", "--objects", CASES / "objects",
                                fixtures=CASES / "fixtures")
    assert code == 0
    assert lines[-1].endswith("all 3 object(s) valid under OLD are valid under NEW")


def _many_widgets(folder: Path, count: int, spec) -> Path:
    folder.mkdir(exist_ok=True)
    for number in range(count):
        (folder / f"w{number:02}.yaml").write_text(yaml.safe_dump({
            "apiVersion": "compat.example.com/v1", "kind": "Widget",
            "metadata": {"name": f"w{number:02}-" + "x" * 240, "namespace": "default"}, "spec": spec(number)}))
    return folder


def test_a_breaking_change_shows_first_and_a_corpus_of_bad_objects_stays_one_short_line(crd_compat, tmp_path, monkeypatch):
    """Issue: a real breaking change was buried under 28 notes about the bad-input corpus, one a 20 KB line."""
    monkeypatch.chdir(tmp_path)
    objects = _many_widgets(tmp_path / "objects", 28, lambda n: {"size": -1, "tasks": [f"t{i}" * 5 for i in range(2000)]})
    code, lines, _ = crd_compat(OLD, CASES / "field_removed.yaml", "--objects", objects)
    assert code == 1
    assert lines[0].startswith("BREAKING Widget v1 .spec.mode removed: ")
    notes = [line for line in lines if line.startswith("note: ")]
    assert len(notes) == 1, notes  # one line for the 28 objects of one kind
    assert notes[0].startswith("note: Widget: 28 example objects invalid under OLD already, not held against NEW: ")
    assert notes[0].endswith("; and 26 more")
    assert max(map(len, lines)) <= output.LINE_LIMIT
    assert lines[-1] == "breaking: 1 breaking change(s) in 1 CRD(s): Widget"


def test_objects_refused_by_new_are_one_line_per_kind_version_and_field(crd_compat, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths are shown relative to the working folder
    objects = _many_widgets(tmp_path / "objects", 12, lambda n: {"size": n, "name": "UPPER" * 12})
    code, lines, _ = crd_compat(OLD, CASES / "pattern_added.yaml", "--objects", objects)
    assert code == 1
    refused = [line for line in lines if " object-invalid: " in line]
    assert len(refused) == 1 and refused[0].startswith(
        "BREAKING Widget v1 .spec.name object-invalid: 12 example objects valid under OLD, invalid under NEW: ")
    assert refused[0].endswith("; and 10 more") and len(refused[0]) < output.LINE_LIMIT
    assert lines[-1] == "breaking: 2 breaking change(s) in 1 CRD(s): Widget"


def test_a_long_note_is_cut_and_says_by_how_much():
    assert output.cut("x" * 600) == "x" * output.LINE_LIMIT + f"… ({600 - output.LINE_LIMIT} more characters)"
    assert output.cut("short") == "short"


# --- the OpenAPI → jsonschema mapping (what the API server would admit) ---------------------------

def _admits(node: dict, value) -> bool:
    root = {"type": "object", "properties": {"spec": {"type": "object", "properties": {"f": node}}}}
    return not admission_errors({"apiVersion": "x/v1", "kind": "X", "spec": {"f": value}}, root)


@pytest.mark.parametrize(("node", "value", "admitted"), [
    ({"type": "string", "nullable": True}, None, True),
    ({"type": "string", "nullable": True, "enum": ["a"]}, None, True),
    ({"type": "array", "items": {"type": "string"}}, [None], False),  # a null item is not pruned
    ({"x-kubernetes-int-or-string": True}, 5, True),
    ({"x-kubernetes-int-or-string": True}, "25%", True),
    ({"x-kubernetes-int-or-string": True}, 1.5, False),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, {"b": 1}, False),  # Strict: unknown field
    ({"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {"type": "string"}}},
     {"a": "x", "b": 1}, True),
    ({"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True},
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {}}, True),
    ({"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True},
     {"metadata": {"name": "p"}}, False),
    ({"type": "integer", "format": "int32"}, 2**31 - 1, True),
    ({"type": "integer", "format": "int32"}, 2**31, False),
    ({"type": "integer", "format": "int64"}, 2**63, False),
    ({"type": "string", "format": "date-time"}, "2024-05-01T10:00:00Z", True),
    ({"type": "string", "format": "date-time"}, "2024-05-01T10:00:00.123+02:00", True),
    ({"type": "string", "format": "date-time"}, "2024-13-01T10:00:00Z", False),
    ({"type": "string", "format": "date-time"}, "yesterday", False),
    ({"type": "string", "format": "byte"}, "aGVsbG8=", True),
    ({"type": "string", "format": "byte"}, "not base64!", False),
    ({"type": "integer", "maximum": 5, "exclusiveMaximum": True}, 5, False),
    ({"type": "integer", "maximum": 5, "exclusiveMaximum": True}, 4, True),
    ({"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}, ["a", "a"], False),
    # defaults are applied before validation, so a required field with a default is never missing
    ({"type": "object", "required": ["r"], "properties": {"r": {"type": "integer", "default": 1}}}, {}, True),
    ({"type": "object", "required": ["r"], "properties": {"r": {"type": "integer"}}}, {}, False),
])
def test_the_schema_mapping_admits_what_the_api_server_admits(node, value, admitted):
    assert _admits(node, value) is admitted


def test_a_non_nullable_null_field_is_dropped_then_defaulted_like_the_api_server_does():
    root = {"type": "object", "properties": {"spec": {"type": "object", "required": ["r"], "properties": {
        "r": {"type": "integer", "default": 1}}}}}
    assert admission_errors({"spec": {"r": None}}, root) == []


def test_unchecked_lists_cel_rules_and_unchecked_formats():
    schema = {"type": "object", "properties": {"spec": {
        "type": "object", "x-kubernetes-validations": [{"rule": "has(self.a)"}],
        "properties": {"a": {"type": "string", "format": "email"}, "t": {"type": "string", "format": "date-time"}}}}}
    assert unchecked(schema) == ["CEL rules at .spec", "format email at .spec.a"]


def test_yaml_timestamps_stay_strings_as_the_api_server_reads_them(tmp_path):
    file = tmp_path / "o.yaml"
    file.write_text("status: {startTime: 2024-05-01T10:00:00Z}\n")
    (doc,) = documents(file)
    assert doc.body["status"]["startTime"] == "2024-05-01T10:00:00Z"


# --- rules in isolation: widenings are not findings ------------------------------------------------

def _changes(old: dict, new: dict) -> set[str]:
    return {f"{rule}: {detail}" for check in FIELD_RULES for rule, detail in check(Field(old, False), Field(new, False))}


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"type": "integer"}, {"type": "number"}, set()),
    ({"type": "string"}, {"x-kubernetes-int-or-string": True}, set()),
    ({"x-kubernetes-int-or-string": True}, {"type": "integer"}, {"type-narrowed: int-or-string → integer"}),
    ({"type": "object"}, {"type": "string"}, {"type-narrowed: object → string"}),
    ({"type": "string", "enum": ["a"]}, {"type": "string"}, set()),
    ({"type": "string"}, {"type": "string", "enum": ["a"]}, {'narrowed: enum none → ["a"]'}),
    ({"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 0}, set()),
    ({"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 2}, {"narrowed: minimum 1 → 2"}),
    ({"type": "array", "maxItems": 3}, {"type": "array"}, set()),
    ({"type": "array"}, {"type": "array", "maxItems": 3}, {"narrowed: maxItems none → 3"}),
    ({"type": "string", "nullable": True}, {"type": "string"}, {"narrowed: nullable true → none"}),
    ({"type": "integer", "format": "int32"}, {"type": "integer", "format": "int64"}, set()),
    ({"type": "integer", "format": "int64"}, {"type": "integer", "format": "int32"},
     {'narrowed: format "int64" → "int32"'}),
])
def test_field_rules_flag_narrowing_and_let_widening_pass(old, new, expected):
    assert _changes(old, new) == expected


# --- the real pair ----------------------------------------------------------------------------------

PREVIOUS, CURRENT = FIXTURES / "crds" / "previous", FIXTURES / "crds" / "current"


@pytest.mark.skipif(not (PREVIOUS.is_dir() and CURRENT.is_dir()),
                    reason="fixtures/crds/previous or fixtures/crds/current does not exist yet")
def test_the_current_crds_are_backward_compatible_with_the_previous_release(crd_compat):
    """The upgrade the project ships: previous (v1beta1 storage) → current (v1 storage, v1beta1 served,
    promotion fields added). Example objects in fixtures/ are checked too."""
    code, lines, err = crd_compat(PREVIOUS, CURRENT, fixtures=FIXTURES)
    assert err == ""
    assert breaking(lines) == set(), "\n".join(lines)
    assert code == 0
    assert "checked KeptnAppVersion.lifecycle.keptn.sh: versions v1beta1, v1beta1→v1" in lines


@pytest.mark.parametrize(("revision", "admitted"), [
    (3, True), (3.0, True), (float(2**53 - 1), True),  # JSON 3.0: whole, so an integer to the API server
    (float(2**53), False), (3.5, False), (True, False),  # found by the random-spec scenario: 2^53 as a float is refused
])
def test_integers_are_what_the_api_server_takes_for_integers(revision, admitted):
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {"revision": {"type": "integer"}}}}}
    errors = admission_errors({"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}, "spec": {"revision": revision}}, schema)
    assert (errors == []) is admitted, errors
