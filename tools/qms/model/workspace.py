"""The QMS as it stands in a folder: every controlled document, record and attachment, read once."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from .config import Config
from .cache import Key, ParseCache
from .disposal import Disposal, disposals, read_log
from .document import Document, Loaded, PeriodicReview, Record, parse_document, parse_record
from .finding import Finding, FindingError
from .inforce import Period, Standing, periods, standing
from .ledger import Ledger
from .source import decode, oversize
from .state import Assessment, Authority, assess, next_review
from .transition import DISPOSITION_LOG, entry_key
from .training import Cell
from .training import assess as assess_training

DOCUMENTS, RECORDS = "procedures", "records"
SETTLE = 2.0  # seconds: a file changed this recently is read again by the next run, whatever its key says


@dataclass
class Workspace:
    """Documents, records and other files under procedures/ and records/, plus findings from reading them."""

    root: str
    config: Config
    today: date
    documents: list[Document] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    history: Ledger = field(default_factory=Ledger)  # what history established before this folder's state
    commit: str | None = None  # the commit this is the tree of (an "as of" snapshot); None: the folder itself
    disposition_log: str = ""  # the text of records/disposition-log.csv
    _periods: dict[str, tuple[Document, list[Period]]] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def authority(self) -> Authority:
        """The qms.yml each committed signature is judged by (see state.approval_problems)."""
        return self.history.authority

    @cached_property
    def by_id(self) -> dict[str, Document]:
        """Documents by id (the first in path order where an id is duplicated)."""
        found: dict[str, Document] = {}
        for doc in self.documents:
            found.setdefault(doc.id, doc)
        return found

    @cached_property
    def records_by_id(self) -> dict[str, Record]:
        """Records by id (the first in path order where an id is duplicated)."""
        found: dict[str, Record] = {}
        for record in self.records:
            found.setdefault(record.id, record)
        return found

    @cached_property
    def disposed(self) -> dict[str, Disposal]:
        """The files the disposition log shows as disposed of after retention (model.disposal), by path, but for
        those whose deletion history found unlawful (Ledger.unlawful: the commit's own date and disposer count,
        not what the log claims)."""
        return {path: disposal for path, disposal in disposals(self.disposition_log).items()
                if path not in self.history.unlawful}

    @cached_property
    def disposed_ids(self) -> set[str]:
        """The records the disposition log shows as disposed of after retention."""
        return {disposal.record for disposal in self.disposed.values()}

    @cached_property
    def assessments(self) -> dict[str, Assessment]:
        """The derived state of every document, by path."""
        return {doc.path: assess(doc, self.config, self.today, self.authority) for doc in self.documents}

    def items(self) -> list[Document | Record]:
        """Every document and record."""
        return [*self.documents, *self.records]

    def assessment(self, doc: Document) -> Assessment:
        """The derived state of `doc`."""
        return self.assessments[doc.path]

    @cached_property
    def standings(self) -> dict[str, Standing]:
        """Where every document stands on `today`, by path: its own state and the version in force (inforce.py)."""
        return {doc.path: standing(doc, self.history.releases.get(doc.id, ()), self.config, self.today,
                                   self.authority, self.commit, self.assessment(doc).state,
                                   self.history.void.get(doc.id, ())) for doc in self.documents}

    def standing(self, doc: Document, day: date | None = None) -> Standing:
        """Where `doc` stands on `today`, or on another `day` (by the same facts)."""
        if day is None or day == self.today:
            return self.standings[doc.path]
        return standing(doc, self.history.releases.get(doc.id, ()), self.config, day, self.authority, self.commit,
                        void=self.history.void.get(doc.id, ()))

    def periods(self, doc: Document) -> list[Period]:
        """When each version of `doc` was, is or will be in force (read once a document)."""
        found = self._periods.get(doc.path)
        if found is None or found[0] is not doc:
            found = self._periods[doc.path] = (doc, periods(doc, self.history.releases.get(doc.id, ()), self.config,
                                                            self.today, self.authority,
                                                            self.history.void.get(doc.id, ())))
        return found[1]

    def next_review(self, doc: Document, config: Config | None = None) -> date | None:
        """When `doc`'s next periodic review is due, counting only reviews made by `today`, committed by the person
        they name and not refused by the rules when they were added (QMS122, by someone who may not review it): a
        review not committed yet counts, as the hook judges it as the next commit."""
        def counts(review: PeriodicReview) -> bool:
            key = entry_key(review)
            who = self.history.added_by.get(key)
            return review.at.date() <= self.today and (who is None or who == review.email.lower() and
                                                       key not in self.history.refused)
        return next_review(doc, config or self.config, counts)

    @cached_property
    def training(self) -> list[Cell]:
        """Every person concerned against every document in force on `today` (training.py)."""
        return assess_training(self)

    def in_force(self) -> list[Standing]:
        """The documents with a version in force on `today`, in path order."""
        return [item for item in self.standings.values() if item.in_force is not None]

    def add(self, path: str, loaded: Loaded) -> None:
        """Take in one file as read."""
        self.findings.extend(loaded.findings)
        if loaded.item is None:
            self.unreadable.add(path)
        elif isinstance(loaded.item, Document):
            self.documents.append(loaded.item)
        else:
            self.records.append(loaded.item)

    def with_files(self, files: dict[str, str | None]) -> Workspace:
        """This workspace as it would be with `files` written (None: removed): what a command is about to make."""
        documents = [doc for doc in self.documents if doc.path not in files]
        records = [record for record in self.records if record.path not in files]
        findings = [finding for finding in self.findings if finding.path not in files]
        unreadable = set(self.unreadable) - set(files)
        for path, text in files.items():
            if text is None or not path.endswith(".md"):
                continue
            data = text.encode("utf-8")
            if len(data) > self.config.max_document_bytes:  # read as scan reads it: the same findings
                findings.append(oversize(path, len(data), self.config.max_document_bytes))
                unreadable.add(path)
                continue
            loaded = parse_data(path, data, self.config.max_document_bytes)
            findings += loaded.findings
            if isinstance(loaded.item, Document):
                documents.append(loaded.item)
            elif isinstance(loaded.item, Record):
                records.append(loaded.item)
        present = (self.files - {p for p, t in files.items() if t is None}) | {p for p, t in files.items() if t}
        return Workspace(self.root, self.config, self.today, sorted(documents, key=lambda d: d.path),
                         sorted(records, key=lambda r: r.path), present, findings, unreadable,
                         self.history, disposition_log=(files.get(DISPOSITION_LOG) or "") if DISPOSITION_LOG in files
                         else self.disposition_log)


def scan(root: str, config: Config, today: date, cache: bool = True, history: Ledger | None = None) -> Workspace:
    """Read procedures/ and records/ under `root`; symlinks are reported and never followed. `history` is what
    history established before (the signatures it added and the versions it released)."""
    workspace = Workspace(root, config, today, history=history or Ledger())
    found = listing(root, config)
    workspace.files, workspace.unreadable, workspace.disposition_log = set(found.files), found.unreadable, found.log
    workspace.findings.extend(found.findings)
    parsed = ParseCache(root) if cache else None
    for path, key in found.markdown.items():
        workspace.add(path, read(root, path, key, config.max_document_bytes, parsed, found.trusted[path] is not None))
    if parsed is not None:
        parsed.save()
    workspace.documents.sort(key=lambda doc: doc.path)
    workspace.records.sort(key=lambda record: record.path)
    return workspace


@dataclass
class Listing:
    """What a walk of procedures/ and records/ finds before any document is read: every file, the findings of
    walking (symbolic links, temporary files, files over their size limit, an unreadable disposition log), and
    each Markdown file to read with its key (size, times, inode and limit: unchanged key, unchanged file)."""

    files: dict[str, Key] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    markdown: dict[str, Key] = field(default_factory=dict)
    log: str = ""
    started: float = field(default_factory=time.time)

    @cached_property
    def trusted(self) -> dict[str, Key | None]:
        """The files' keys, but None for those changed (status-change time: an edit, or a modification time set
        back) within SETTLE seconds of the walk, whose keys cannot be trusted to show a later change made within
        the file system's clock tick (the racy-timestamp problem Git's index also has)."""
        since = (self.started - SETTLE) * 1e9
        return {path: key if key[2] < since else None for path, key in self.files.items()}


def listing(root: str, config: Config) -> Listing:
    """Walk procedures/ and records/ under `root`; symlinks are reported and never followed."""
    found = Listing()
    for top in (DOCUMENTS, RECORDS):
        base = os.path.join(root, top)
        if os.path.islink(base):
            found.findings.append(_symlink(top))
        elif os.path.isdir(base):
            _walk(found, config, base, top)
    found.findings.sort()
    return found


def read(root: str, path: str, key: Key, limit: int, cache: ParseCache | None = None, trusted: bool = False
         ) -> Loaded:
    """The Markdown file at `path` (listed with `key`), from the parse cache where it holds it unchanged; kept
    there if its key is `trusted` (Listing.trusted)."""
    loaded = cache.get(path, key) if cache is not None else None
    if loaded is None:
        loaded = _parse(path, os.path.join(root, path), limit)
        if isinstance(loaded.item, Document):
            loaded.item.gaps, loaded.item.active  # found now, so that the parse cache keeps them with the parse
        if cache is not None and trusted:
            cache.put(path, key, loaded)
    return loaded


def _parse(path: str, full_path: str, limit: int) -> Loaded:
    with open(full_path, "rb") as handle:
        return parse_data(path, handle.read(), limit)


def parse_data(path: str, data: bytes, limit: int) -> Loaded:
    """A document or record from its bytes, with the findings of reading it."""
    try:
        text = decode(data, path, limit)
    except FindingError as exc:
        return Loaded(None, (exc.finding,))
    parse = parse_document if path.startswith(DOCUMENTS + "/") else parse_record
    loaded = parse(text.text, path)
    if loaded.item is not None:  # computed now, so that the parse cache keeps them
        _ = loaded.item.links
        if isinstance(loaded.item, Document):
            _ = loaded.item.fingerprint, loaded.item.authored
    return Loaded(loaded.item, text.findings + loaded.findings)


def from_tree(root: str, config: Config, today: date, files: list[tuple[str, bool, int, bytes | None]],
              history: Ledger | None = None) -> Workspace:
    """The QMS as a commit holds it: `files` are (path, is a symbolic link, size, bytes of a .md file that is
    within its size limit), under procedures/ and records/. Read as a folder is read: the same findings."""
    workspace = Workspace(root, config, today, history=history or Ledger())
    for path, link, size, data in sorted(files):
        name = path.rsplit("/", 1)[-1]
        if link:
            workspace.findings.append(_symlink(path))
            continue
        if any(part.startswith(".") for part in path.split("/")):
            continue
        workspace.files.add(path)
        limit = config.max_document_bytes if name.endswith(".md") else config.max_attachment_bytes
        if size > limit:
            workspace.findings.append(oversize(path, size, limit))
            workspace.unreadable.add(path)
        elif name.endswith(".md") and data is not None:
            workspace.add(path, parse_data(path, data, limit))
        elif path == DISPOSITION_LOG and data is not None:
            workspace.disposition_log, problem = read_log(data, path)
            workspace.findings.extend([problem] if problem else [])
    workspace.documents.sort(key=lambda doc: doc.path)
    workspace.records.sort(key=lambda record: record.path)
    return workspace


def _symlink(path: str) -> Finding:
    return Finding(path, 1, "QMS003", "symbolic link refused (not followed)",
                   "replace the link with the file itself, or remove it")


def _walk(found: Listing, config: Config, folder: str, rel: str) -> None:
    """List the files under `folder` (at `rel`), each with its key: the one stat a file costs (a hook run at ten
    thousand documents lists them all, so this loop is kept to what it must do)."""
    files, markdown, md_limit, limit = found.files, found.markdown, config.max_document_bytes, \
        config.max_attachment_bytes
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                if name.startswith(".qms-") and name.endswith(".tmp"):
                    found.findings.append(Finding(f"{rel}/{name}", 1, "QMS006", "a temporary file left by an "
                                                  "interrupted write", "the write it belonged to did not happen: "
                                                  "delete the file", "warning"))
                continue
            path = f"{rel}/{name}"
            if entry.is_symlink():
                found.findings.append(_symlink(path))
            elif entry.is_dir(follow_symlinks=False):
                _walk(found, config, entry.path, path)
            elif entry.is_file(follow_symlinks=False):
                stat = entry.stat(follow_symlinks=False)
                document = name.endswith(".md")
                key = files[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino,
                                     md_limit if document else limit)
                if stat.st_size > key[4]:  # reported without reading it
                    found.findings.append(oversize(path, stat.st_size, key[4]))
                    found.unreadable.add(path)
                elif document:
                    markdown[path] = key
                elif path == DISPOSITION_LOG:
                    with open(entry.path, "rb") as handle:
                        found.log, problem = read_log(handle.read(), path)
                    found.findings.extend([problem] if problem else [])
