"""The history index: every version of every document and record, built from one streamed `git log`.

One `git log --raw` pass lists, for each commit, the files it changed under procedures/ and records/ with
their blob ids before and after; one `git cat-file --batch` reads the blobs not seen before. Each blob is
parsed once, with the same parser as everything else, and the summary is cached by blob id in
.git/qms-history-cache: a blob id names its content, so a cached entry can never go stale.
"""

from __future__ import annotations

import concurrent.futures
import os
from dataclasses import dataclass, field, replace
from datetime import datetime

from .. import __version__
from ..model import cache
from ..model.document import Document, Record, parse_bytes
from . import git

NULL_BLOB = "0" * 40
_TOPS = ("procedures/", "records/")
_CACHE_FORMAT = f"qms-history-2-{__version__}"
_FORMAT = "%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x00"


@dataclass(frozen=True)
class Commit:
    """A commit as the audit trail needs it."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: datetime
    committer_name: str
    committer_email: str
    committed_at: datetime
    message: str
    signature: str = "N"  # git's %G?: G good, U good with unknown validity, N none, B bad, ...

    @property
    def short(self) -> str:
        return self.sha[:12]


@dataclass(frozen=True)
class Change:
    """One file changed by one commit: A, M or D, with the blob ids before and after."""

    commit: Commit
    status: str
    path: str
    old_blob: str | None
    new_blob: str | None


@dataclass
class HistoryIndex:
    """Commits, changes and the parsed version behind every blob, in commit order (oldest first)."""

    root: str
    head: str
    shallow: bool
    commits: list[Commit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    versions: dict[str, Document | Record | None] = field(default_factory=dict)

    def version(self, blob: str | None) -> Document | Record | None:
        """The document or record a blob holds (None for none, or unreadable)."""
        return self.versions.get(blob) if blob else None

    def document_changes(self) -> dict[str, list[Change]]:
        """Changes to each controlled document, by document id (renames followed through the id)."""
        found: dict[str, list[Change]] = {}
        for change in self.changes:
            doc = self.version(change.new_blob) or self.version(change.old_blob)
            if isinstance(doc, Document):
                found.setdefault(doc.id, []).append(change)
        return found

    def text(self, blob: str) -> str:
        """The full text of a blob (for diffs and for publishing an earlier revision)."""
        data = git.read_blobs(self.root, [blob]).get(blob)
        return data.decode("utf-8", errors="replace") if data is not None else ""


def build(root: str, since: str | None = None, cache: bool = True, signatures: bool = False) -> HistoryIndex:
    """Index the history of HEAD (after `since`, if given) in one pass; `signatures` also verifies them."""
    head = git.head_or_empty(root)
    index = HistoryIndex(root, head, git.is_shallow(root) if head != git.EMPTY_TREE else False)
    if head == git.EMPTY_TREE:
        return index
    revisions = f"{since}..HEAD" if since else "HEAD"
    # No pathspec: limiting the walk to procedures/ and records/ costs git more than filtering here.
    raw = git.run(["log", "--reverse", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff",
                   f"--format={_FORMAT}" + ("%G?%x00" if signatures else ""), revisions], root)
    _parse_log(index, raw.decode("utf-8", errors="surrogateescape"), signatures)
    _load_versions(index, cache)
    return index


def _parse_log(index: HistoryIndex, raw: str, signatures: bool) -> None:
    width = 10 if signatures else 9
    for chunk in raw.split("\x01")[1:]:
        fields = chunk.split("\0")
        sha, parents, an, ae, ai, cn, ce, ci, message = fields[:9]
        commit = Commit(sha, tuple(parents.split()), an, ae, datetime.fromisoformat(ai), cn, ce,
                        datetime.fromisoformat(ci), message, fields[9] if signatures else "N")
        rest = fields[width:]
        relevant = False
        for position in range(len(rest) - 1):
            token = rest[position].lstrip("\n")
            path = rest[position + 1]
            if token.startswith(":") and path.startswith(_TOPS):
                _old_mode, _new_mode, old_blob, new_blob, status = token[1:].split(" ")
                index.changes.append(Change(commit, status[0], path, None if old_blob == NULL_BLOB else old_blob,
                                            None if new_blob == NULL_BLOB else new_blob))
                relevant = True
        if relevant:
            index.commits.append(commit)


def _load_versions(index: HistoryIndex, use_cache: bool) -> None:
    path = cache.cache_file(index.root, "qms-history-cache") if use_cache else None
    cached: dict[str, Document | Record | None] = cache.load(path, _CACHE_FORMAT) or {}
    wanted: dict[str, str] = {}
    for change in index.changes:
        for blob in (change.old_blob, change.new_blob):
            if blob and blob not in cached and change.path.endswith(".md"):
                wanted.setdefault(blob, change.path)
    blobs = git.read_blobs(index.root, list(wanted))
    fresh = _parse_all([(blob, wanted[blob], data) for blob, data in blobs.items()])
    index.versions = {**cached, **fresh}
    if fresh:
        cache.save(path, _CACHE_FORMAT, index.versions)


_PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves


def _parse_chunk(chunk: list[tuple[str, str, bytes | None]]) -> dict[str, Document | Record | None]:
    return {blob: _summary(parse_bytes(data, path)) for blob, path, data in chunk}


def _parse_all(items: list[tuple[str, str, bytes | None]]) -> dict[str, Document | Record | None]:
    """Parse many blobs; a long history on a first run is parsed on every core."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < _PARALLEL_FROM or workers < 2:
        return _parse_chunk(items)
    size = -(-len(items) // (workers * 4))
    parsed: dict[str, Document | Record | None] = {}
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        for part in pool.map(_parse_chunk, [items[i:i + size] for i in range(0, len(items), size)]):
            parsed.update(part)
    return parsed


def _summary(item: Document | Record | None) -> Document | Record | None:
    """The parsed version as history needs it: without per-key line numbers, with its fingerprints computed
    now so that they are cached with it."""
    if isinstance(item, Document):
        item = replace(item, lines={})
        _ = item.fingerprint, item.authored
    return item
