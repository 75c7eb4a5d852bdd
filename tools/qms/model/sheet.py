"""Reports for spreadsheets: a cell that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value` as a spreadsheet shows it, never runs it: text starting like a formula (a title "=HYPERLINK(...)")
    gets a leading apostrophe, which spreadsheets read as "this is text" (a lone "-" stays as it is)."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA):
        return "'" + value
    return value


def rows(found: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a CSV report with every cell made safe (cell)."""
    return [{key: cell(value) for key, value in row.items()} for row in found]
