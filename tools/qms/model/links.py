"""Markdown links in a body: where they point and on which line."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from .codespans import without_code

# A target may hold spaces, as Python-Markdown reads it (`<...>` or bare), before an optional title.
_INLINE = re.compile(r"\]\(\s*(?:<([^>\n]+)>|([^)\s][^)\n]*?))(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
# A definition's target has no space, and only a quoted or bracketed title may follow it (else it is text).
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$",
                        re.MULTILINE)
_EXTERNAL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//|#")


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
    body = without_code(body)  # code blanked, its length kept: offsets stay the body's
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
