"""Revision arithmetic for the two schemes: numeric (1, 2, 3) and alpha (A, B, ... Z, AA, AB)."""

from __future__ import annotations

import re


def is_valid(scheme: str, revision: str) -> bool:
    """Whether `revision` is written in `scheme`."""
    pattern = r"[1-9][0-9]*" if scheme == "numeric" else r"[A-Z]+"
    return re.fullmatch(pattern, revision) is not None


def first(scheme: str) -> str:
    """The first revision of a new document."""
    return "1" if scheme == "numeric" else "A"


def ordinal(scheme: str, revision: str) -> int:
    """The position of `revision` in its scheme, counting from 1."""
    if scheme == "numeric":
        return int(revision)
    number = 0
    for letter in revision:
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def from_ordinal(scheme: str, number: int) -> str:
    """The revision at position `number` (1-based) in `scheme`."""
    if scheme == "numeric":
        return str(number)
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def following(scheme: str, revision: str) -> str:
    """The revision after `revision`: 3 -> 4, Z -> AA."""
    return from_ordinal(scheme, ordinal(scheme, revision) + 1)
