"""`qms obsolete ID --reason "..."`: withdraw an approved document, signed with meaning obsoletion."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..errors import EXIT_CLEAN, QmsError
from ..model import clock
from ..model.workspace import Workspace
from ..model.writer import edited_front_matter
from .common import add_common, parse_date
from .writing import actor, add_commit_option, commit, document, editing, guard, now, write

EXAMPLE = """example:
  qms obsolete SOP-012 --reason "Replaced by SOP-008." --superseded-by SOP-008 --commit
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("obsolete", help="withdraw a document from use (kept forever, never published)",
                                 epilog=EXAMPLE)
    parser.add_argument("id", metavar="ID", help="the document id, e.g. SOP-012")
    parser.add_argument("--reason", required=True, metavar="TEXT", help="why it is withdrawn")
    parser.add_argument("--superseded-by", metavar="ID", help="the document that replaces it")
    parser.add_argument("--date", type=parse_date, metavar="YYYY-MM-DD",
                        help="obsolete from this day (default: today); until then it stays in force")
    add_commit_option(parser)
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _obsolete(args, ws)


def _obsolete(args: argparse.Namespace, ws: Workspace) -> int:
    doc = document(ws, args.id)
    person = actor(ws)
    reason = " ".join(args.reason.split())
    if not reason:
        raise QmsError("--reason is empty (say why the document is withdrawn)")
    if doc.status != "approved":
        raise QmsError(f"{doc.id} is {doc.status}: only an approved document is made obsolete"
                       + (f" (a draft that was never approved is withdrawn with qms withdraw {doc.id} --reason ...)"
                          if doc.status == "draft" else ""))
    role = next((r.name for r in ws.config.may_approve(person.email, doc.type)), None)
    if role is None:
        raise QmsError(f"{person.name} holds no role that may approve {doc.type} documents, so cannot withdraw "
                       f"{doc.id} (see qms.yml roles)")
    successor = args.superseded_by
    if successor is not None:
        target = ws.by_id.get(successor)
        if target is None or target.status == "obsolete" or target.id == doc.id:
            raise QmsError(f"--superseded-by {successor} is not a current document")
    when = args.date or clock.today()
    if when < clock.today():
        raise QmsError(f"--date {when} is in the past: a document is withdrawn from today or a later date")
    at = now()

    def apply(data: Any) -> None:
        data["status"] = "obsolete"
        position = list(data).index("change" if "change" in data else "effective") + 1
        for key, value in (("obsoleted", when), ("reason", reason), ("superseded_by", successor)):
            if value is None:
                continue
            if key in data:
                data[key] = value
            else:
                data.insert(position, key, value)
            position += 1
        data.setdefault("approvals", [])
        data["approvals"].append({"name": person.name, "email": person.email, "role": role,
                                  "meaning": "obsoletion", "at": at, "fingerprint": doc.fingerprint})

    text = edited_front_matter(os.path.join(ws.root, doc.path), apply)
    must_sign = guard(ws, person, {doc.path: text}, args.commit)
    previous = write(ws, {doc.path: text})
    print(f"{doc.path}: {doc.id} status approved -> obsolete from {when}, reason: {reason}"
          + (f", superseded by {successor}" if successor else "")
          + f"; obsoletion signed by {person.name} as {role} at {at}")
    if args.commit:
        commit(ws, previous, f"Obsolete {doc.id}", {
            "Approved-by": f"{person.name} <{person.email}>", "Role": role, "Meaning": "obsoletion",
            "Document": doc.id, "Revision": doc.revision, "Fingerprint": doc.fingerprint,
        }, sign=must_sign)
    return EXIT_CLEAN
