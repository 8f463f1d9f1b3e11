"""The checker's output, most important first: one `BREAKING` line per breaking change, then short
notes, then what was checked, then the verdict as the last line.

Example objects are summarized, never listed one per line: those NEW refuses, one line per kind,
version and field; those OLD already refuses (a corpus of bad input, say), one line per kind; the
`--objects` documents of other kinds, one line per file. Values quoted from objects are cut, so no
line runs past `LINE_LIMIT` characters.
"""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from harness.compat.compare import Comparison
from harness.compat.example_objects import Example, ObjectCheck, Refusal

LINE_LIMIT = 500
MESSAGE_LIMIT = 100  # of one message quoted from the checker (they repeat the offending value)
NAME_LIMIT = 50  # of an object's name (a corpus of bad input has names of 253 characters)
SHOWN = 2  # objects named on a summary line; the others are counted


def render(comparison: Comparison, objects: ObjectCheck, crds_in_old: int) -> tuple[list[str], int]:
    """The output lines and the exit code: 0 compatible, 1 breaking."""
    breaking = [f"BREAKING {f.kind} {f.version} {f.path} {f.rule}: {f.detail}" for f in comparison.findings]
    breaking += _objects_refused_by_new(objects)
    notes = comparison.notes + _objects_not_held_against_new(objects) + objects.unchecked
    lines = [cut(line) for line in breaking] + [cut(f"note: {note}") for note in notes] + comparison.checked
    validated = sum(objects.validated.values())
    origins = ", ".join(f"{count} from {origin}" for origin, count in sorted(objects.validated.items()))
    lines.append(f"checked objects: {validated} valid under OLD and validated under NEW"
                 + (f" ({origins})" if origins else "")
                 + (f"; {len(objects.invalid_under_old)} invalid under OLD (see notes)" if objects.invalid_under_old else ""))
    if breaking:
        kinds = sorted({f.kind for f in comparison.findings}
                       | {r.example.group_version_kind[2] for r, _ in objects.invalid_under_new}
                       | {e.group_version_kind[2] for e in objects.not_served_by_new})
        lines.append(f"breaking: {len(breaking)} breaking change(s) in {len(kinds)} CRD(s): {', '.join(kinds)}")
        return lines, 1
    lines.append(
        f"compatible: all {crds_in_old} CRD(s) of OLD are in NEW and still serve every version; "
        f"{comparison.fields_compared} field(s) compared with none removed, narrowed, newly required, "
        f"or with a changed default or a removed enum value; "
        + (f"all {validated} object(s) valid under OLD are valid under NEW" if validated
           else "no example object valid under OLD was found to validate")
    )
    return lines, 0


def _objects_refused_by_new(objects: ObjectCheck) -> list[str]:
    by_field: dict[tuple[str, str, str], list[Refusal]] = defaultdict(list)
    for refusal, version in objects.invalid_under_new:
        by_field[(refusal.example.group_version_kind[2], version, refusal.path)].append(refusal)
    lines = [f"BREAKING {kind} {version} {path} object-invalid: {_count(refusals)} valid under OLD, invalid under NEW: "
             + _listing(refusals, lambda r: f"{_label(r.example)}: {_short(r.message)}")
             for (kind, version, path), refusals in sorted(by_field.items())]
    by_version: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for example in objects.not_served_by_new:
        by_version[(example.group_version_kind[2], example.group_version_kind[1])].append(example)
    lines += [f"BREAKING {kind} {version} . object-invalid: {_count(found)} valid under OLD, and NEW does not serve "
              f"{found[0].doc.body['apiVersion']}: " + _listing(found, _label)
              for (kind, version), found in sorted(by_version.items())]
    return lines


def _objects_not_held_against_new(objects: ObjectCheck) -> list[str]:
    by_kind: dict[str, list[Refusal]] = defaultdict(list)
    for refusal in objects.invalid_under_old:
        by_kind[refusal.example.group_version_kind[2]].append(refusal)
    notes = [f"{kind}: {_count(refusals)} invalid under OLD already, not held against NEW: "
             + _listing(refusals, lambda r: f"{_label(r.example)}: {r.path}: {_short(r.message)}")
             for kind, refusals in sorted(by_kind.items())]
    by_file: dict[Path, list[Example]] = defaultdict(list)
    for example in objects.unknown_kinds:
        by_file[example.doc.file].append(example)
    for file, found in sorted(by_file.items()):
        kinds = sorted({f"{e.doc.body['apiVersion']} {e.group_version_kind[2]}" for e in found})
        notes.append(f"{shown_path(file)}: {len(found)} document(s) of a kind no CRD of OLD or NEW defines, "
                     f"not checked: {', '.join(kinds)}")
    if objects.not_in_old:
        counts = ", ".join(f"{api_version} {kind} ({n})" for (api_version, kind), n in sorted(objects.not_in_old.items()))
        notes.append(f"not checked, OLD does not serve their version: {counts}")
    return notes


def _count(found: list) -> str:
    return f"{len(found)} example object{'s' if len(found) != 1 else ''}"


def _listing(items: list, describe) -> str:
    shown = "; ".join(describe(item) for item in items[:SHOWN])
    return shown + (f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _label(example: Example) -> str:
    return f"{shown_path(example.doc.file)} (doc {example.doc.index}) {_short(example.name, NAME_LIMIT)}"


def _short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def cut(text: str, limit: int = LINE_LIMIT) -> str:
    """`text`, or its first `limit` characters and how many more there were."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


def shown_path(path: Path) -> str:
    """The path relative to the working folder when it is below it: shorter lines, same meaning."""
    try:
        return str(Path(path).resolve().relative_to(Path(os.getcwd()).resolve()))
    except ValueError:
        return str(path)
