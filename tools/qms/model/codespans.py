"""What Markdown shows as code: fenced blocks and inline code spans, read as Python-Markdown (the manual's
renderer) reads them. Text in code is shown as written, so it holds no link, no template gap, no active content."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?(?<=\n)\1[ \t]*$", re.MULTILINE | re.DOTALL)  # at a line's start
_SPAN = re.compile(r"(?<!\\)(`+)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.DOTALL)  # within one paragraph
_BLANK = re.compile(r"[^\n]")


def without_code(body: str) -> str:
    """`body` with its code blanked out: every character of a fenced block or a code span becomes a space, and
    line breaks stay, so offsets and line numbers are the body's."""
    if "`" not in body and "~~~" not in body:
        return body
    body = _FENCE.sub(lambda m: _BLANK.sub(" ", m.group(0)), body)
    return _SPAN.sub(lambda m: _BLANK.sub(" ", m.group(0)), body) if "`" in body else body
