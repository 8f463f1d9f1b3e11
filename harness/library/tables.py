"""Reading the values scenarios write: Gherkin data tables, `a, b` lists and `k=v, k2=v2` pairs."""
from __future__ import annotations


def records(datatable: list[list[str]]) -> list[dict[str, str]]:
    """A data table with a header row, as one dict per row (cells stripped)."""
    header, *rows = datatable
    return [{key.strip(): cell.strip() for key, cell in zip(header, row)} for row in rows]


def single_row(datatable: list[list[str]]) -> dict[str, str]:
    rows = records(datatable)
    if len(rows) != 1:
        raise ValueError(f"expected a table with a header and exactly one row, got {len(rows)} rows: {datatable}")
    return rows[0]


def names(text: str) -> list[str]:
    """`a, b` → ["a", "b"]; an empty cell is an empty list."""
    return [name.strip() for name in text.split(",") if name.strip()]


def key_values(text: str) -> dict[str, str]:
    """`team=payments, tier=gitops` → {"team": "payments", "tier": "gitops"}."""
    pairs = {}
    for item in names(text):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"expected key=value, got {item!r} in {text!r}")
        pairs[key.strip()] = value.strip()
    return pairs
