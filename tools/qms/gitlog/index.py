"""The history index: every act on documents and records, from one streamed `git log`.

One `git log --raw` pass lists, for each commit, the files it changed under procedures/ and records/ (and
qms.yml) with their blob ids before and after; for a merge, the files it left different from every parent, with each parent's
blob (so that what a merge brings in is seen, not skipped); one
`git cat-file --batch` reads the blobs not seen before. Each blob is parsed once, with the same parser as
everything else, and kept as a summary (front matter and fingerprints, no body) in .git/qms-history-cache,
keyed by blob id: a blob id names its content, so a cached entry can never go stale.

Each act carries the configuration in force at its parent: the last readable version of qms.yml on its first
parent's line. Signatures are checked by a second pass over the acts that matter only, and cached by commit.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from ..model import cache, clock
from ..model.config import CONFIG_FILE, Config, controlled
from ..model.document import Document, Record, parse_bytes
from ..model.transition import (DISPOSITION_LOG, Act, Item, Kind, Signature, SignatureStatus, Transition,
                                may_change_config, parsed_config)
from . import git
from .acts import Change, act_transitions

_TOPS = ("procedures/", "records/", CONFIG_FILE)
_CACHE_NAME = "qms-history-cache"
_SIGNATURE_CACHE = "qms-signature-cache"
_FORMAT = "%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x00"
_SIGNATURE_FORMAT = "%H%x00%G?%x00%GK%x00%GF%x00%GS%x00%GP%x00"


@dataclass
class HistoryIndex:
    """The acts that touched documents or records, oldest first (parents before children), with the parsed
    summary of every blob they name."""

    root: str
    head: str
    shallow: bool
    acts: list[Act] = field(default_factory=list)
    diffs: dict[str, list[list[Change]]] = field(default_factory=dict)  # by sha: the changes against each parent
    versions: dict[str, Item | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # the disposition log's and qms.yml's blobs, by blob id
    configs: dict[str, Config | None] = field(default_factory=dict)  # qms.yml in force after each commit, by sha
    complete: bool = True  # False: an incremental index met a parent whose configuration it was not given
    future: dict[str, str] = field(default_factory=dict)  # commits dated later than the clock that changed no QMS
    #                                                         file, by sha: a path they changed (where findings point)

    def version(self, blob: str | None) -> Item | None:
        """The document or record summary a blob holds (None for none, or unreadable)."""
        return self.versions.get(blob) if blob else None

    @cached_property
    def transitions(self) -> list[Transition]:
        """Every transition, act by act, in history order."""
        found: list[Transition] = []
        for act in self.acts:
            found += act_transitions(act, self.diffs[act.sha], self.versions, self.texts) or (
                [Transition(act, Kind.COMMIT, self.future[act.sha], None, self.future[act.sha], None, None)]
                if act.sha in self.future else [])
        return found

    def full_text(self, blob: str) -> str:
        """The full text of a blob (for diffs and for publishing an earlier revision)."""
        data = git.read_blobs(self.root, [blob]).get(blob)
        return data.decode("utf-8", errors="replace") if data is not None else ""

    def full(self, transition: Transition) -> Document:
        """The full document (with its body) a transition left, which history keeps only as a summary."""
        blob, path = transition.after_blob, transition.after_path
        data = git.read_blobs(self.root, [blob]).get(blob) if blob else None
        item = parse_bytes(data, path)
        if not isinstance(item, Document):
            raise git.GitError(f"cannot read {path} at commit {transition.act.short}")
        return item


def build(root: str, cache_versions: bool = True, signatures: bool = False, heads: tuple[str, ...] = ("HEAD",),
          exclude: tuple[str, ...] = (), boundary: dict[str, Config | None] | None = None) -> HistoryIndex:
    """Index the history of HEAD (and of other `heads`, such as a merge in progress) in one pass; `signatures`
    also asks Git to check the signature of each act. An incremental index leaves out what `exclude` reaches and
    takes the configuration in force at those commits from `boundary` (`complete` is False if a commit's parent
    is in neither)."""
    head = git.head_or_empty(root)
    tips = tuple(head if name == "HEAD" else name if _SHA.fullmatch(name) else git.commit_id(root, name) or name
                 for name in heads)  # read once: for the kept index, and for the line acts land on
    key = (root, tips, signatures, cache_versions) if not exclude and boundary is None and head != git.EMPTY_TREE \
        else None
    kept = _last[1]
    if key is not None and _last[0] == key and isinstance(kept, HistoryIndex):
        return kept  # one command asks twice (the ledger at HEAD, then its own walk): all of history is read once
    del kept
    index = HistoryIndex(root, head, git.is_shallow(root) if head != git.EMPTY_TREE else False)
    if head == git.EMPTY_TREE:
        return index
    _last[1] = None  # the one kept is let go before another is read
    # No pathspec: limiting the walk to procedures/ and records/ costs git more than filtering here.
    walk = git.start(["log", "--reverse", "--date-order", "--diff-merges=combined", "--raw", "-z", "--no-abbrev",
                      "--no-renames", "--no-ext-diff", f"--format={_FORMAT}", *heads, *(f"^{commit}" for commit in exclude)],
                     root)
    kept = _kept_versions(root) if cache_versions and not exclude else None  # all of history: read while git walks it
    signed = _kept_signatures(root)
    others: dict[str, list[tuple[str, str]]] = {}  # by sha: the raw changes outside procedures/, records/, qms.yml
    parents = _parse_log(index, walk.output().decode("utf-8", errors="surrogateescape"), others)
    _attach_landing(index, parents, tips[0])
    wanted = {blob: change.path for diffs in index.diffs.values() for changes in diffs for change in changes
              for blob in (change.old_blob, change.new_blob) if blob}
    index.versions = load_versions(root, wanted, cache_versions, kept, _READ_DIRECTLY if not exclude else
                                   _RANGE_DIRECTLY)
    index.texts = load_texts(root, {blob for blob, path in wanted.items() if path in (DISPOSITION_LOG, CONFIG_FILE)})
    _add_controlled(index, others, [*(config for config in (boundary or {}).values() if config is not None),
                                    *(config_at(root, parent) for parent in _edges(parents) if not boundary)])
    now = clock.now()  # a commit dated later is judged (rules.change.timing), whatever it changed
    index.future = {act.sha: (others.get(act.sha) or [("", ".")])[0][1] for act in index.acts
                    if not any(index.diffs[act.sha]) and max(act.authored_at, act.committed_at) > now}
    index.acts = [act for act in index.acts if any(index.diffs[act.sha]) or act.sha in index.future]
    index.diffs = {act.sha: index.diffs[act.sha] for act in index.acts}
    _attach_signatures(index, None if signatures else {act.sha for act in index.acts if _config_change(index, act)},
                       signed)
    _attach_configs(index, parents, boundary)
    if key is not None:
        _last[:] = [key, index]
    return index


_SHA = re.compile(r"[0-9a-f]{40}")
_last: list[Any] = [None, None]  # the last index of all of history this process read, and what it was read for


def _parse_log(index: HistoryIndex, raw: str, others: dict[str, list[tuple[str, str]]]) -> dict[str, tuple[str, ...]]:
    """Fill in every commit and its changes to procedures/, records/ and qms.yml (`others`: its other raw changes,
    by sha); return the parents of every commit walked, parents first."""
    parents: dict[str, tuple[str, ...]] = {}
    dates: dict[str, datetime] = {}  # commit dates, parents first: a commit dated before its parent is reported
    for chunk in raw.split("\x01")[1:]:
        fields = chunk.split("\0")
        sha, parent_ids, an, ae, ai, cn, ce, ci, message = fields[:9]
        parent_list = parent_ids.split()
        diffs: list[list[Change]] = [[] for _ in range(max(1, len(parent_list)))]
        rest = fields[9:]
        for position in range(len(rest) - 1):
            token = rest[position].lstrip("\n")
            path = rest[position + 1]
            if token.startswith(":"):
                if path.startswith(_TOPS):
                    for parent, change in enumerate(_changes(token, path)):
                        diffs[parent].append(change)
                else:
                    others.setdefault(sha, []).append((token, path))
        parents[sha] = tuple(parent_list)
        dates[sha] = datetime.fromisoformat(ci).astimezone(timezone.utc)  # one clock: a day is a UTC day in every view
        index.acts.append(Act(sha, tuple(parent_list), an, ae, datetime.fromisoformat(ai).astimezone(timezone.utc), cn,
                              ce, dates[sha], message,
                              parent_committed_at=dates.get(parent_list[0]) if parent_list else None))
        index.diffs[sha] = diffs
    outside = {act.parents[0] for act in index.acts if act.parents and act.parents[0] not in dates}
    if outside:  # the first commits of a range: their parents' dates, read from Git (none at a shallow edge)
        dates.update(git.commit_times(index.root, sorted(outside)))
        index.acts = [replace(act, parent_committed_at=dates.get(act.parents[0]))
                      if act.parents and act.parents[0] in outside else act for act in index.acts]
    return parents


def _attach_landing(index: HistoryIndex, parents: dict[str, tuple[str, ...]], tip: str) -> None:
    """Give each act the time it reached the line of `tip` (the head judged, and its first parents), as a
    snapshot of the line on a day reads it (git.last_commit_on): a commit on the line reached it when it was made,
    but no earlier than any commit before it on the line (a commit cannot be made before its parent); one on a
    branch, when the merge that brought it in did. A version approved on a branch can be in force on the line
    from that merge on."""
    line: list[str] = []
    while tip in parents:
        line.append(tip)
        tip = parents[tip][0] if parents[tip] else ""
    times = {act.sha: act.committed_at for act in index.acts}
    landed: dict[str, datetime] = {}
    reached: datetime | None = None
    for commit in reversed(line):  # oldest first: a merge's first parent has landed already
        reached = times[commit] if reached is None else max(reached, times[commit])
        waiting = [commit]
        while waiting:
            sha = waiting.pop()
            if sha not in landed and sha in parents:
                landed[sha] = reached
                waiting.extend(parents[sha])
    index.acts = [act if landed.get(act.sha, act.committed_at) == act.committed_at else
                  replace(act, landed_at=landed[act.sha]) for act in index.acts]  # None: when it was made


def _add_controlled(index: HistoryIndex, others: dict[str, list[tuple[str, str]]], known: list[Config | None]) -> None:
    """Add to each commit its changes to the files any configuration in the walk (or at its edge, `known`) lists
    under `controlled`: whether a change to one is judged is the rules' question, by the configuration in force at
    its parent. Few commits touch them, so the walk reads no more from Git."""
    listed = {path for config in known if config is not None for path in config.controlled}
    for change in (c for diffs in index.diffs.values() for c in diffs[0] if c.path == CONFIG_FILE and c.new_blob):
        found = _parse(index.texts.get(change.new_blob or ""))
        listed |= set(found.controlled) if found is not None else set()
    if not listed or not others:
        return
    paths = tuple(sorted(listed))
    for sha, raw in others.items():
        for token, path in raw:
            if controlled(path, paths):
                for parent, change in enumerate(_changes(token, path)):
                    index.diffs[sha][parent].append(change)


def _edges(parents: dict[str, tuple[str, ...]]) -> set[str]:
    """The parents the walk did not reach (an incremental walk's boundary, a shallow clone's edge)."""
    return {parent for parent_ids in parents.values() for parent in parent_ids if parent not in parents}


def _config_change(index: HistoryIndex, act: Act) -> Change | None:
    """The act's change to qms.yml against its first parent, if it made one."""
    return next((change for change in index.diffs[act.sha][0] if change.path == CONFIG_FILE), None)


def _attach_configs(index: HistoryIndex, parents: dict[str, tuple[str, ...]],
                    boundary: dict[str, Config | None] | None) -> None:
    """Give each act the configuration in force at its parent. A change to qms.yml comes into force only when
    it can be read and was made by an administrator under the configuration before it (signed with their key,
    where that requires signatures): an unauthorised or unreadable version grants nothing, and the rules report
    it. The commit that founds qms.yml is judged by what it founds. A merge that leaves qms.yml as one of its
    parents had it keeps the configuration in force on that parent's line (a change made and authorised on a
    branch comes in with the branch)."""
    acts = {act.sha: act for act in index.acts}
    parsed: dict[str, Config | None] = {}
    in_force: dict[str, Config | None] = {}
    present: dict[str, str | None] = {}  # the qms.yml blob each commit holds, where the walk knows it
    for sha, parent_ids in parents.items():  # parents before children
        parent = parent_ids[0] if parent_ids else None
        if parent is None or parent in in_force:
            before = in_force.get(parent) if parent else None
        elif boundary is not None:
            before = boundary.get(parent)
            index.complete = index.complete and parent in boundary
        else:  # the edge of a shallow clone
            before = config_at(index.root, parent)
        after, act = before, acts.get(sha)
        change = _config_change(index, act) if act is not None else None
        if change is not None:
            present[sha] = change.new_blob
        elif len(parent_ids) > 1:
            before = after = _merged(index, sha, parent_ids, in_force, present, before)
        elif parent in present:
            present[sha] = present[parent]
        if act is not None and change is not None and change.new_blob:
            if change.new_blob not in parsed:
                parsed[change.new_blob] = _parse(index.texts.get(change.new_blob))
            new = parsed[change.new_blob]
            made_on = change.old_blob or ""
            if made_on not in parsed:
                parsed[made_on] = _parse(index.texts.get(made_on))
            if new is not None and may_change_config(act, before, parsed[made_on]):
                after = new
        in_force[sha] = after
        if act is not None:
            acts[sha] = replace(act, config=before or after)
    index.acts = [acts[act.sha] for act in index.acts]
    index.configs = in_force


def _merged(index: HistoryIndex, sha: str, parent_ids: tuple[str, ...], in_force: dict[str, Config | None],
            present: dict[str, str | None], first: Config | None) -> Config | None:
    """The configuration in force after a merge that changed no qms.yml: that of the parent whose qms.yml the
    merge kept (asked of Git only where the parents' configurations differ; an incremental index that does not
    hold every parent keeps the first parent's, as it did before)."""
    known = [p for p in parent_ids if p in in_force]
    if len(known) < len(parent_ids) or all(in_force[p] is in_force[parent_ids[0]] for p in known):
        if parent_ids[0] in present:
            present[sha] = present[parent_ids[0]]
        return first
    present[sha] = blob = git.blob_at(index.root, sha, CONFIG_FILE)
    for parent in parent_ids:
        if _blob_of(index, parent, present) == blob:
            return in_force[parent]
    return first


def _blob_of(index: HistoryIndex, commit: str, present: dict[str, str | None]) -> str | None:
    if commit not in present:
        present[commit] = git.blob_at(index.root, commit, CONFIG_FILE)
    return present[commit]


def _parse(text: str | None) -> Config | None:
    return parsed_config(text)


def config_at(root: str, commit: str) -> Config | None:
    """The configuration a commit holds, if it holds a readable qms.yml (whoever wrote it)."""
    blob = git.blob_at(root, commit, CONFIG_FILE)
    return _parse(load_texts(root, {blob}).get(blob)) if blob else None


def _kept_signatures(root: str) -> dict[str, Signature]:
    """What Git said about the signatures of commits, as kept by earlier runs."""
    return cache.load(cache.cache_file(root, _SIGNATURE_CACHE), cache.code_format("signatures")) or {}


def _attach_signatures(index: HistoryIndex, only: set[str] | None, known: dict[str, Signature]) -> None:
    """What Git says about the signature of every act (or of the acts in `only`), checked once per commit and
    cached. An empty allowed-signers file makes Git check any SSH signature and name its key; whose key it is,
    the rules decide from qms.yml."""
    if only is not None and not only:
        return
    missing = [act.sha for act in index.acts if act.sha not in known and (only is None or act.sha in only)]
    if missing:
        raw = git.run(["-c", f"gpg.ssh.allowedSignersFile={os.devnull}", "log", "--no-walk=unsorted", "--stdin",
                       f"--format={_SIGNATURE_FORMAT}"], index.root, stdin="\n".join(missing).encode() + b"\n",
                      check=False).decode("utf-8", errors="replace")
        fresh = {}
        for line in raw.split("\n"):
            fields = line.split("\0")
            if len(fields) >= 6 and fields[0]:
                status = fields[1] if fields[1] in {s.value for s in SignatureStatus} else "E"
                fresh[fields[0]] = Signature(SignatureStatus(status), fields[2], fields[3], fields[4], fields[5])
        known.update(fresh)
        cache.save(cache.cache_file(index.root, _SIGNATURE_CACHE), cache.code_format("signatures"),
                   {sha: sig for sha, sig in known.items() if sig.lasting})
    index.acts = [replace(act, signature=known.get(act.sha, Signature())) if only is None or act.sha in only else act
                  for act in index.acts]


def _changes(token: str, path: str) -> list[Change]:
    """The change to `path` against each parent, from a raw line (`:` one parent; `::` a merge's combined line,
    which git lists only where the merge result differs from every parent)."""
    parents = len(token) - len(token.lstrip(":"))
    words = token[parents:].split(" ")
    blobs, status = words[parents + 1:2 * parents + 2], words[-1]
    new = None if blobs[-1] == git.NULL_BLOB else blobs[-1]
    return [Change(status[i] if i < len(status) else "M", path, None if blobs[i] == git.NULL_BLOB else blobs[i], new)
            for i in range(parents)]


def _kept_versions(root: str) -> dict[str, Item | None]:
    """The parsed summaries kept by earlier runs, by blob id."""
    return cache.load(cache.cache_file(root, _CACHE_NAME), cache.code_format("history")) or {}


def load_versions(root: str, wanted: dict[str, str], use_cache: bool = True,
                  kept: dict[str, Item | None] | None = None, directly: int = 0) -> dict[str, Item | None]:
    """The parsed summary of each blob in `wanted` (blob id -> a path it had), cached by blob id (`kept`: the cache,
    read already). Up to `directly` blobs (a staged change's, a branch's) are read and parsed directly: loading
    every version history has seen costs more, and holds a second copy of each beside the ledger's."""
    if len(wanted) <= max(directly, _READ_DIRECTLY):
        blobs = git.read_blobs(root, [blob for blob, name in wanted.items() if name.endswith(".md")])
        return _parse_chunk([(blob, wanted[blob], data) for blob, data in blobs.items()])
    path = cache.cache_file(root, _CACHE_NAME) if use_cache else None
    cached = (kept if kept is not None else _kept_versions(root)) if use_cache else {}
    missing = {blob: name for blob, name in wanted.items() if blob not in cached and name.endswith(".md")}
    if not missing:
        return cached
    merged = dict(cached)
    wanted_now = list(missing)
    for start in range(0, len(wanted_now), _READ_AT_ONCE):  # a long history is read a slice at a time
        blobs = git.read_blobs(root, wanted_now[start:start + _READ_AT_ONCE])
        merged.update(_parse_all([(blob, missing[blob], data) for blob, data in blobs.items()]))
        del blobs
    cache.save(path, cache.code_format("history"), merged)
    return merged


def load_texts(root: str, blobs: set[str]) -> dict[str, str]:
    """The text of a few small blobs (the disposition log's versions)."""
    found = git.read_blobs(root, sorted(blobs))
    return {blob: data.decode("utf-8", errors="replace") for blob, data in found.items() if data is not None}


_READ_DIRECTLY = 50  # at most this many blobs are parsed rather than looked up in the cache
_RANGE_DIRECTLY = 2000  # for a range (a branch CI judges): about a second of parsing, against reading the cache of
#                         all of history (100,000 commits: seconds, and 300 MB)
_PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves
_READ_AT_ONCE = 10_000  # blobs held in memory at once on a first run (about 30 MB of documents)


def _parse_chunk(chunk: list[tuple[str, str, bytes | None]]) -> dict[str, Item | None]:
    return {blob: _summary(parse_bytes(data, path)) for blob, path, data in chunk}


def _parse_all(items: list[tuple[str, str, bytes | None]]) -> dict[str, Item | None]:
    """Parse many blobs; a long history on a first run is parsed on every core."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < _PARALLEL_FROM or workers < 2:
        return _parse_chunk(items)
    size = -(-len(items) // (workers * 4))
    parsed: dict[str, Item | None] = {}
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        for part in pool.map(_parse_chunk, [items[i:i + size] for i in range(0, len(items), size)]):
            parsed.update(part)
    return parsed


def _summary(item: Document | Record | None) -> Item | None:
    """What history keeps of a version: its front matter and fingerprints, not its body."""
    return item.summary() if item is not None else None
