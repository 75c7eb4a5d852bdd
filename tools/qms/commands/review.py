"""`qms review ID`: record a periodic review that found the document still fit (the fingerprint is unchanged)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..errors import EXIT_CLEAN, QmsError
from ..model.state import EFFECTIVE, next_review
from ..model.workspace import Workspace
from ..model.writer import edited_front_matter
from .common import add_common
from .writing import actor, add_commit_option, commit, document, editing, guard, now, write

EXAMPLE = """examples:
  qms review POL-001 --commit
  qms review SOP-003 --outcome revision-needed --note "Audit scope must include the new plant."
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("review", help="record a periodic review of an effective document",
                                 epilog=EXAMPLE)
    parser.add_argument("id", metavar="ID", help="the document id, e.g. POL-001")
    parser.add_argument("--outcome", choices=("no-change", "revision-needed"), default="no-change",
                        help="the review's conclusion (default: no-change)")
    parser.add_argument("--note", metavar="TEXT", help="a remark to keep with the review")
    add_commit_option(parser)
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _review(args, ws)


def _review(args: argparse.Namespace, ws: Workspace) -> int:
    doc = document(ws, args.id)
    person = actor(ws)
    if ws.assessment(doc).state != EFFECTIVE:
        raise QmsError(f"{doc.id} is {ws.assessment(doc).state}; only an effective document is reviewed")
    if not ws.config.may_review(person.email, doc.type, doc.owner):
        raise QmsError(f"{person.name} is neither in the owner role '{doc.owner}' nor in a role that approves "
                       f"{doc.type} documents")
    at = now()
    entry = {"name": person.name, "email": person.email, "at": at, "outcome": args.outcome}
    if args.note:
        entry["note"] = " ".join(args.note.split())

    def apply(data: Any) -> None:
        data.setdefault("periodic_reviews", [])
        data["periodic_reviews"].append(entry)

    text = edited_front_matter(os.path.join(ws.root, doc.path), apply)
    must_sign = guard(ws, person, {doc.path: text}, args.commit)
    previous = write(ws, {doc.path: text})
    print(f"{doc.path}: periodic review of {doc.id} revision {doc.revision} by {person.name} at {at}: {args.outcome}"
          + (f" (was due {next_review(doc, ws.config)})" if next_review(doc, ws.config) else ""))
    if args.outcome == "revision-needed":
        print(f"next: qms revise {doc.id} --change \"...\"")
    if args.commit:
        commit(ws, previous, f"Periodic review of {doc.id}: {args.outcome}",
               {"Reviewed-by": f"{person.name} <{person.email}>", "Document": doc.id, "Revision": doc.revision},
               sign=must_sign)
    return EXIT_CLEAN
