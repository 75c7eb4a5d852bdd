"""The change-control views: the staged change (hook), a branch (CI), all history (verify), and a write
command's own change. Each builds transitions with gitlog and judges them with the one rule set."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import EXIT_USAGE, QmsError
from ..gitlog import git, index
from ..gitlog.index import HistoryIndex
from ..gitlog.staged import staged_act, staged_transitions
from ..model import cache, clock
from ..model.config import Config
from ..model.finding import Finding
from ..model.ledger import Ledger
from ..model.transition import Act, Transition
from ..rules.change import Context, judge_act, walk
from ..rules.change.timing import settled
from . import established


def shallow_finding() -> Finding:
    """What every history view says about a shallow clone."""
    return Finding(".", 1, "QMS137", "this clone is shallow: the history change control needs is missing",
                   "git fetch --unshallow; in CI check out with fetch-depth: 0")


@dataclass
class Judged:
    """The findings of a view, the history it read, and the ledger after it."""

    findings: list[Finding]
    history: HistoryIndex
    ledger: Ledger
    acts: int
    commits: frozenset[str] = field(default_factory=frozenset)  # the commits judged
    since: str | None = None  # the commit they follow (None: from the first)


def judge_history(root: str, config: Config, since: str | None, head: str | None = None) -> Judged:
    """Walk all of history up to `head` (default HEAD), judging every commit after `since` (all, if None)."""
    git.require_root(root)
    history = index.build(root, signatures=True, heads=(head or "HEAD",))
    if history.shallow:
        return Judged([shallow_finding()], history, Ledger(), 0)
    if history.head == git.EMPTY_TREE:
        return Judged([], history, Ledger(), 0)
    judged = git.commits_after(root, since, head or "HEAD")
    return _judged(root, config, history, head or "HEAD", since, judged)


def _judged(root: str, config: Config, history: HistoryIndex, head: str, since: str | None, judged: set[str],
            ledger: Ledger | None = None, start: str | None = None) -> Judged:
    """The acts `judged` of `history` judged, from `ledger` (what history established at `start`; None: `history`
    is all of it): a verdict kept for the same commits and qms.yml is reused where the clock can no longer change
    it (_Verdicts), else the acts are walked and the verdict kept. Either way the ledger counts the signatures the
    rules refuse after verify_from, as every view's does (established.counted)."""
    now = clock.now()
    key = _verdict_key(root, head, since, config)
    kept = _verdicts(root).get(key, now) if key else None

    def counted() -> Callable[[Act], bool]:  # read from Git only where the ledger is walked
        commit = key[0] if key else git.commit_id(root, head) or head
        return established.counted(root, commit, history.configs.get(commit), (start,) if start else ())

    if key is not None and kept is not None:
        findings = kept
        if ledger is None:
            ledger = established.at(root, key[0]).ledger
        else:
            walk(history.transitions, config, now, lambda act: False, ledger, counted())
    else:
        findings, ledger = walk(history.transitions, config, now, lambda act: act.sha in judged, ledger, counted())
        if key is not None and history.complete:
            established.keep(root, key[0], ledger, history.configs.get(key[0]))
        if key and all(act.signature.lasting for act in history.acts):
            _verdicts(root).put(key, now, settled(history.transitions), findings)
    return Judged(findings, history, ledger, sum(1 for act in history.acts if act.sha in judged), frozenset(judged),
                  since)


VerdictKey = tuple[str, str, str]  # the commit judged up to, the commit judging starts after, the fallback qms.yml


def _verdict_key(root: str, head: str, since: str | None, config: Config) -> VerdictKey | None:
    commit = git.commit_id(root, head)
    start = git.commit_id(root, since) if since else ""
    if commit is None or start is None:
        return None
    return commit, start, hashlib.sha256(pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


class _Verdicts:
    """Verdicts on history, kept in .git by the commit judged up to: history below a commit never changes, the
    rules' code is in the cache's format, and a verdict is reused only at a time no earlier than it was given and
    no earlier than every time the judged history claims (timing.settled), when the clock can no longer change
    it. Verdicts that rest on a keyring that may change (a signature whose key was missing) are never kept."""

    _NAME, _KEEP = "qms-verdict-cache", 8

    def __init__(self, root: str) -> None:
        self.path = cache.cache_file(root, self._NAME)
        self.format = cache.code_format("verdicts", ("model", "gitlog", "rules"))
        self.entries: dict[VerdictKey, tuple[datetime, list[Finding]]] = cache.load(self.path, self.format) or {}

    def get(self, key: VerdictKey, now: datetime) -> list[Finding] | None:
        found = self.entries.get(key)
        return list(found[1]) if found is not None and found[0] <= now else None

    def put(self, key: VerdictKey, now: datetime, settled_at: datetime, findings: list[Finding]) -> None:
        if settled_at > now:
            return
        self.entries.pop(key, None)
        self.entries[key] = (now, list(findings))
        while len(self.entries) > self._KEEP:
            self.entries.pop(next(iter(self.entries)))
        cache.save(self.path, self.format, self.entries)


_verdict_stores: dict[str, _Verdicts] = {}


def _verdicts(root: str) -> _Verdicts:
    if root not in _verdict_stores:
        _verdict_stores[root] = _Verdicts(root)
    return _verdict_stores[root]


def judge_range(root: str, config: Config, since: str | None, head: str | None = None) -> Judged:
    """The commits after `since` up to `head` (default HEAD), judged against what history established at `since`:
    only the range is read from Git. Its `history` holds the range alone; a range whose merges reach commits
    outside it that `since` does not cover is judged over all of history instead."""
    git.require_root(root)
    if since is None:
        return judge_history(root, config, None, head)
    start = git.commit_id(root, since)
    if start is None or git.is_shallow(root):
        return judge_history(root, config, since, head)
    before = established.own(root, start)
    history = index.build(root, signatures=True, heads=(head or "HEAD",), exclude=(start,),
                          boundary={start: before.config})
    at_head = history.configs.get(git.commit_id(root, head or "HEAD") or "")
    if not history.complete or established.verify_commit(root, at_head) != before.verify_from:
        return judge_history(root, config, since, head)  # merges reach outside it, or verify_from has moved
    return _judged(root, config, history, head or "HEAD", since, git.commits_after(root, start, head or "HEAD"),
                   before.ledger, start)


def judge_branch(root: str, config: Config, base: str) -> Judged:
    """CI: every commit of HEAD since its merge-base with `base`, merges included, each by its author."""
    git.require_root(root)
    if git.is_shallow(root):
        return Judged([shallow_finding()], HistoryIndex(root, "", True), Ledger(), 0)
    base_commit = git.commit_id(root, base)
    if base_commit is None:
        raise QmsError(f"unknown base '{base}' (name a branch or commit, e.g. origin/main)", EXIT_USAGE)
    return judge_range(root, config, git.merge_base(root, base_commit, "HEAD"))


def ledger_at_head(root: str) -> tuple[Ledger, bool]:
    """The ledger after HEAD, and whether the clone is shallow."""
    git.require_root(root)
    head = git.head_or_empty(root)
    if head == git.EMPTY_TREE:
        return Ledger(), False
    if git.is_shallow(root):
        return Ledger(), True
    return established.at(root, head).ledger, False


def history_ledger(root: str) -> Ledger:
    """The ledger after HEAD for a write command: empty outside Git; a shallow clone is refused."""
    if not git.is_repository(root):
        return Ledger()
    ledger, shallow = ledger_at_head(root)
    if shallow:
        raise QmsError(shallow_finding().text(), EXIT_USAGE)
    return ledger


def judge_staged(root: str, config: Config, head: str | None = None) -> list[Finding]:
    """The hook: the staged change as the next commit by your Git identity. During a merge, the commits the merge
    brings in are judged too, as CI will judge them once it is made. `head`: HEAD's commit, where the caller
    has asked already that history can answer (common.history_head)."""
    act = staged_act(root, clock.now(), established.config_at(root), head=head)
    incoming = act.parents[1:]
    if not incoming:
        if head is not None:
            ledger = established.at(root, head).ledger
        else:
            ledger, shallow = ledger_at_head(root)
            if shallow:
                return [shallow_finding()]
        return judge_act(staged_transitions(root, act), Context.of(act, config, ledger, act.committed_at))
    git.require_root(root)
    history = index.build(root, signatures=True, heads=act.parents)
    if history.shallow:
        return [shallow_finding()]
    judged: set[str] = set()
    for head in incoming:
        judged |= git.commits_after(root, act.parents[0], head)
    findings, ledger = walk(history.transitions, config, act.committed_at, lambda a: a.sha in judged)
    return findings + judge_act(staged_transitions(root, act), Context.of(act, config, ledger, act.committed_at))


def judge_change(root: str, config: Config, transitions: list[Transition], ledger: Ledger) -> list[Finding]:
    """A write command's own change, before it writes."""
    if not transitions:
        return []
    return judge_act(transitions, Context.of(transitions[0].act, config, ledger, clock.now()))
