"""Markdown links in a body: where they point and on which line."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

# A target may hold spaces, as Python-Markdown reads it (`<...>` or bare), before an optional title.
_INLINE = re.compile(r"\]\(\s*(?:<([^>\n]+)>|([^)\s][^)\n]*?))(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_EXTERNAL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//|#")
_BLANK = re.compile(r"[^\n]")


@dataclass(frozen=True)
class Link:
    """A relative link: the raw target, the repository path it resolves to, its line in the file, and where the
    target lies in the body (start and end offsets)."""

    target: str
    resolved: str
    line: int
    span: tuple[int, int]


def relative_links(body: str, source_path: str, body_line: int) -> list[Link]:
    """Relative links in `body` (code blocks skipped), resolved against the folder of `source_path`."""
    return list(_links(body, source_path, body_line)) if "](" in body or "]:" in body else []


def _links(body: str, source_path: str, body_line: int) -> Iterator[Link]:
    if "```" in body or "~~~" in body:  # code blocks blanked, their length kept: offsets stay the body's
        body = _FENCE.sub(lambda m: _BLANK.sub(" ", m.group(0)), body)
    folder = posixpath.dirname(source_path)
    for pattern in (_INLINE, _REFERENCE):
        for match in pattern.finditer(body):
            group = 2 if pattern is _INLINE and match.group(1) is None else 1
            target = match.group(group)
            if _EXTERNAL.match(target):
                continue
            path = unquote(target.split("#", 1)[0].split("?", 1)[0])
            resolved = posixpath.normpath(posixpath.join(folder, path))
            yield Link(target, resolved, body_line + body.count("\n", 0, match.start()), match.span(group))
