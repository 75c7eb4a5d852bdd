"""Bringing existing procedures in: what a source file holds, and the plan that proposes an id, type, title,
owner and clauses for it. Pure: the command reads the files and writes the result."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from . import iso9001
from .config import Config, DocType
from .finding import Finding, FindingError
from .links import relative_links
from .relink import is_document_file
from .source import decode, split_front_matter
from .yamlread import load

KEPT_KEYS = ("id", "title", "type", "owner", "clauses")  # front-matter keys a plan takes over when valid
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_CLAUSE = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2}){0,3})(?![\d.]*\d)")
_CLAUSE_LINE = re.compile(r"^\W*(?:ISO 9001[^:|]*|clauses?)\s*[:|](.*)$", re.IGNORECASE | re.MULTILINE)
_TYPE_WORDS = (  # (words in a file name or title, type name): the first match proposes the type
    (("quality manual", "manual"), "manual"),
    (("policy", "policies"), "policy"),
    (("work instruction", "work-instruction", "instruction", "wi"), "work-instruction"),
    (("form", "template", "checklist", "register", "log"), "form"),
    (("external",), "external"),
)


@dataclass(frozen=True)
class Source:
    """One file to import: its Markdown body (as it was), any front matter it had, the images to copy next to
    it (path relative to the document -> bytes), and what could not be carried over."""

    path: str
    body: str
    front: Mapping[str, object] = field(default_factory=dict)
    images: Mapping[str, bytes] = field(default_factory=dict)
    losses: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Planned:
    """What one source becomes: a draft with this id, type, title, owner and clauses, at `path`."""

    source: str
    id: str
    type: str
    title: str
    owner: str
    clauses: tuple[str, ...]
    path: str
    notes: tuple[str, ...] = ()


PLAN_COLUMNS = ("source", "id", "type", "title", "owner", "clauses", "path", "notes")


def markdown_source(data: bytes, path: str, files: Mapping[str, bytes]) -> Source:
    """A Markdown file as a source: front matter (if any) apart, the body as written (LF line endings), and the
    images its relative links name that `files` holds (paths relative to the file). Raises FindingError."""
    text = decode(data, path, 1 << 24).text
    front: dict[str, object] = {}
    body = text
    if text.startswith("---\n") or text.startswith("---\r"):
        split = split_front_matter(text, path)
        value = load(split.yaml, path, first_line=2).value
        if value is not None and not isinstance(value, dict):
            raise FindingError(Finding(path, 2, "QMS171", "front matter is not a mapping of keys to values",
                                       "fix the front matter, or remove it and let the plan propose one"))
        front, body = dict(value or {}), split.body
    images: dict[str, bytes] = {}
    losses = []
    for link in relative_links(body, "doc.md", 1):
        target = link.target.split("#", 1)[0].split("?", 1)[0]
        if not target or is_document_file(target):  # another procedure: see model.relink
            continue
        if link.resolved.startswith("../") or posixpath.isabs(link.resolved):
            losses.append(Finding(path, link.line, "QMS172", f"{target} is outside the file's folder, so it was not "
                                  "copied", "copy it next to the document and change the link", "warning"))
        elif link.resolved in files:
            images[link.resolved] = files[link.resolved]
    return Source(path, body, front, images, tuple(losses))


def title_of(source: Source, fallback: str) -> str:
    """The title: the front matter's, else the first heading's, else the file name's."""
    given = source.front.get("title")
    if isinstance(given, str) and given.strip():
        return " ".join(given.split())
    heading = _HEADING.search(source.body)
    if heading:
        unescaped = re.sub(r"\\(.)", r"\1", heading.group(1))  # Markdown's (and pandoc's) backslash escapes
        return " ".join(re.sub(r"[*_`]", "", unescaped).split())
    stem = posixpath.splitext(posixpath.basename(fallback))[0]
    return " ".join(re.sub(r"[_-]+", " ", stem).split()).capitalize() or "Untitled"


def type_of(source: Source, title: str, config: Config, chosen: str | None) -> str:
    """The type: --type, else the front matter's, else words in the file name or title, else procedure."""
    if chosen:
        return chosen
    given = source.front.get("type")
    if isinstance(given, str) and given in config.document_types:
        return given
    words = " " + re.sub(r"[^a-z0-9]+", " ", (posixpath.basename(source.path) + " " + title).lower()) + " "
    for keys, name in _TYPE_WORDS:
        if name in config.document_types and any(f" {key} " in words for key in keys):
            return name
    return "procedure" if "procedure" in config.document_types else next(iter(config.document_types))


def clauses_of(source: Source) -> tuple[str, ...]:
    """ISO 9001 clauses from the front matter, or from a clause table or a 'Clauses:' line in the text."""
    given = source.front.get("clauses")
    if isinstance(given, list) and all(iso9001.is_clause(str(c)) for c in given):
        return tuple(str(c) for c in given)
    found: list[str] = []
    for block in _tables(source.body):
        header = [cell.lower() for cell in block[0]]
        column = next((i for i, cell in enumerate(header) if "clause" in cell), None)
        if column is not None:
            found += [m for row in block[1:] if column < len(row) for m in _CLAUSE.findall(row[column])]
    for match in _CLAUSE_LINE.finditer(source.body):
        found += _CLAUSE.findall(match.group(1))
    return tuple(dict.fromkeys(c for c in found if iso9001.is_clause(c)))


def _tables(body: str) -> Iterable[list[list[str]]]:
    """Pipe tables in Markdown: rows of cells, the header first, the separator row left out."""
    rows: list[list[str]] = []
    if "|" not in body:
        return
    for line in body.split("\n") + [""]:
        if line.strip().startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
                rows.append(cells)
        elif rows:
            yield rows
            rows = []


def plan(sources: list[Source], config: Config, next_number: Mapping[str, int], slug: Callable[[str], str],
         chosen_type: str | None = None, chosen_owner: str | None = None,
         mapping: Mapping[str, Mapping[str, str]] | None = None, taken: Iterable[str] = (),
         existing: Mapping[str, str] | None = None) -> list[Planned]:
    """Propose, for each source in order, an id (the next free number of its type), type, title, owner and
    clauses; the administrator's `mapping` (by source path) overrides any of them. Where the source's own front
    matter says otherwise, or a document of the QMS (`existing`: lower-case title -> id) has the same title, the
    plan's notes say so."""
    numbers = dict(next_number)
    used = set(taken)
    owner_default = chosen_owner or ("quality-manager" if "quality-manager" in config.roles else
                                     next(iter(config.roles)))
    plans = []
    titles: dict[str, str] = {}
    for source in sources:
        fix = (mapping or {}).get(source.path, {})
        title = fix.get("title") or title_of(source, source.path)
        doc_type = fix.get("type") or type_of(source, title, config, chosen_type)
        given_owner = source.front.get("owner")
        owner = fix.get("owner") or chosen_owner or (given_owner if isinstance(given_owner, str) and
                                                    given_owner in config.roles else owner_default)
        clauses = tuple(fix["clauses"].split()) if fix.get("clauses") else clauses_of(source)
        kind = config.document_types.get(doc_type)
        doc_id = fix.get("id") or _front_id(source, kind, used) or ""
        if not doc_id and kind is not None:
            doc_id = f"{kind.prefix}-{numbers.get(kind.prefix, 1):0{kind.width}d}"
            numbers[kind.prefix] = numbers.get(kind.prefix, 1) + 1
        used.add(doc_id)
        notes = []
        if title.lower() in titles:
            notes.append(f"same title as {titles[title.lower()]}")
        if title.lower() in (existing or {}):
            notes.append(f"same title as {(existing or {})[title.lower()]}, already in the QMS")
        given_id = source.front.get("id")
        if given_id is not None and str(given_id) != doc_id:
            notes.append(f"its front matter's id {given_id} is not used (taken, or not of type {doc_type})")
        if given_owner is not None and str(given_owner) != owner:
            notes.append(f"its front matter's owner {given_owner} is not a role here: owner {owner} proposed")
        titles.setdefault(title.lower(), source.path)
        folder = kind.folder if kind is not None else "procedures"
        path = f"{folder}/{doc_id}-{slug(title)}.md"
        plans.append(Planned(source.path, doc_id, doc_type, title, owner, clauses, path, tuple(notes)))
    return plans


def _front_id(source: Source, kind: DocType | None, used: set[str]) -> str | None:
    """The id the front matter gives, if it fits the type and is free."""
    given = source.front.get("id")
    if kind is None or not isinstance(given, str) or given in used:
        return None
    return given if re.fullmatch(re.escape(kind.prefix) + r"-[0-9]+", given) else None


def check_plan(plans: list[Planned], config: Config) -> list[Finding]:
    """What is wrong with a plan (after the administrator's corrections): unknown types, owners or clauses,
    ids of the wrong form or used twice."""
    problems = []
    seen: dict[str, str] = {}
    for item in plans:
        kind = config.document_types.get(item.type)
        where = item.source
        if kind is None:
            problems.append(Finding(where, 1, "QMS174", f"unknown document type '{item.type}'",
                                    f"use one of: {', '.join(config.document_types)}"))
        elif not re.fullmatch(re.escape(kind.prefix) + r"-[0-9]+", item.id):
            problems.append(Finding(where, 1, "QMS174", f"id '{item.id}' does not fit type {item.type}",
                                    f"use {kind.prefix}-NNN, or leave the id empty to get the next free one"))
        if item.owner not in config.roles:
            problems.append(Finding(where, 1, "QMS174", f"unknown owner role '{item.owner}'",
                                    f"use one of: {', '.join(config.roles)}"))
        for clause in item.clauses:
            if not iso9001.is_clause(clause):
                problems.append(Finding(where, 1, "QMS174", f"'{clause}' is not an ISO 9001:2015 clause",
                                        "use a clause number such as 7.5.3"))
        if item.id in seen:
            problems.append(Finding(where, 1, "QMS174", f"id {item.id} is planned for {seen[item.id]} too",
                                    "give each document its own id"))
        seen.setdefault(item.id, where)
    return problems


def draft_text(item: Planned, source: Source, first_revision: str) -> str:
    """The imported draft: front matter from the plan, the source's own front matter kept as comments, then the
    body exactly as it was."""
    front = ["---", f"id: {item.id}", f"title: {json.dumps(item.title, ensure_ascii=False)}", f"type: {item.type}",
             f"owner: {item.owner}",
             f"revision: {first_revision if first_revision.isdigit() else json.dumps(first_revision)}",
             "status: draft", f"clauses: {json.dumps(list(item.clauses))}", "references: []"]
    taken = {"id": item.id, "title": item.title, "type": item.type, "owner": item.owner,
             "clauses": list(item.clauses)}
    others = {key: value for key, value in source.front.items()
              if key not in KEPT_KEYS or value != taken.get(key)}  # nothing the source said is dropped unseen
    if others:
        front.append(f"# imported from {source.path}, front matter not carried over:")
        front += [f"#   {key}: {json.dumps(value, ensure_ascii=False, default=str)}" for key, value in others.items()]
    return "\n".join(front + ["---", ""]) + source.body

