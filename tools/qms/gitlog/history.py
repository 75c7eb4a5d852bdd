"""History look-ups for change control: who authored a revision's content, which ids were retired."""

from __future__ import annotations

from ..model.document import Document, parse_bytes
from . import git


def revision_authors(cwd: str, upto: str, path: str, revision: str) -> set[str]:
    """Emails of authors of commits up to `upto` that introduced `revision` of `path` or changed its content."""
    if upto == git.EMPTY_TREE:
        return set()
    log = git.text(["log", "--format=%H%x00%ae", upto, "--", path], cwd)
    commits = [line.split("\0") for line in reversed(log.splitlines()) if line]
    blobs = git.read_blobs(cwd, [f"{sha}:{path}" for sha, _email in commits])
    authors: set[str] = set()
    previous: tuple[str, str] | None = None
    for sha, email in commits:
        doc = parse_bytes(blobs.get(f"{sha}:{path}"), path)
        if not isinstance(doc, Document):
            continue
        current = (doc.revision, doc.authored)
        if doc.revision == revision and current != previous:
            authors.add(email.lower())
        previous = current
    return authors


def retired_ids(cwd: str, upto: str) -> dict[str, str]:
    """Ids of documents deleted at some commit up to `upto`, with the path they had."""
    if upto == git.EMPTY_TREE:
        return {}
    log = git.text(["log", "--diff-filter=D", "--name-only", "--format=%x00%H", upto, "--", "procedures"], cwd)
    deleted: list[tuple[str, str]] = []
    for block in log.split("\0")[1:]:
        sha, *paths = [line for line in block.splitlines() if line]
        deleted += [(f"{sha}^:{path}", path) for path in paths if path.endswith(".md")]
    blobs = git.read_blobs(cwd, [spec for spec, _path in deleted])
    found = {}
    for spec, path in deleted:
        doc = parse_bytes(blobs.get(spec), path)
        if isinstance(doc, Document):
            found[doc.id] = path
    return found
