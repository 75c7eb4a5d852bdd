"""What history has established at a commit: the ledger and the configuration in force, kept in .git and
extended by the commits added since.

The ledger is made by the one walk of the change rules (rules.change.walk): every commit after the verify_from in
force is judged as it is applied, and the signatures the rules refuse (rules.change.REFUSALS) are kept in it, so
that a signature history refused never makes a document effective in any view. Both depend on history alone (each
act carries its own configuration), so what was saved for a commit stays true for as long as that commit is an
ancestor of HEAD and verify_from stays where it was: new commits are read and applied, never all of history again.
After a rebase or reset, a move of verify_from, or a merge of commits whose parents the saved state does not cover,
it is rebuilt. A few commits are kept: HEAD's, and the starts of the ranges CI judges (a branch's merge-base), so
that judging a branch reads the branch alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from collections.abc import Callable
from typing import Any

from ..gitlog import git, index
from ..model import cache, clock
from ..model.config import Config
from ..model.ledger import Kept, Ledger, Since, pack
from ..model.transition import Act
from ..rules.change import walk

_CACHE_NAME = "qms-ledgers"


@dataclass(frozen=True)
class Established:
    """The ledger after a commit, the configuration in force there (None before any qms.yml), and the commit its
    verify_from names (verify_commit: "" for none, None for one this repository does not hold)."""

    head: str
    ledger: Ledger
    config: Config | None
    verify_from: str | None = ""
    since: Since | None = None  # made by extending the ledger of an earlier commit (None: made from the start)


_memo: dict[tuple[str, str], Established] = {}
_KEEP = 4  # HEAD's and a few others' (the merge-base a branch is judged from, an "as of" commit)


def at(root: str, head: str) -> Established:
    """What history establishes at `head` (a commit id) in the repository at `root`."""
    found = _memo.get((root, head))
    if found is None:
        found = _memo[(root, head)] = _load(root, head)
    return found


def config_at(root: str) -> Callable[[str], Config | None]:
    """The configuration in force at a commit of the repository at `root`."""
    return lambda head: config(root, head)


def config(root: str, head: str) -> Config | None:
    """The configuration in force at `head` (a commit id): kept beside its ledger, so that a view that needs only
    the configuration never reads a ledger it does not judge by."""
    found = _memo.get((root, head))
    if found is not None:
        return found.config
    store = _Store(root)
    kept = store.config(head)
    if kept is not None:
        return kept[0]
    held = at(root, head).config
    store.keep_config(head, held)
    return held


def counted(root: str, head: str, config: Config | None, exclude: tuple[str, ...] = ()) -> Callable[[Act], bool]:
    """Which acts up to `head` (leaving out those reachable from `exclude`) are judged for the ledger: those after
    the verify_from of `config` (the configuration in force at `head`; where it names none, after the first
    commit, which adopted the QMS: gitlog.snapshot.adoption), made under a qms.yml. Before, history is carried
    over as it stood, its signatures taken as stated."""
    start = verify_commit(root, config)
    if start is None:
        return lambda act: False
    carried = (start,) if start else tuple(git.root_commits(root))
    after = git.commits_outside(root, head, (*carried, *exclude))
    return lambda act: act.sha in after and act.config is not None


def judged_after(root: str, config: Config | None) -> str | None:
    """The commit history is judged after: verify_from, or where qms.yml names none, the first commit, which
    adopted the QMS and is carried over as it stands (as `counted` carries it: every view judges the same
    commits). None: judge every commit (several first commits, or none)."""
    if config is not None and config.verify_from:
        return config.verify_from
    roots = git.root_commits(root) if git.head_or_empty(root) != git.EMPTY_TREE else []
    return roots[0] if len(roots) == 1 else None


def verify_commit(root: str, config: Config | None) -> str | None:
    """The commit verify_from names in `config` ("" where it names none, None where it names a commit this
    repository does not hold: nothing is judged, as qms verify refuses to start)."""
    if config is None or not config.verify_from:
        return ""
    return git.commit_id(root, config.verify_from)


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
        if git.on_first_parent_line(root, earlier, head):  # a branch's tip: its versions land with the merge
            saved = store.get(earlier)
            if saved is None:
                continue
            history = index.build(root, signatures=True, heads=(head,), exclude=(earlier,),
                                  boundary={earlier: saved.config})
            if history.complete and verify_commit(root, history.configs.get(head)) == saved.verify_from:
                found = _apply(root, saved.ledger, history, head, (earlier,))
                if not store.is_start(earlier):  # a range's start stays; any other is superseded by `head`
                    store.drop(earlier)
                break
    if found is None:
        found = _apply(root, Ledger(), index.build(root, signatures=True, heads=(head,)), head, ())
    store.put(found, start)
    return found


def keep(root: str, head: str, ledger: Ledger, config: Config | None) -> None:
    """Keep `ledger`, made by a walk of history up to `head` (a commit id) that counted the acts `counted` counts,
    as what history establishes there, so that the next command at `head` reads it instead of walking again."""
    store = _Store(root)
    if not store.has(head):
        store.put(Established(head, ledger, config, verify_commit(root, config)), False)


class _Store:
    """Ledgers kept in .git, one file a commit (so that reading one never reads the others), the newest few."""

    def __init__(self, root: str) -> None:
        self.folder = cache.cache_file(root, _CACHE_NAME)
        self.format = cache.code_format("ledger", ("model", "gitlog", "rules"))  # the walk judges by the rules
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

    def has(self, head: str) -> bool:
        return self.folder is not None and any(os.path.exists(self._path(head, start)) for start in (True, False))

    def config(self, head: str) -> tuple[Config | None] | None:
        """The configuration kept for `head`, if a ledger is kept for it (a tuple: None is a configuration too)."""
        if self.folder is None or not self.has(head):
            return None
        found = cache.load(os.path.join(self.folder, f"{head}.config"), self.format)
        return found if isinstance(found, tuple) and len(found) == 1 else None

    def keep_config(self, head: str, config: Config | None) -> None:
        if self.folder is not None and self.has(head):
            cache.save(os.path.join(self.folder, f"{head}.config"), self.format, (config,))

    def get(self, head: str) -> Established | None:
        """The ledger kept for `head`; one that is damaged or was kept by another version of the tool is removed,
        so that the one made instead is kept in its place."""
        if self.folder is None:
            return None
        for start in (True, False):
            path = self._path(head, start)
            found = cache.load(path, self.format)
            if isinstance(found, tuple) and len(found) == 3 and isinstance(found[0], Established) \
                    and found[0].head == head:
                kept: Established = found[0]
                for name, shards in found[1].items():  # each table read a shard at a time, when first asked
                    setattr(kept.ledger, name, Kept(shards, found[2]))
                return kept
            if os.path.exists(path):
                try:
                    os.remove(path)
                except OSError:
                    pass
        return None

    def put(self, found: Established, start: bool) -> None:
        if self.folder is None:
            return
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError:
            return
        if start and os.path.exists(self._path(found.head, False)):
            os.replace(self._path(found.head, False), self._path(found.head, True))
        start = start or self.is_start(found.head)
        if not os.path.exists(self._path(found.head, start)):
            cache.save(self._path(found.head, start), self.format, _packed(found))
            self.keep_config(found.head, found.config)
        current = git.commit_id(self.root, "HEAD")
        for old in self.heads()[_KEEP:]:  # the oldest go first, but never HEAD's
            if old != current and old != found.head:
                self.drop(old)

    def drop(self, head: str) -> None:
        assert self.folder is not None
        for path in (self._path(head, True), self._path(head, False), os.path.join(self.folder, f"{head}.config")):
            try:
                os.remove(path)
            except OSError:
                pass


def _packed(found: Established) -> tuple[Established, dict[str, list[bytes | None]], list[Config | None]]:
    """What is kept of `found`: the ledger without its tables, each table's shards (model.ledger.Kept), and the
    qms.yml versions they name."""
    ledger = found.ledger
    names = [one.name for one in fields(ledger) if isinstance(getattr(ledger, one.name), dict)]
    configs = next((table.configs for name in names if isinstance(table := getattr(ledger, name), Kept)), [])
    tables = {name: pack(getattr(ledger, name), configs) for name in names}
    empty: dict[str, Any] = {name: {} for name in names}
    return replace(found, ledger=replace(ledger, **empty)), tables, configs


def _apply(root: str, ledger: Ledger, history: index.HistoryIndex, head: str, exclude: tuple[str, ...]) -> Established:
    """The ledger after `head`: `ledger` (that of the one commit in `exclude`, or a new one) extended by the
    commits of `history`, with what they touched (Since) where it extends one."""
    config = history.configs.get(head)
    transitions = history.transitions
    _findings, ledger = walk(transitions, config, clock.now(), lambda act: False, ledger,
                             counted(root, head, config, exclude))
    return Established(head, ledger, config, verify_commit(root, config),
                       Since.of(exclude[0], transitions) if len(exclude) == 1 else None)
