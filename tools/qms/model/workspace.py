"""The QMS as it stands in a folder: every controlled document, record and attachment, read once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from .config import Config
from .cache import ParseCache
from .document import Document, Loaded, Record, parse_document, parse_record
from .finding import Finding, FindingError
from .source import decode, oversize
from .state import Assessment, Authority, assess

DOCUMENTS, RECORDS = "procedures", "records"


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
    authority: Authority = field(default_factory=dict)  # the qms.yml each committed signature is judged by

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
    def assessments(self) -> dict[str, Assessment]:
        """The derived state of every document, by path."""
        return {doc.path: assess(doc, self.config, self.today, self.authority) for doc in self.documents}

    def items(self) -> list[Document | Record]:
        """Every document and record."""
        return [*self.documents, *self.records]

    def assessment(self, doc: Document) -> Assessment:
        """The derived state of `doc`."""
        return self.assessments[doc.path]

    def with_files(self, files: dict[str, str | None]) -> Workspace:
        """This workspace as it would be with `files` written (None: removed): what a command is about to make."""
        documents = [doc for doc in self.documents if doc.path not in files]
        records = [record for record in self.records if record.path not in files]
        findings = [finding for finding in self.findings if finding.path not in files]
        for path, text in files.items():
            if text is None or not path.endswith(".md"):
                continue
            parse = parse_document if path.startswith(DOCUMENTS + "/") else parse_record
            loaded = parse(text, path)
            findings += loaded.findings
            if isinstance(loaded.item, Document):
                documents.append(loaded.item)
            elif isinstance(loaded.item, Record):
                records.append(loaded.item)
        present = (self.files - {p for p, t in files.items() if t is None}) | {p for p, t in files.items() if t}
        return Workspace(self.root, self.config, self.today, sorted(documents, key=lambda d: d.path),
                         sorted(records, key=lambda r: r.path), present, findings, set(self.unreadable) - set(files),
                         self.authority)


def scan(root: str, config: Config, today: date, cache: bool = True, authority: Authority | None = None) -> Workspace:
    """Read procedures/ and records/ under `root`; symlinks are reported and never followed. `authority` is what
    history says about the signatures it added (see state.approval_problems)."""
    workspace = Workspace(root, config, today, authority=authority or {})
    parsed = ParseCache(root) if cache else None
    for top in (DOCUMENTS, RECORDS):
        base = os.path.join(root, top)
        if os.path.islink(base):
            workspace.findings.append(_symlink(top))
        elif os.path.isdir(base):
            _walk(workspace, base, top, parsed)
    if parsed is not None:
        parsed.save()
    workspace.documents.sort(key=lambda doc: doc.path)
    workspace.records.sort(key=lambda record: record.path)
    return workspace


def _parse(path: str, full_path: str, limit: int) -> Loaded:
    with open(full_path, "rb") as handle:
        data = handle.read()
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


def _symlink(path: str) -> Finding:
    return Finding(path, 1, "QMS003", "symbolic link refused (not followed)",
                   "replace the link with the file itself, or remove it")


def _walk(workspace: Workspace, folder: str, rel: str, cache: ParseCache | None) -> None:
    with os.scandir(folder) as entries:
        ordered = sorted(entries, key=lambda entry: entry.name)
    for entry in ordered:
        if entry.name.startswith(".qms-") and entry.name.endswith(".tmp"):
            workspace.findings.append(Finding(f"{rel}/{entry.name}", 1, "QMS006", "a temporary file left by an "
                                              "interrupted write", "the write it belonged to did not happen: "
                                              "delete the file", "warning"))
            continue
        if entry.name.startswith("."):
            continue
        path = f"{rel}/{entry.name}"
        if entry.is_symlink():
            workspace.findings.append(_symlink(path))
        elif entry.is_dir(follow_symlinks=False):
            _walk(workspace, entry.path, path, cache)
        elif entry.is_file(follow_symlinks=False):
            workspace.files.add(path)
            _read(workspace, entry, path, cache)


def _read(workspace: Workspace, entry: os.DirEntry[str], path: str, cache: ParseCache | None) -> None:
    config = workspace.config
    stat = entry.stat(follow_symlinks=False)
    limit = config.max_document_bytes if entry.name.endswith(".md") else config.max_attachment_bytes
    if stat.st_size > limit:  # reported without reading it
        workspace.findings.append(oversize(path, stat.st_size, limit))
        workspace.unreadable.add(path)
        return
    if not entry.name.endswith(".md"):
        return
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, limit)
    loaded = cache.get(path, key) if cache is not None else None
    if loaded is None:
        loaded = _parse(path, entry.path, limit)
        if cache is not None:
            cache.put(path, key, loaded, stat.st_mtime)
    workspace.findings.extend(loaded.findings)
    if loaded.item is None:
        workspace.unreadable.add(path)
    elif isinstance(loaded.item, Document):
        workspace.documents.append(loaded.item)
    else:
        workspace.records.append(loaded.item)
