"""The ledger: what history has established before an act, read by the rules that judge the act.

It is the one home of the answers that need history: who authored each revision's content, when that content
first existed, which contents were approved under each revision number, which ids were ever approved or are
retired, each document's last effective date, the versions that could be in force (model.inforce), and the
configuration in force when each signature was added
(by which its authority is judged for as long as it stands). It is filled by walking transitions in history order and
knows nothing of Git.
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from .config import Config
from .document import Document, Record
from .ids import identity
from .finding import Finding
from .inforce import Release, same_release
from .state import Authority
from .training import Evidence, Problem, problems
from .transition import Kind, Transition, added_entries, entry_key, wrote_content


@dataclass
class Ledger:
    """Facts established by the transitions applied so far."""

    authors: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (id, revision) -> email: name
    first_seen: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (id, authored print) -> when
    approved: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (id, revision) -> approved prints
    ever_approved: set[str] = field(default_factory=set)
    retired: dict[str, str] = field(default_factory=dict)  # id of a deleted document -> its last path
    last_effective: dict[str, tuple[str, date]] = field(default_factory=dict)  # id -> (revision, effective)
    signed_under: dict[str, Config] = field(default_factory=dict)  # entry key -> qms.yml in force when added
    releases: dict[str, list[Release]] = field(default_factory=dict)  # id -> approved or obsolete versions, in order
    added_by: dict[str, str] = field(default_factory=dict)  # entry key -> who committed it (author e-mail, lower case)
    trained: dict[str, Evidence] = field(default_factory=dict)  # training record id -> the commit that added it
    entered: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (first commit, verify_from then)
    rewritten: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (last commit that wrote content,
    #                                                                            verify_from then)
    refused: dict[str, Finding] = field(default_factory=dict)  # entry key -> what the rules refused when it was added
    void: dict[str, list[Document]] = field(default_factory=dict)  # id -> versions the rules voided (never in force)
    unlawful: set[str] = field(default_factory=set)  # records whose deletion the rules found unlawful, by path
    latest: datetime | None = None  # the latest commit time applied: a commit is made no earlier than those before it

    @property
    def authority(self) -> Authority:
        """What history says about each signature (model.state.Authority)."""
        return Authority(self.signed_under, self.refused)

    def holds(self, entry: str) -> bool:
        """Whether history holds the signature `entry` (an entry key) as added lawfully before: a later copy of it
        that the rules refuse (pasted into a copy of the document, put back by someone else) is reported where it
        is made, and never unmakes the signature where it was given."""
        return entry in self.added_by and entry not in self.refused

    def refuse(self, findings: Iterable[Finding]) -> None:
        """Keep what the change rules refused about signatures as they were added (each finding names its entry)."""
        for found in findings:
            self.refused.setdefault(found.entry, found)

    def revision_authors(self, doc_id: str, revision: str) -> dict[str, str]:
        """Who wrote content of this revision of the document: email (lower case) -> name."""
        return self.authors.get((doc_id, revision), {})

    def ids_used(self) -> set[str]:
        """Every document id history has seen, in use or retired: none is ever given to another document."""
        return {doc_id for doc_id, _authored in self.first_seen} | set(self.retired)

    def retired_as(self, doc_id: str) -> str | None:
        """The last path of the deleted document whose id `doc_id` is (leading zeros aside: WI-0004 is WI-004)."""
        if doc_id in self.retired:
            return self.retired[doc_id]
        return next((path for old, path in self.retired.items() if identity(old) == identity(doc_id)), None)

    def written_in_git(self, doc_id: str, verify_from: str | None) -> str | None:
        """The commit that wrote content of a document history has seen while the QMS lived in Git (once
        verify_from was set, or at any time when `verify_from`, what an adoption leaves in force, is None and every
        commit is verified): the one that first brought it, or a later one that changed its text. Such a document
        was written in Git, and its approvals cannot be adopted: approvals made before Git cannot cover it."""
        first = self.entered.get(doc_id)
        if first is None:
            return None
        commit, under = first
        if verify_from is None or under is not None:
            return commit
        last = self.rewritten.get(doc_id)
        return last[0] if last is not None and last[1] is not None else None

    def content_since(self, doc: Document) -> datetime | None:
        """When the content of `doc` (without its effective date) was first committed, if it was."""
        return self.first_seen.get((doc.id, doc.authored))

    def restores_release(self, transition: Transition) -> bool:
        """Whether the transition abandons a draft of a revision never approved, putting the document back exactly
        as its last release (`qms withdraw` of a revision): nothing new is written, signed or dated, so there is
        nothing further to judge."""
        before, after = transition.before, transition.after
        if not isinstance(before, Document) or not isinstance(after, Document) or before.status != "draft":
            return False
        if self.approved.get((before.id, before.revision)) or after.revision == before.revision:
            return False
        found = self.releases.get(after.id, [])
        return bool(found) and same_release(found[-1].doc, after) and found[-1].doc.path == after.path

    def apply(self, transition: Transition, stated: bool = False, void: bool = False, authored: bool = True) -> None:
        """Record what the transition established (`stated`: its dates are taken as stated, as for history carried
        over before verify_from, or an adoption; `void`: the rules voided the version it makes, which is then no
        release; `authored`: its committer wrote its content, which is not so of history carried over or of an
        adoption, whose administrator only brings in what others wrote)."""
        moment = transition.act.committed_at
        self.latest = moment if self.latest is None else max(self.latest, moment)
        if transition.kind is Kind.RECORD:
            self._training(transition)
        if transition.kind is not Kind.DOCUMENT:
            return
        act, after, before = transition.act, transition.after, transition.before
        if isinstance(after, Document):
            for entry in added_entries(transition):
                self.added_by.setdefault(entry_key(entry), act.author.lower())
                if act.config is not None:
                    self.signed_under.setdefault(entry_key(entry), act.config)
            if wrote_content(transition) and authored:
                self.authors.setdefault((after.id, after.revision), {}).setdefault(act.author, act.author_name)
                self.rewritten[after.id] = (act.sha, act.config.verify_from if act.config is not None else None)
            self.first_seen.setdefault((after.id, after.authored), act.authored_at)
            self.entered.setdefault(after.id, (act.sha, act.config.verify_from if act.config is not None else None))
            if after.status == "approved":
                self.approved.setdefault((after.id, after.revision), set()).add(after.fingerprint)
                if after.effective is not None:
                    self.last_effective[after.id] = (after.revision, after.effective)
            if after.status in ("approved", "obsolete"):
                self.ever_approved.add(after.id)
                if void:
                    self.void.setdefault(after.id, []).append(after)
                else:
                    self._release(Release(after, act.sha, transition.after_blob, max(self.latest, act.landed_at or
                                                                                     moment), act.config, stated))
        elif transition.after_path is None and isinstance(before, Document):
            self.retired[before.id] = transition.before_path or before.path

    def _training(self, transition: Transition) -> None:
        """A training record the act added (that no parent had): the evidence of who recorded it, judged then."""
        after, act = transition.after, transition.act
        if not isinstance(after, Record) or after.training is None or any(v is not None for v in transition.parents):
            return
        judged = tuple(problems(after.training, act.author, act.config)) if act.config is not None else None
        named = after.training
        released = any((r.doc.revision, r.doc.fingerprint) == (named.revision, named.fingerprint)
                       for r in self.releases.get(named.document, ()))
        if not released and self.releases.get(named.document):  # trained on a version not yet approved
            judged = (*(judged or ()), Problem("QMS180", f"training on {named.document} revision {named.revision} "
                                               "was recorded before that version was approved",
                                               f"train on the revision in force: qms train {named.document}"))
        self.trained.setdefault(after.id, Evidence(after.id, act.sha, act.author, judged, after.training))

    def _release(self, release: Release) -> None:
        found = self.releases.setdefault(release.doc.id, [])
        if not found or not same_release(found[-1].doc, release.doc):
            found.append(release)
        elif found[-1].doc.path != release.doc.path:  # moved: the same release, read from where it now is (in force
            found[-1] = replace(release, committed=found[-1].committed, stated=found[-1].stated)  # since it was)

    def attached_to(self, path: str) -> list[Document]:
        """The approved releases, each the last of its document, that link to the file at `path` (an image, a
        drawing): it is part of what they say. Read only where such a file changes, which few acts do."""
        return [found[-1].doc for _doc_id, found in sorted(self.releases.items()) if found
                and found[-1].doc.status == "approved" and any(link.resolved == path for link in found[-1].doc.links)]


@dataclass(frozen=True)
class Since:
    """What extending the ledger of the commit `head` by the commits after it touched: the ids and paths of the
    documents and records those commits changed. Every other item's facts in the ledger are as they were at
    `head`: history's facts about a signature or review are keyed by what it signs (an approval's fingerprint
    names its document, a review names the document it reviews), so only the documents holding it hold them."""

    head: str
    ids: frozenset[str]
    paths: frozenset[str]

    @staticmethod
    def of(head: str, transitions: list[Transition]) -> Since:
        ids = {item.id for t in transitions for item in (t.before, t.after, *t.others) if item is not None}
        paths = {path for t in transitions for path in (t.before_path, t.after_path) if path}
        return Since(head, frozenset(ids), frozenset(paths))


class Kept(dict[Any, Any]):
    """One of a kept ledger's tables (commands.established), read a shard at a time: a hook run judges a few
    documents of ten thousand, and reading every table whole was most of its time. A key's shard is read before
    anything reads or writes the key; whatever reads them all (iteration, len) reads them all. The qms.yml each
    value names is kept once, in `configs`, and named by its place there."""

    def __init__(self, shards: list[bytes | None], configs: list[Config | None]) -> None:
        super().__init__()
        self.shards = shards
        self.configs = configs

    def _read(self, place: int) -> None:
        data = self.shards[place]
        if data is not None:
            self.shards[place] = None
            dict.update(self, _Reader(io.BytesIO(data), self.configs).load())

    def _take(self, key: Any) -> None:
        self._read(shard(key, len(self.shards)))

    def _all(self) -> None:
        for place in range(len(self.shards)):
            self._read(place)

    def __getitem__(self, key: Any) -> Any:
        self._take(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._take(key)
        return dict.get(self, key, default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._take(key)
        return dict.setdefault(self, key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._take(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        self._take(key)
        dict.__delitem__(self, key)

    def pop(self, key: Any, *default: Any) -> Any:
        self._take(key)
        return dict.pop(self, key, *default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __contains__(self, key: object) -> bool:
        self._take(key)
        return dict.__contains__(self, key)

    def __len__(self) -> int:
        self._all()
        return dict.__len__(self)

    def __bool__(self) -> bool:
        for place in range(len(self.shards)):  # shards are read until one holds an entry
            if dict.__len__(self):
                return True
            self._read(place)
        return dict.__len__(self) > 0

    def clear(self) -> None:
        self.shards = [None] * len(self.shards)
        dict.clear(self)

    def popitem(self) -> tuple[Any, Any]:
        self._all()
        return dict.popitem(self)

    def __or__(self, other: Any) -> Any:
        self._all()
        return dict(dict.items(self)) | other

    def __ror__(self, other: Any) -> Any:
        self._all()
        return other | dict(dict.items(self))

    def __ior__(self, other: Any) -> Any:
        self.update(other)
        return self

    def __iter__(self) -> Iterator[Any]:
        self._all()
        return dict.__iter__(self)

    def keys(self) -> Any:
        self._all()
        return dict.keys(self)

    def values(self) -> Any:
        self._all()
        return dict.values(self)

    def items(self) -> Any:
        self._all()
        return dict.items(self)

    def copy(self) -> dict[Any, Any]:
        self._all()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._all()
        return dict.__eq__(self, other)

    __hash__ = None

    def __repr__(self) -> str:
        self._all()
        return dict.__repr__(self)

    def __reduce__(self) -> Any:
        self._all()
        return (dict, (dict(dict.items(self)),))


def shard(key: Any, count: int) -> int:
    """The shard of a kept table that holds `key` (the same in every process: not Python's salted hash)."""
    return zlib.crc32(repr(key).encode("utf-8", errors="surrogatepass")) % count if count > 1 else 0


def pack(table: dict[Any, Any], configs: list[Config | None]) -> list[bytes | None]:
    """A ledger table as Kept reads it: its shards' bytes, naming the qms.yml versions in `configs` by place. A
    Kept table's shards that were never read are kept as they are (a ledger extended by one commit writes the
    shards of what that commit touched)."""
    places = {id(config): place for place, config in enumerate(configs)}
    if isinstance(table, Kept) and table.configs is configs:
        shards = list(table.shards)
        written = dict.items(table)
    else:
        shards = [None] * max(1, len(table) // _PER_SHARD)
        written = table.items()
    groups: dict[int, dict[Any, Any]] = {place: {} for place, data in enumerate(shards) if data is None}
    for key, value in written:
        groups[shard(key, len(shards))][key] = value
    for place, group in groups.items():
        out = io.BytesIO()
        _Writer(out, configs, places).dump(group)
        shards[place] = out.getvalue()
    return shards


_PER_SHARD = 16  # entries: a hook run reads a few dozen shards; a cold run reads them all, in the same time


class _Writer(pickle.Pickler):
    def __init__(self, out: io.BytesIO, configs: list[Config | None], places: dict[int, int]) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.configs, self.places = configs, places

    def persistent_id(self, obj: Any) -> int | None:
        if not isinstance(obj, Config):
            return None
        place = self.places.get(id(obj))
        if place is None:
            place = self.places[id(obj)] = len(self.configs)
            self.configs.append(obj)
        return place


class _Reader(pickle.Unpickler):
    def __init__(self, data: io.BytesIO, configs: list[Config | None]) -> None:
        super().__init__(data)
        self.configs = configs

    def persistent_load(self, pid: Any) -> Any:
        return self.configs[pid]
