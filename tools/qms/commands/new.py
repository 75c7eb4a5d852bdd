"""`qms new TYPE TITLE`: a new draft document with the next free id and its type's skeleton sections."""

from __future__ import annotations

import argparse
import json
import os
import re
import unicodedata
from collections.abc import Sequence

from ..model.source import heading_text
from ..errors import EXIT_CLEAN, EXIT_USAGE, QmsError
from ..model import revision
from ..model.config import Config, DocType
from ..model.workspace import Workspace
from ..model.writer import reads_as_text
from .common import add_common
from .control import history_ledger
from .writing import author, editing, guard, write

EXAMPLE = """example:
  qms new procedure "Calibration of torque tools" --owner quality-manager
"""
_PLAIN = re.compile(r"[A-Za-z0-9(][A-Za-z0-9 ,.()/&'+-]*\Z")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("new", help="create a new draft document with the next free id",
                                 epilog=EXAMPLE)
    parser.add_argument("type", metavar="TYPE", help="a document type from qms.yml (procedure, form, ...)")
    parser.add_argument("title", metavar="TITLE", help="the document title")
    parser.add_argument("--owner", metavar="ROLE", help="the owning role (default: quality-manager, if it exists)")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _new(args, ws)


def _new(args: argparse.Namespace, ws: Workspace) -> int:
    config = ws.config
    doc_type = config.document_types.get(args.type)
    if doc_type is None:
        raise QmsError(f"unknown document type '{args.type}' (use one of: {', '.join(config.document_types)})")
    title = " ".join(args.title.split())
    if not title:
        raise QmsError("the title is empty (give the document a title)")
    owner = args.owner or ("quality-manager" if "quality-manager" in config.roles else next(iter(config.roles)))
    if owner not in config.roles:
        raise QmsError(f"unknown role '{owner}' (use one of: {', '.join(config.roles)})", EXIT_USAGE)
    doc_id = next_id(ws, doc_type)
    rel = f"{doc_type.folder}/{doc_id}-{slug(title)}.md"
    if os.path.lexists(os.path.join(ws.root, rel)):
        raise QmsError(f"{rel} already exists (choose another title)")
    text = skeleton(config, doc_type, doc_id, title, owner)
    guard(ws, author(ws), {rel: text})
    write(ws, {rel: text})
    print(f"created {rel}: {doc_id} \"{title}\", revision {revision.first(config.revision_scheme)}, draft, "
          f"owner {owner}")
    return EXIT_CLEAN


def taken(ws: Workspace) -> list[str]:
    """The ids and file names of the work tree and every id Git history has seen: what a new id never repeats."""
    names = [doc.id for doc in ws.documents] + [os.path.basename(path) for path in ws.unreadable | ws.files]
    return names + sorted(history_ledger(ws.root).ids_used())


def next_id(ws: Workspace, doc_type: DocType, names: Sequence[str] | None = None) -> str:
    """One more than the highest number ever given to this type's prefix, in the work tree or in Git history
    (`names`: what `taken` says, where the caller has it already)."""
    numbers = [0]
    names = taken(ws) if names is None else names
    numbered = re.compile(re.escape(doc_type.prefix) + r"-([0-9]+)(?:\b|_|\.)")
    numbers += [int(match.group(1)) for name in names if (match := numbered.match(name))]
    return f"{doc_type.prefix}-{max(numbers) + 1:0{doc_type.width}d}"


def slug(title: str) -> str:
    """A file-name-safe, lower-case form of `title`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-") or "document"


def skeleton(config: Config, doc_type: DocType, doc_id: str, title: str, owner: str) -> str:
    """The text of a new draft: front matter, title, one heading per section of the type."""
    quoted = title if _PLAIN.match(title) and reads_as_text(title) else json.dumps(title, ensure_ascii=False)
    first = revision.first(config.revision_scheme)
    front = [
        "---",
        f"id: {doc_id}",
        f"title: {quoted}",
        f"type: {doc_type.name}",
        f"owner: {owner}",
        f"revision: {first if first.isdigit() else json.dumps(first)}",
        "status: draft",
        "clauses: []",
        "references: []",
        "---",
        f"# {heading_text(title)}",
        "",
    ]
    for section in doc_type.sections:
        front += [f"## {section}", "", "To be written.", ""]
    return "\n".join(front)
