"""What history has established at HEAD: the ledger and the configuration in force, kept in .git and extended
by the commits added since.

Both depend on history alone (each act carries its own configuration), so what was saved for a commit stays true
for as long as that commit is an ancestor of HEAD: new commits are read and applied, never all of history again.
After a rebase or reset, or a merge of commits whose parents the saved state does not cover, it is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import cache
from ..model.config import Config
from ..model.ledger import Ledger
from . import git, index

_CACHE_NAME = "qms-ledger-cache"


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
    """What history establishes at `head`, as a copy of one's own to extend (never the one `at` shares)."""
    return _load(root, head)


def _load(root: str, head: str) -> Established:
    path = cache.cache_file(root, _CACHE_NAME)
    saved = cache.load(path, cache.code_format("ledger"))
    entries: dict[str, Established] = saved if isinstance(saved, dict) else {}
    if head in entries:
        return entries[head]
    found = None
    for earlier in reversed(list(entries.values())):  # the newest first
        if git.is_ancestor(root, earlier.head, head):
            history = index.build(root, heads=(head,), exclude=(earlier.head,), boundary={earlier.head: earlier.config})
            if history.complete:
                found = _apply(earlier.ledger, history, head)
                del entries[earlier.head]  # its ledger is now the one after `head`
                break
    if found is None:
        found = _apply(Ledger(), index.build(root, heads=(head,)), head)
    current = git.commit_id(root, "HEAD")
    entries[head] = found
    while len(entries) > _KEEP:  # the oldest goes first, but never HEAD's
        entries.pop(next(h for h in entries if h != current))
    cache.save(path, cache.code_format("ledger"), entries)
    return found


def _apply(ledger: Ledger, history: index.HistoryIndex, head: str) -> Established:
    for transition in history.transitions:
        ledger.apply(transition)
    return Established(head, ledger, history.configs.get(head))
