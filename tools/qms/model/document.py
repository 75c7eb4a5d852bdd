"""Controlled documents and records as frozen objects, built from one parse of their front matter."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import TypeVar

from . import schema
from .active import active_content
from .finding import Finding, FindingError
from .fingerprint import fingerprint
from .links import Link, relative_links
from .placeholders import Placeholder, placeholders
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
    document: str = ""  # the id of the document it reviews: one person's reviews of two documents in one second
    #                     are two reviews, each judged (and counted or refused) on its own


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
    training: str | None = None  # "required" or "not-required": whether this revision needs (re)training

    @property
    def needs_training(self) -> bool:
        """Whether people concerned must be trained on this revision (stated by qms revise --training; a revision
        that does not say needs it)."""
        return self.training != "not-required"

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
        """This version without its body, keeping its fingerprints, key lines and links: what history needs of it."""
        found = replace(self, body="", digests=(_shared(self.fingerprint), _shared(self.authored)))
        found.__dict__["links"] = self.links  # what it links to (its attachments, other documents), from its body
        return found

    def governing(self) -> tuple[object, ...]:
        """Every key that governs what staff must do or when the document is reviewed, besides the fingerprint:
        it may change only with a new revision (or, for the obsoletion keys, through qms obsolete)."""
        return (self.fingerprint, self.owner, self.review_months, self.references, self.clauses, self.change,
                self.needs_training)

    @cached_property
    def links(self) -> list[Link]:
        """Relative Markdown links in the body."""
        return relative_links(self.body, self.path, self.body_line)

    @cached_property
    def gaps(self) -> tuple[Placeholder, ...]:
        """Template text left in the body (model.placeholders), found when the file is read and kept with its
        parse in the cache."""
        return tuple(placeholders(self.body, self.body_line))

    @cached_property
    def active(self) -> tuple[Placeholder, ...]:
        """Scripts, frames, event handlers and the like in the body (model.active), found when the file is read
        and kept with its parse in the cache."""
        return tuple(active_content(self.body, self.body_line))

    @cached_property
    def authored(self) -> str:
        """The fingerprint without the effective date: what an author writes (approvers may set the date)."""
        if self.digests is not None:
            return self.digests[1]
        return fingerprint(self.id, self.title, self.type, self.revision, None, self.body)


@dataclass(frozen=True)
class Person:
    """Someone a record names, as it names them."""

    name: str
    email: str


@dataclass(frozen=True)
class Training:
    """What a training record attests: a person trained on one revision of a document, bound to its fingerprint;
    read and understood by the trainee, or given by a trainer (classroom, on-the-job)."""

    document: str
    revision: str
    fingerprint: str
    method: str  # read-and-understood | classroom | on-the-job
    trainee: Person
    trainer: Person | None
    line: int = field(default=1, compare=False)

    @property
    def given_by(self) -> Person:
        """Who gives the record: the trainee for their own read-and-understood, else the trainer."""
        return self.trainer if self.trainer is not None else self.trainee


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
    training: Training | None = None

    def line(self, key: str) -> int:
        """The line of `key` in the file, or 1."""
        return self.lines.get(key, 1)

    @cached_property
    def links(self) -> list[Link]:
        """Relative Markdown links in the body."""
        return relative_links(self.body, self.path, self.body_line)

    def summary(self) -> Record:
        """This version without its body: what history needs of it (with the files it links to: its attachments,
        which a disposal of it may remove)."""
        found = replace(self, body="")
        found.__dict__["links"] = self.links
        return found


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
    lines = {_shared(str(key[0])): line for key, line in parsed.lines.items() if len(key) == 1}
    reviews = tuple(replace(review, document=_shared(str(values["id"]))) for review in reviews)
    document = Document(
        path=_shared(path), id=_shared(str(values["id"])), title=str(values["title"]),
        type=_shared(str(values["type"])), owner=_shared(str(values["owner"])),
        revision=_shared(str(values["revision"])), status=_shared(str(values["status"])),
        effective=values["effective"], change=values["change"], obsoleted=values["obsoleted"],  # type: ignore[arg-type]
        reason=values["reason"], superseded_by=values["superseded_by"],  # type: ignore[arg-type]
        clauses=tuple(map(_shared, values["clauses"] or ())),  # type: ignore[call-overload]
        references=tuple(map(_shared, values["references"] or ())),  # type: ignore[call-overload]
        review_months=values["review_months"], approvals=approvals, periodic_reviews=reviews,  # type: ignore[arg-type]
        body=split.body, body_line=split.body_line, lines=lines, training=values["training"],  # type: ignore[arg-type]
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
    training = _training(parsed, path, checked.findings) if values["training"] is not None else None
    if any(values[key] is None for key, spec in schema.RECORD.items() if spec.required):
        return Loaded(None, tuple(checked.findings))
    lines = {_shared(str(key[0])): line for key, line in parsed.lines.items() if len(key) == 1}
    record = Record(
        path=path, id=str(values["id"]), title=str(values["title"]), type=str(values["type"]),
        date=values["date"], owner=str(values["owner"]), procedure=str(values["procedure"]),  # type: ignore[arg-type]
        form=values["form"], corrects=values["corrects"], body=split.body,  # type: ignore[arg-type]
        body_line=split.body_line, lines=lines, training=training,
    )
    return Loaded(record, tuple(checked.findings))


def _training(parsed: Parsed, path: str, findings: list[Finding]) -> Training | None:
    """The `training` mapping of a training record; findings where it is incomplete or inconsistent."""
    raw = parsed.value.get("training") if isinstance(parsed.value, dict) else None
    checked = schema.check(raw, schema.TRAINING, parsed, path, ("training",), "training")
    found = list(checked.findings)
    values = checked.values
    people: dict[str, Person | None] = {}
    for key in ("trainee", "trainer"):
        person = schema.check(values[key], schema.PERSON, parsed, path, ("training", key), key) \
            if values[key] is not None else None
        if person is not None:
            found += person.findings
        people[key] = Person(str(person.values["name"]), str(person.values["email"])) \
            if person is not None and not person.findings else None
    line = parsed.line("training")
    method = values["method"]
    if method is not None and (method == "read-and-understood") != (values["trainer"] is None):
        found.append(Finding(path, parsed.line("training", "method"), "QMS022", f"'method' {method} "
                             + ("names no trainer" if values["trainer"] is None else "is the trainee's own and names "
                                "no trainer"), "read-and-understood has no trainer; classroom and on-the-job name one"))
    findings += found
    if found or people["trainee"] is None:
        return None
    return Training(str(values["document"]), str(values["revision"]), str(values["fingerprint"]), str(method),
                    people["trainee"], people["trainer"], line)


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
    return Approval(_shared(str(values["name"])), _shared(str(values["email"])), _shared(str(values["role"])),
                    _shared(str(values["meaning"])), values["at"],  # type: ignore[arg-type]
                    _shared(str(values["fingerprint"])), line)


def _review(values: dict[str, object], line: int) -> PeriodicReview:
    return PeriodicReview(_shared(str(values["name"])), _shared(str(values["email"])),
                          values["at"], _shared(str(values["outcome"])), line,  # type: ignore[arg-type]
                          values["note"])  # type: ignore[arg-type]


def _shared(text: str) -> str:
    """One shared copy of a string that recurs across the versions history holds (names, roles, ids, keys,
    fingerprints): history and the caches keep hundreds of thousands of versions, and a parse cache pickles
    each shared string once."""
    return sys.intern(text) if type(text) is str else text
