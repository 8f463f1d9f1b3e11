"""The checker's output: one line per breaking change, the notes, what was checked, one summary line."""
from __future__ import annotations

from harness.compat.compare import Comparison
from harness.compat.objects import ObjectCheck


def render(comparison: Comparison, objects: ObjectCheck, crds_in_old: int) -> tuple[list[str], int]:
    """The output lines and the exit code: 0 compatible, 1 breaking."""
    findings = comparison.findings + objects.findings
    lines = [f"BREAKING {f.kind} {f.version} {f.path} {f.rule}: {f.detail}" for f in findings]
    lines += [f"note: {note}" for note in comparison.notes + objects.notes]
    lines += comparison.checked
    validated = sum(objects.validated.values())
    origins = ", ".join(f"{count} from {origin}" for origin, count in sorted(objects.validated.items()))
    lines.append(f"checked objects: {validated} valid under OLD and validated under NEW"
                 + (f" ({origins})" if origins else "")
                 + (f"; {objects.invalid_under_old} invalid under OLD (see notes)" if objects.invalid_under_old else ""))
    if findings:
        kinds = sorted({f.kind for f in findings})
        lines.append(f"breaking: {len(findings)} breaking change(s) in {len(kinds)} CRD(s): {', '.join(kinds)}")
        return lines, 1
    lines.append(
        f"compatible: all {crds_in_old} CRD(s) of OLD are in NEW and still serve every version; "
        f"{comparison.fields_compared} field(s) compared with none removed, narrowed, newly required, "
        f"or with a changed default or a removed enum value; "
        + (f"all {validated} object(s) valid under OLD are valid under NEW" if validated
           else "no example object valid under OLD was found to validate")
    )
    return lines, 0
