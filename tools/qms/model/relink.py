"""Links between imported files: a link by a source's file name (`[see](other-procedure.md)`, `other.docx`) is made
to point at the document that file becomes, relative to the new document (as model.links resolves it); a link to
a document file that was not imported is kept as written and reported. Nothing else in the text changes."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from .finding import Finding
from .links import Link, relative_links

DOCUMENT_FILES = (".md", ".markdown", ".docx")  # a link to one of these is a link to another procedure


@dataclass(frozen=True)
class Rewrite:
    """One link made to point at the document its file became."""

    line: int  # in the source's body, counted from 1
    old: str
    new: str
    target: str  # the path in the QMS of the document it now points at


@dataclass(frozen=True)
class Relinked:
    """A source's body with its links between imported files rewritten; what was rewritten; the links to document
    files that were not imported (kept as written, their lines counted from the body's first); and a QMS172
    warning for each of those."""

    body: str
    rewrites: tuple[Rewrite, ...]
    kept: tuple[Link, ...]
    losses: tuple[Finding, ...]


def is_document_file(target: str) -> bool:
    """Whether a link target names a Markdown or Word file (another procedure, never an attachment)."""
    return target.split("#", 1)[0].split("?", 1)[0].lower().endswith(DOCUMENT_FILES)


def relink(body: str, source: str, full_path: str, new_path: str, imported: Mapping[str, str]) -> Relinked:
    """`body` of the source file `source` (as the user named it; its full path `full_path`) once it is the
    document at `new_path`: each link to a file in `imported` (full path -> the QMS path it is imported to) made
    relative to `new_path`, its #fragment kept."""
    rewrites: list[Rewrite] = []
    kept: list[Link] = []
    losses: list[Finding] = []
    pieces: list[str] = []
    done = 0
    for link in sorted(relative_links(body, full_path, 1), key=lambda found: found.span):
        target = imported.get(link.resolved)
        if link.span[0] < done:  # inside a link already rewritten
            continue
        if target is None:
            if is_document_file(link.target):
                kept.append(link)
                losses.append(Finding(source, link.line, "QMS172", f"links to {link.target}, which was not imported: "
                                      "the link is kept as written and does not resolve", "import that file in the "
                                      "same qms import, which rewrites the link, or change the link in the draft; "
                                      "qms check reports it as QMS051 until then", "warning"))
            continue
        rest = link.target[len(link.target.split("#", 1)[0].split("?", 1)[0]):]  # the #fragment or ?query
        new = posixpath.relpath(target, posixpath.dirname(new_path)) + rest
        rewrites.append(Rewrite(link.line, link.target, new, target))
        start, end = link.span
        pieces += [body[done:start], new]
        done = end
    return Relinked("".join(pieces) + body[done:], tuple(rewrites), tuple(kept), tuple(losses))
