"""Document and record ids: PREFIX-NNN, one canonical form per number, and which ids are the same id."""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"([A-Z]+)-([0-9]+)\Z")


def canonical(prefix: str, number: int, width: int) -> str:
    """The one way to write id `number` of `prefix`: `width` digits, more only when the number needs them."""
    return f"{prefix}-{number:0{width}d}"


def is_canonical(item_id: str, width: int) -> bool:
    """Whether `item_id` is PREFIX-NNN written in its one form (no extra leading zeros, at least `width` digits)."""
    match = ID_PATTERN.match(item_id)
    return match is not None and item_id == canonical(match.group(1), int(match.group(2)), width)


def identity(item_id: str) -> str:
    """What makes two ids the same id: WI-4, WI-004 and WI-0004 are one id, for uniqueness and for retirement."""
    match = ID_PATTERN.match(item_id)
    return f"{match.group(1)}-{int(match.group(2))}" if match else item_id
