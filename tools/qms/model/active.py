"""Active content: HTML in a body that a reader's browser would run or that would restyle the page, such as a
script, a frame, an event handler, a `javascript:` link or a style sheet. Markdown passes HTML through, so the
manual would publish it as written: a script could change what readers see, and no approval could vouch for that."""

from __future__ import annotations

import html
import re

from .placeholders import Placeholder

_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`+[^`\n]*`+")
_ELEMENTS = re.compile(
    r"<\s*(?:script|iframe|frame|frameset|object|embed|applet|base|meta|link|style|form)\b"  # elements
    r"|<[a-z][^<>]*?\son[a-z]+\s*=",                                                     # onload=, onerror=
    re.IGNORECASE,
)
_URLS = re.compile(  # read after entities are decoded, as a browser reads an attribute or a link target
    r"(?:href|src|action|formaction|data|xlink:href)\s*=\s*[\"']?\s*(?:javascript|vbscript|data):"
    r"|\]\(\s*<?\s*(?:javascript|vbscript|data):"                                          # [text](javascript:)
    r"|^\s{0,3}\[[^\]]+\]:\s*<?\s*(?:javascript|vbscript|data):",                                # [ref]: javascript:
    re.IGNORECASE,
)
_IGNORED = re.compile(r"[\t\r\x00-\x08\x0b\x0c\x0e-\x1f]")  # what a browser drops from a URL before reading it
_MAYBE = re.compile(r"<|:|&", re.IGNORECASE)


def active_content(body: str, body_line: int) -> list[Placeholder]:
    """The active content in `body` (code blocks and inline code skipped), with file line numbers."""
    if _MAYBE.search(body) is None:
        return []
    if "```" in body or "~~~" in body:
        body = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    found = []
    for number, line in enumerate(body.split("\n")):
        text = _CODE.sub("", line)
        for match in [*_ELEMENTS.finditer(text), *_URLS.finditer(_IGNORED.sub("", html.unescape(text)))]:
            found.append(Placeholder(match.group(0).strip(), body_line + number))
    return found
