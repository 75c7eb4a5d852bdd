"""What history has established at HEAD: the ledger and the configuration in force, kept in .git and extended
by the commits added since.

Both depend on history alone (each act carries its own configuration), so what was saved for a commit stays true
for as long as that commit is an ancestor of HEAD: new commits are read and applied, never all of history again.
After a rebase or reset, or a merge of commits whose parents the saved state does not cover, it is rebuilt.
A few commits are kept: HEAD's, and the starts of the ranges CI judges (a branch's merge-base), so that judging a
branch reads the branch alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..model import cache
from ..model.config import Config
from ..model.ledger import Ledger
from . import git, index

_CACHE_NAME = "qms-ledgers"


@dataclass(frozen=True)
class Established:
    """The ledger after a commit, and the configuration in force there (None before any qms.yml)."""

    head: str
    ledger: Ledger
    config: Config | None


_memo: dict[tuple[str, str], Established] = {}
_KEEP = 4  # HEAD's and a few others' (the merge-base a branch is judged from, an "as of" commit)


def at(root: str, head: str) -> Established:
    """What history establishes at `head` (a commit id) in the repository at `root`."""
    found = _memo.get((root, head))
    if found is None:
        found = _memo[(root, head)] = _load(root, head)
    return found


def own(root: str, head: str) -> Established:
    """What history establishes at `head`, as a copy of one's own to extend (never the one `at` shares). `head`
    is the start of a range (the merge-base CI judges a branch from): its ledger is kept for the next run even
    when a later commit's is made from it."""
    return _load(root, head, start=True)


def _load(root: str, head: str, start: bool = False) -> Established:
    store = _Store(root)
    found = store.get(head)
    if found is not None:
        if start:
            store.put(found, start)
        return found
    for earlier in store.heads():  # the newest first
        if git.is_ancestor(root, earlier, head):
            saved = store.get(earlier)
            if saved is None:
                continue
            history = index.build(root, heads=(head,), exclude=(earlier,), boundary={earlier: saved.config})
            if history.complete:
                found = _apply(saved.ledger, history, head)
                if not store.is_start(earlier):  # a range's start stays; any other is superseded by `head`
                    store.drop(earlier)
                break
    if found is None:
        found = _apply(Ledger(), index.build(root, heads=(head,)), head)
    store.put(found, start, made=True)
    return found


class _Store:
    """Ledgers kept in .git, one file a commit (so that reading one never reads the others), the newest few."""

    def __init__(self, root: str) -> None:
        self.folder = cache.cache_file(root, _CACHE_NAME)
        self.format = cache.code_format("ledger")
        self.root = root

    def _path(self, head: str, start: bool) -> str:
        assert self.folder is not None
        return os.path.join(self.folder, f"{head}.{'start' if start else 'ledger'}")

    def heads(self) -> list[str]:
        """The commits kept, the most recently kept first."""
        if self.folder is None or not os.path.isdir(self.folder):
            return []
        named = [entry for entry in os.scandir(self.folder) if entry.name.endswith((".ledger", ".start"))]
        return [entry.name.split(".")[0] for entry in sorted(named, key=lambda e: -e.stat().st_mtime_ns)]

    def is_start(self, head: str) -> bool:
        return self.folder is not None and os.path.exists(self._path(head, True))

    def get(self, head: str) -> Established | None:
        if self.folder is None:
            return None
        for start in (True, False):
            found = cache.load(self._path(head, start), self.format)
            if isinstance(found, Established) and found.head == head:
                return found
        return None

    def put(self, found: Established, start: bool, made: bool = False) -> None:
        """Keep `found` (`made`: just made, so that what the file holds, if anything, is of another format)."""
        if self.folder is None:
            return
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError:
            return
        if start and os.path.exists(self._path(found.head, False)):
            os.replace(self._path(found.head, False), self._path(found.head, True))
        start = start or self.is_start(found.head)
        if made or not os.path.exists(self._path(found.head, start)):
            cache.save(self._path(found.head, start), self.format, found)
        current = git.commit_id(self.root, "HEAD")
        for old in self.heads()[_KEEP:]:  # the oldest go first, but never HEAD's
            if old != current and old != found.head:
                self.drop(old)

    def drop(self, head: str) -> None:
        for start in (True, False):
            try:
                os.remove(self._path(head, start))
            except OSError:
                pass


def _apply(ledger: Ledger, history: index.HistoryIndex, head: str) -> Established:
    for transition in history.transitions:
        ledger.apply(transition)
    return Established(head, ledger, history.configs.get(head))
