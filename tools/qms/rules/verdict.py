"""The findings of the rules about the folder (rules.run), kept in .git and judged again only where the folder or
history changed since the run that kept them: the pre-commit hook's answer at ten thousand documents in the time
of reading a few.

What a rule says about a document or record depends on the item itself, on what history established for its id
(the ledger), on the items it names (by id in references, superseded_by, procedure, form, corrects or training,
or by a link to their path), and on the items that share its id or correct it. So when some items change (in the
folder, or in the ledger by the commits made since: model.ledger.Since), the items judged again are those, the
items that name them or share their ids, and the items those name, each read from the folder; the others' findings
are the kept ones. The rules about the whole QMS (rules.WHOLE_RULES: mandatory documents, training, CODEOWNERS)
read facts of every document; their findings are kept too, and stand while no changed item's part in them
changed (whole_facts). Anything else, or a change too wide to be worth it, and everything is judged again, as
`rules.run` judges it, and kept. Either way the answer is rules.run's: tests/test_verdict.py holds the two to
the same findings over every kind of change.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable
from typing import NamedTuple
from dataclasses import dataclass, field, replace
from datetime import date

from ..model import cache
from ..model.cache import Key, ParseCache
from ..model.codeowners import GITHUB, GITLAB, generated
from ..model.config import Config
from ..model.document import Document, Loaded, Record
from ..model.finding import Finding
from ..model.ids import identity
from ..model.ledger import Ledger, Since
from ..model.transition import DISPOSITION_LOG
from ..model.workspace import DOCUMENTS, RECORDS, Listing, Workspace, listing, read
from . import ITEM_RULES, WHOLE_RULES

_CACHE_NAME = "qms-folder-findings"
_WIDEST = 300  # items read for a change; beyond, judging everything again costs less than the bookkeeping


@dataclass(frozen=True)
class Verdict:
    """The findings about the folder, and how many documents and records it holds."""

    findings: list[Finding]
    documents: int
    records: int
    read: int = 0  # the Markdown files this run read and judged (the others' findings were kept)


class _Ties(NamedTuple):
    """What ties one Markdown file, as a kept run read it, to other items; and its part in the whole rules."""

    kind: str  # "document", "record", or "" where it could not be read
    own: str  # its id's identity ("" where unread)
    names: tuple[str, ...]  # the identities of the ids it names
    corrects: str  # the identity of the record it corrects ("" for none)
    links: tuple[str, ...]  # the paths its links resolve to
    leaving: bool  # a link leaves procedures/ and records/ (whether its target is there is looked at each run)
    whole: tuple[object, ...]  # its part in the rules about the whole QMS (whole_facts)


_INDEXES = ("own", "names", "corrects", "links")


@dataclass
class _State:
    """A kept run: what it judged by, the files it saw, the findings about each Markdown file and about the whole
    QMS, and each file's ties (each file's its own bytes, read only for the files a change concerns) with the
    index of who holds, names, corrects or links to what (bytes, read only when something changed)."""

    config: str  # the qms.yml judged by, exactly (repr: every line number and order a finding or hint shows)
    today: date
    head: str | None
    unlawful: frozenset[str]
    outside: dict[str, Key | None]  # the CODEOWNERS files the whole rules read (None: absent)
    files: dict[str, Key | None]  # None: changed too recently for its key to show a later change
    findings: dict[str, tuple[Finding, ...]]  # by Markdown file, those with any
    whole: tuple[Finding, ...]
    counts: tuple[int, int]  # documents, records
    leaving: tuple[str, ...]  # the files with a link that leaves procedures/ and records/
    beyond: dict[str, bool]  # those links' targets, and whether each existed (QMS051 reads that, nothing else)
    rows: dict[str, bytes]  # each Markdown file's _Ties, pickled as a plain tuple
    packed: bytes  # the index: for each of _INDEXES, the paths by what they hold, name, correct or link to
    _index: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def ties(self, path: str) -> _Ties | None:
        """What tied the Markdown file at `path` to others when this run was kept."""
        row = self.rows.get(path)
        return _Ties._make(pickle.loads(row)) if row is not None else None

    def index(self, name: str) -> dict[str, tuple[str, ...]]:
        """Paths by the identity they hold ("own"), name ("names") or correct ("corrects"), or by the path they
        link to ("links")."""
        if not self._index:
            self._index.update(pickle.loads(self.packed))
        return self._index[name]

    def kept(self, config: Config, today: date, head: str | None, found: Listing,
             findings: dict[str, tuple[Finding, ...]], changed: dict[str, _Ties | None], root: str) -> _State:
        """This run, with the files `changed` (None: gone) tied anew and found to have `findings`."""
        index = {name: dict(self.index(name)) for name in _INDEXES}
        lists: dict[tuple[str, str], list[str]] = {}
        rows = dict(self.rows)
        leaving = set(self.leaving)
        kinds = dict(zip(("document", "record"), self.counts))
        for path, now in changed.items():
            before = self.ties(path)
            for one, step in ((before, -1), (now, 1)):
                if one is None:
                    continue
                for name, keys in _keys(one).items():
                    for key in keys:
                        paths = lists.setdefault((name, key), list(index[name].get(key, ())))
                        paths.remove(path) if step < 0 else paths.append(path)
                if one.kind in kinds:
                    kinds[one.kind] += step
            rows.pop(path, None)
            leaving.discard(path)
            if now is not None:
                rows[path] = pickle.dumps(tuple(now), protocol=pickle.HIGHEST_PROTOCOL)
                if now.leaving:
                    leaving.add(path)
        for (name, key), paths in lists.items():
            index[name][key] = tuple(paths)
        kept = {**self.findings, **findings}
        targets = {target for path in leaving for target in _Ties._make(pickle.loads(rows[path])).links
                   if _beyond(target)}
        return _State(repr(config), today, head, self.unlawful, self.outside, found.trusted,
                      {path: there for path, there in kept.items() if there}, self.whole,
                      (kinds["document"], kinds["record"]), tuple(sorted(leaving)),
                      {target: _exists(root, target) for target in sorted(targets)}, rows,
                      pickle.dumps({name: {k: v for k, v in index[name].items() if v} for name in _INDEXES},
                                   protocol=pickle.HIGHEST_PROTOCOL))


def _keys(ties: _Ties) -> dict[str, tuple[str, ...]]:
    """Where a file's ties put it in each index."""
    return {"own": (ties.own,), "names": ties.names, "corrects": (ties.corrects,) if ties.corrects else (),
            "links": ties.links}


def _first(root: str, config: Config, today: date, head: str | None, unlawful: frozenset[str],
           outside: dict[str, Key | None], found: Listing, findings: dict[str, tuple[Finding, ...]],
           whole: tuple[Finding, ...], ties: dict[str, _Ties | None]) -> _State:
    """A run that judged everything."""
    empty = _State(repr(config), today, head, unlawful, outside, {}, {}, whole, (0, 0), (), {}, {},
                   pickle.dumps({name: {} for name in _INDEXES}))
    return empty.kept(config, today, head, found, findings, ties, root)


def judge(root: str, config: Config, today: date, history: Ledger, head: str | None, since: Since | None,
          strict: bool = False) -> Verdict:
    """What rules.run says of the folder at `root`, judged by `config` on `today` against `history` (the ledger
    at the commit `head`; `since`: how it was extended from an earlier one)."""
    store = cache.cache_file(root, _CACHE_NAME)
    state = cache.load(store, _format())
    found = listing(root, config)
    outside = _outside(root)
    result = None
    if isinstance(state, _State) and state.config == repr(config) and state.today == today \
            and state.unlawful == frozenset(history.unlawful) and state.outside == outside:
        result = _again(root, config, today, history, head, since, found, state)
    if result is None:
        state, changed, read_now = _everything(root, config, today, history, head, found, outside), True, \
            len(found.markdown)
    else:
        state, changed, read_now = result
    if changed:
        cache.save(store, _format(), state)
    findings = [*found.findings, *(f for kept in state.findings.values() for f in kept), *state.whole]
    if strict:
        findings = [f.as_error() for f in findings]
    return Verdict(sorted(set(findings)), *state.counts, read_now)


def _format() -> str:
    return cache.code_format("verdict", ("model", "gitlog", "rules"))


def _everything(root: str, config: Config, today: date, history: Ledger, head: str | None, found: Listing,
                outside: dict[str, Key | None]) -> _State:
    """Judge every item, as rules.run does, and keep what was found."""
    parsed = ParseCache(root)
    ws, loaded = _workspace(root, config, today, history, found, found.markdown, parsed)
    parsed.save()
    whole = tuple(f for rule in WHOLE_RULES for f in rule(ws))
    by_path = _item_findings(ws, loaded)
    whole += tuple(f for path, there in by_path.items() if path not in loaded for f in there)
    codeowned = any(key is not None for key in outside.values())
    ties: dict[str, _Ties | None] = {path: _ties(ws, one.item, codeowned) for path, one in loaded.items()}
    return _first(root, config, today, head, frozenset(history.unlawful), outside, found,
                  {path: tuple(by_path.get(path, ())) for path in loaded}, whole, ties)


def _again(root: str, config: Config, today: date, history: Ledger, head: str | None, since: Since | None,
           found: Listing, state: _State) -> tuple[_State, bool, int] | None:
    """Judge again only what changed since `state` was kept, and what depends on it; None where that cannot be
    done (judge everything)."""
    if head != state.head and (since is None or since.head != state.head):
        return None  # history moved in a way the kept run cannot be brought up to
    kept = state.files.get
    changed = {path for path, key in found.files.items() if kept(path) != key}
    changed.update(state.files.keys() - found.files.keys())
    if head != state.head and since is not None:
        owners = state.index("own")
        changed |= {path for path in since.paths if path in found.files or path in state.files}
        changed |= {path for doc_id in since.ids for path in owners.get(identity(doc_id), ())}
    if DISPOSITION_LOG in changed:
        return None  # what it says was disposed of is read by every item's links and ids
    appeared = {target for target, there in state.beyond.items() if _exists(root, target) != there}
    if not changed and not appeared:
        return (state, False, 0) if head == state.head else (replace(state, head=head, _index={}), True, 0)
    fresh = {path: read(root, path, found.markdown[path], config.max_document_bytes)
             for path in changed if path in found.markdown}
    links = state.index("links")  # a file outside the QMS that came or went: what links to it is judged again
    affected = _affected(state, changed, fresh) | {path for target in appeared for path in links.get(target, ())}
    reading = _reading(state, affected, fresh)
    if len(reading) > _WIDEST:
        return None
    loaded = dict(fresh)
    ws, loaded = _workspace(root, config, today, history, found, sorted(reading & found.markdown.keys()), None,
                            loaded)
    by_path = _item_findings(ws, loaded)
    if any(path not in loaded for path in by_path):
        return None  # a finding about no item read: judge everything
    codeowned = any(key is not None for key in state.outside.values())
    findings: dict[str, tuple[Finding, ...]] = {}
    tied: dict[str, _Ties | None] = {}
    parts: tuple[list[object], list[object]] = ([], [])
    for path in changed | affected:
        before = state.ties(path)
        one = loaded.get(path)
        now = _ties(ws, one.item, codeowned) if one is not None else None
        if path in changed:
            for side, ties in zip(parts, (before, now)):
                side.extend([ties.whole] if ties is not None and ties.whole != _NOTHING else [])
        if now != before:
            tied[path] = now
        findings[path] = tuple(by_path.get(path, ())) if now is not None else ()
    if sorted(parts[0], key=repr) != sorted(parts[1], key=repr):
        return None  # what the rules about the whole QMS read changed (not merely moved): judge everything again
    if head == state.head and not tied and not appeared and found.trusted == state.files \
            and all(state.findings.get(path, ()) == there for path, there in findings.items()):
        return state, False, len(loaded)  # only files changed too recently to trust their keys: read again next time
    return state.kept(config, today, head, found, findings, tied, root), True, len(loaded)


_NOTHING: tuple[object, ...] = (None, None, None)


def _affected(state: _State, changed: set[str], fresh: dict[str, Loaded]) -> set[str]:
    """The changed items, those that name them (by id or link) or share their ids, and the records they correct."""
    own, names, links = state.index("own"), state.index("names"), state.index("links")
    identities: set[str] = set()
    for path in changed:
        for item in (state.ties(path), _tied(fresh.get(path))):
            if item is not None:
                identities.update((item.own, item.corrects))
    affected = set(changed)
    for one in identities - {""}:
        affected.update(own.get(one, ()))
        affected.update(names.get(one, ()))
    for path in changed:
        affected.update(links.get(path, ()))
    return affected


def _reading(state: _State, affected: set[str], fresh: dict[str, Loaded]) -> set[str]:
    """What the rules read to judge the `affected` items: them, the items they name, every item sharing an id with
    any of those (the first in path order is the one a name means), and the records that correct them."""
    own, corrects = state.index("own"), state.index("corrects")
    reading = set(affected)
    identities: set[str] = set()
    for path in affected:
        item = _tied(fresh[path]) if path in fresh else state.ties(path)
        if item is not None:
            identities.add(item.own)
            identities.update(item.names)
            reading.update(item.links)
            reading.update(corrects.get(item.own, ()))
    for path in list(reading):
        item = _tied(fresh[path]) if path in fresh else state.ties(path)
        if item is not None:
            identities.add(item.own)
    for one in identities - {""}:
        reading.update(own.get(one, ()))
    return reading


def _tied(loaded: Loaded | None) -> _Ties | None:
    """The ties of an item as read now (without its part in the whole rules)."""
    return _ties(None, loaded.item, False) if loaded is not None and loaded.item is not None else None


def _ties(ws: Workspace | None, item: Document | Record | None, codeowned: bool) -> _Ties:
    """What ties `item` to others, and (given the workspace `ws` it is judged in) its part in the whole rules."""
    if item is None:
        return _Ties("", "", (), "", (), False, _NOTHING)
    if isinstance(item, Document):
        names = [*item.references, item.superseded_by or ""]
    else:
        names = [item.procedure, item.form or "", item.corrects or "",
                 item.training.document if item.training else ""]
    links = tuple(sorted({link.resolved for link in item.links}))
    corrects = identity(item.corrects) if isinstance(item, Record) and item.corrects else ""
    leaving = any(_beyond(target) for target in links)
    return _Ties("document" if isinstance(item, Document) else "record", identity(item.id),
                 tuple(sorted({identity(name) for name in names if name})), corrects, links, leaving,
                 whole_facts(ws, item, codeowned) if ws is not None else _NOTHING)


def whole_facts(ws: Workspace, item: Document | Record, codeowned: bool) -> tuple[object, ...]:
    """An item's part in the rules about the whole QMS: for a document, the clauses of its version in force
    (mandatory documents), its versions' periods where people must be trained on it, and what a generated
    CODEOWNERS says of it; for a record, its training (with the evidence history holds of it, which a commit
    changes). While the changed items' parts are the same (a document moved with nothing else changed keeps its
    part), their findings stand."""
    if isinstance(item, Record):
        if item.training is None:
            return _NOTHING
        return (None, (item.training, ws.history.trained.get(item.id)), None)
    release = ws.standing(item).in_force
    in_force = release.doc.clauses if release is not None else None
    trained = None
    if ws.config.trainees(item.id, item.type):  # who must be trained on which version, reported at its path
        periods = tuple((r.doc.revision, r.doc.fingerprint, r.doc.needs_training, start, end)
                        for r, start, end in ws.periods(item))
        trained = (item.path, item.id, periods) if periods else None
    owners = (item.path, item.id, item.type, item.owner, item.status == "obsolete") if codeowned else None
    return (in_force, trained, owners)


def _workspace(root: str, config: Config, today: date, history: Ledger, found: Listing, paths: Iterable[str],
               parsed: ParseCache | None, loaded: dict[str, Loaded] | None = None
               ) -> tuple[Workspace, dict[str, Loaded]]:
    """The workspace of the Markdown files at `paths` (read now, or as `loaded`), with every file the folder
    holds."""
    ws = Workspace(root, config, today, files=set(found.files), unreadable=set(found.unreadable), history=history,
                   disposition_log=found.log)
    read_now = {} if loaded is None else loaded
    for path in paths:
        if path not in read_now:
            read_now[path] = read(root, path, found.markdown[path], config.max_document_bytes, parsed,
                                  found.trusted[path] is not None)
        one = read_now[path]
        if isinstance(one.item, Document):
            ws.documents.append(one.item)
        elif isinstance(one.item, Record):
            ws.records.append(one.item)
    ws.documents.sort(key=lambda doc: doc.path)
    ws.records.sort(key=lambda record: record.path)
    return ws, read_now


def _item_findings(ws: Workspace, loaded: dict[str, Loaded]) -> dict[str, list[Finding]]:
    """The findings of reading each file and of the rules about each item, by path."""
    by_path: dict[str, list[Finding]] = {}
    for path, one in loaded.items():
        by_path.setdefault(path, []).extend(one.findings)
    for rule in ITEM_RULES:
        for finding in rule(ws):
            by_path.setdefault(finding.path, []).append(finding)
    return by_path


def _beyond(target: str) -> bool:
    """Whether a link's target lies outside procedures/ and records/ (whose files the listing holds)."""
    return not target.startswith((DOCUMENTS + "/", RECORDS + "/"))


def _exists(root: str, target: str) -> bool:
    return os.path.exists(os.path.join(root, target))


def _outside(root: str) -> dict[str, Key | None]:
    """The generated CODEOWNERS files the whole rules read, by their keys (None: absent or written by hand)."""
    keys: dict[str, Key | None] = {}
    for path in (GITHUB, GITLAB):
        stat = os.stat(os.path.join(root, path)) if generated(root, path) is not None else None
        keys[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, 0) if stat else None
    return keys
