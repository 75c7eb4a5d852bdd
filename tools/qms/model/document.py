"""Controlled documents and records as frozen objects, built from one parse of their front matter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import TypeVar

from . import schema
from .finding import Finding, FindingError
from .fingerprint import fingerprint
from .links import Link, relative_links
from .source import Split, decode, split_front_matter
from .yamlread import Parsed, load

T = TypeVar("T")


@dataclass(frozen=True)
class Approval:
    """An electronic signature: who, in which role, meaning what, when, over which fingerprint."""

    name: str
    email: str
    role: str
    meaning: str
    at: datetime
    fingerprint: str
    line: int


@dataclass(frozen=True)
class PeriodicReview:
    """A periodic review that found the document still fit; it does not change the fingerprint."""

    name: str
    email: str
    at: datetime
    outcome: str
    line: int
    note: str | None = None


@dataclass(frozen=True)
class Document:
    """A controlled document under procedures/ as its front matter and body say."""

    path: str
    id: str
    title: str
    type: str
    owner: str
    revision: str
    status: str
    effective: date | None
    change: str | None
    obsoleted: date | None
    reason: str | None
    superseded_by: str | None
    clauses: tuple[str, ...]
    references: tuple[str, ...]
    review_months: int | None
    approvals: tuple[Approval, ...]
    periodic_reviews: tuple[PeriodicReview, ...]
    body: str
    body_line: int
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    digests: tuple[str, str] | None = field(default=None, compare=False)  # (fingerprint, authored) of a summary

    def line(self, key: str) -> int:
        """The line of `key` in the file, or 1."""
        return self.lines.get(key, 1)

    @cached_property
    def fingerprint(self) -> str:
        """The fingerprint of the current controlled fields and body."""
        if self.digests is not None:
            return self.digests[0]
        return fingerprint(self.id, self.title, self.type, self.revision, self.effective, self.body)

    def summary(self) -> Document:
        """This version without its body, keeping its fingerprints and key lines: what history needs of it."""
        return replace(self, body="", digests=(self.fingerprint, self.authored))

    def governing(self) -> tuple[object, ...]:
        """Every key that governs what staff must do or when the document is reviewed, besides the fingerprint:
        it may change only with a new revision (or, for the obsoletion keys, through qms obsolete)."""
        return (self.fingerprint, self.owner, self.review_months, self.references, self.clauses, self.change)

    @cached_property
    def links(self) -> list[Link]:
        """Relative Markdown links in the body."""
        return relative_links(self.body, self.path, self.body_line)

    @cached_property
    def authored(self) -> str:
        """The fingerprint without the effective date: what an author writes (approvers may set the date)."""
        if self.digests is not None:
            return self.digests[1]
        return fingerprint(self.id, self.title, self.type, self.revision, None, self.body)


@dataclass(frozen=True)
class Record:
    """A record under records/: retained evidence, immutable once committed."""

    path: str
    id: str
    title: str
    type: str
    date: date
    owner: str
    procedure: str
    form: str | None
    corrects: str | None
    body: str
    body_line: int
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def line(self, key: str) -> int:
        """The line of `key` in the file, or 1."""
        return self.lines.get(key, 1)

    @cached_property
    def links(self) -> list[Link]:
        """Relative Markdown links in the body."""
        return relative_links(self.body, self.path, self.body_line)

    def summary(self) -> Record:
        """This version without its body: what history needs of it."""
        return replace(self, body="")


@dataclass(frozen=True)
class Loaded:
    """The result of reading one file: the object, if it could be built, and what was wrong."""

    item: Document | Record | None
    findings: tuple[Finding, ...]


def _front_matter(text: str, path: str) -> tuple[Split, Parsed]:
    split = split_front_matter(text, path)
    return split, load(split.yaml, path, first_line=2)


def parse_document(text: str, path: str) -> Loaded:
    """Build a Document from decoded text; findings for every schema problem."""
    try:
        split, parsed = _front_matter(text, path)
    except FindingError as exc:
        return Loaded(None, (exc.finding,))
    checked = schema.check(parsed.value, schema.DOCUMENT, parsed, path)
    findings = list(checked.findings)
    values = checked.values
    approvals = tuple(_items(parsed, "approvals", schema.APPROVAL, "approval", path, findings, _approval))
    reviews = tuple(_items(parsed, "periodic_reviews", schema.PERIODIC_REVIEW, "periodic review", path, findings,
                           _review))
    if any(values[key] is None for key, spec in schema.DOCUMENT.items() if spec.required):
        return Loaded(None, tuple(findings))
    lines = {str(key[0]): line for key, line in parsed.lines.items() if len(key) == 1}
    document = Document(
        path=path, id=str(values["id"]), title=str(values["title"]), type=str(values["type"]),
        owner=str(values["owner"]), revision=str(values["revision"]), status=str(values["status"]),
        effective=values["effective"], change=values["change"], obsoleted=values["obsoleted"],  # type: ignore[arg-type]
        reason=values["reason"], superseded_by=values["superseded_by"],  # type: ignore[arg-type]
        clauses=values["clauses"] or (), references=values["references"] or (),  # type: ignore[arg-type]
        review_months=values["review_months"], approvals=approvals, periodic_reviews=reviews,  # type: ignore[arg-type]
        body=split.body, body_line=split.body_line, lines=lines,
    )
    return Loaded(document, tuple(findings))


def parse_record(text: str, path: str) -> Loaded:
    """Build a Record from decoded text; findings for every schema problem."""
    try:
        split, parsed = _front_matter(text, path)
    except FindingError as exc:
        return Loaded(None, (exc.finding,))
    checked = schema.check(parsed.value, schema.RECORD, parsed, path)
    values = checked.values
    if any(values[key] is None for key, spec in schema.RECORD.items() if spec.required):
        return Loaded(None, tuple(checked.findings))
    lines = {str(key[0]): line for key, line in parsed.lines.items() if len(key) == 1}
    record = Record(
        path=path, id=str(values["id"]), title=str(values["title"]), type=str(values["type"]),
        date=values["date"], owner=str(values["owner"]), procedure=str(values["procedure"]),  # type: ignore[arg-type]
        form=values["form"], corrects=values["corrects"], body=split.body,  # type: ignore[arg-type]
        body_line=split.body_line, lines=lines,
    )
    return Loaded(record, tuple(checked.findings))


def parse_bytes(data: bytes | None, path: str | None) -> Document | Record | None:
    """The document or record stored as `data` at `path` (as Git holds it), or None if absent or unreadable."""
    if data is None or path is None or not path.endswith(".md"):
        return None
    try:
        text = decode(data, path, 1 << 30).text
    except FindingError:
        return None
    parse = parse_document if path.startswith("procedures/") else parse_record
    return parse(text, path).item


def _items(parsed: Parsed, key: str, spec: schema.Schema, what: str, path: str, findings: list[Finding],
           build: Callable[[dict[str, object], int], T]) -> list[T]:
    raw = parsed.value.get(key) if isinstance(parsed.value, dict) else None
    if raw is None:
        return []
    if not isinstance(raw, list):
        findings.append(Finding(path, parsed.line(key), "QMS022", f"'{key}' must be a list",
                                f"each {what} is an item starting with '- '"))
        return []
    items: list[T] = []
    for index, entry in enumerate(raw):
        checked = schema.check(entry, spec, parsed, path, (key, index), what)
        findings.extend(checked.findings)
        if not checked.findings:
            items.append(build(checked.values, parsed.line(key, index)))
    return items


def _approval(values: dict[str, object], line: int) -> Approval:
    return Approval(str(values["name"]), str(values["email"]), str(values["role"]), str(values["meaning"]),
                    values["at"], str(values["fingerprint"]), line)  # type: ignore[arg-type]


def _review(values: dict[str, object], line: int) -> PeriodicReview:
    return PeriodicReview(str(values["name"]), str(values["email"]), values["at"], str(values["outcome"]),  # type: ignore[arg-type]
                          line, values["note"])  # type: ignore[arg-type]
