"""Active content: HTML in a body that a reader's browser would run or that would restyle the page, such as a
script, a frame, an event handler, a `javascript:` link or a style sheet. Markdown passes HTML through, so the
manual would publish it as written: a script could change what readers see, and no approval could vouch for that."""

from __future__ import annotations

import re

from .placeholders import Placeholder

_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`+[^`\n]*`+")
_ACTIVE = re.compile(
    r"<\s*(?:script|iframe|frame|frameset|object|embed|applet|base|meta|link|style|form)\b"  # elements
    r"|<[a-z][^<>]*?\son[a-z]+\s*="                                                       # onload=, onerror=
    r"|(?:href|src|action|formaction|data|xlink:href)\s*=\s*[\"']?\s*(?:javascript|vbscript|data):"
    r"|\]\(\s*<?\s*(?:javascript|vbscript|data):",                                        # [text](javascript:)
    re.IGNORECASE,
)
_MAYBE = re.compile(r"<|javascript:|vbscript:|data:", re.IGNORECASE)


def active_content(body: str, body_line: int) -> list[Placeholder]:
    """The active content in `body` (code blocks and inline code skipped), with file line numbers."""
    if _MAYBE.search(body) is None:
        return []
    if "```" in body or "~~~" in body:
        body = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    found = []
    for number, line in enumerate(body.split("\n")):
        for match in _ACTIVE.finditer(_CODE.sub("", line)):
            found.append(Placeholder(match.group(0).strip(), body_line + number))
    return found
