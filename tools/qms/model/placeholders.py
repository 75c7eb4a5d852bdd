"""Template text nobody filled in: `<enter ...>`, `[insert ...]`, `To be written.`, `TBD`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .codespans import without_code

_VERBS = r"(?:enter|insert|add|describe|name|type|fill in|specify|state|list|define)"
_PLACEHOLDER = re.compile(
    rf"<\s*{_VERBS}\b[^<>\n]*>"                                    # <enter the scope here>
    rf"|\[\s*{_VERBS}\b[^\[\]\n]*\](?!\()"                         # [insert company name], not a link
    r"|\b[Tt]o be (?:written|completed|defined|confirmed|added|determined)\b"
    r"|\bTB[DCA]\b|\bTODO\b|\bFIXME\b|\bX{3,}\b|\bLorem ipsum\b",
    re.IGNORECASE,
)
# Everything _PLACEHOLDER can match, and more, in lower-case text: a cheap first pass (case-insensitive matching
# costs Python's regex engine four times as much).
_MAYBE = re.compile(rf"[<\[]\s*{_VERBS}\b|to be (?:written|completed|defined|confirmed|added|determined)\b"
                    r"|tb[dca]\b|todo\b|fixme\b|xxx|lorem ipsum")
_UPPER_ONLY = re.compile(r"TB[DCA]|TODO|FIXME|X{3,}")  # "tbd" in running text is a word, "TBD" a gap


@dataclass(frozen=True)
class Placeholder:
    """A piece of template text left in a body, and its line in the file."""

    text: str
    line: int


def placeholders(body: str, body_line: int) -> list[Placeholder]:
    """The template text left in `body` (code blocks and inline code skipped), with file line numbers."""
    if _MAYBE.search(body.lower()) is None:  # most bodies: one cheap pass finds nothing
        return []
    found = []
    for number, line in enumerate(without_code(body).split("\n")):
        for match in _PLACEHOLDER.finditer(line):
            word = match.group(0)
            if word.upper() == word or not _UPPER_ONLY.fullmatch(word.upper()):
                found.append(Placeholder(word, body_line + number))
    return found
