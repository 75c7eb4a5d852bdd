"""`qms approve ID`: sign the current content as the Git identity, in a role that may approve it."""

from __future__ import annotations

import argparse
import os
from datetime import date
from typing import Any

from ..errors import EXIT_CLEAN, QmsError
from ..gitlog import git
from ..model import clock
from ..model.config import Person
from ..model.document import Document, parse_bytes
from ..model.fingerprint import fingerprint
from ..model.state import required_roles
from ..model.workspace import Workspace
from ..model.writer import edited_front_matter
from .common import add_common, parse_date
from .writing import actor, add_commit_option, commit, document, editing, guard, now, write

EXAMPLE = """examples:
  qms approve SOP-001 --commit
  qms approve SOP-001 --effective 2026-12-01 --commit
  qms approve SOP-001 --meaning review
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("approve", help="approve (electronically sign) a document's current revision",
                                 epilog=EXAMPLE)
    parser.add_argument("id", metavar="ID", help="the document id, e.g. SOP-001")
    parser.add_argument("--meaning", choices=("approval", "review", "obsoletion"), default="approval",
                        help="what the signature means (default: approval)")
    parser.add_argument("--role", metavar="ROLE", help="the role you approve in (default: a required role you hold)")
    parser.add_argument("--effective", type=parse_date, metavar="YYYY-MM-DD",
                        help="set the effective date before signing (only while nobody has signed yet)")
    add_commit_option(parser)
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _approve(args, ws)


def _approve(args: argparse.Namespace, ws: Workspace) -> int:
    doc = document(ws, args.id)
    person = actor(ws)
    _check_state(doc, args.meaning)
    role = _choose_role(ws, doc, person, args.role)
    _check_committed(ws, doc)
    effective = _effective(doc, args.effective, args.meaning)
    signed = fingerprint(doc.id, doc.title, doc.type, doc.revision, effective, doc.body)
    valid_before = [a for a in doc.approvals if a.fingerprint == signed]
    if any(a.email.lower() == person.email.lower() and a.meaning == args.meaning for a in valid_before):
        raise QmsError(f"{person.name} has already given {args.meaning} for this content of {doc.id}")
    stale = [a for a in doc.approvals if a.fingerprint != signed]
    roles_done = {a.role for a in valid_before if a.meaning == "approval"} | (
        {role} if args.meaning == "approval" else set())
    complete = args.meaning == "approval" and all(r in roles_done for r in required_roles(doc, ws.config))
    at = now()

    def apply(data: Any) -> None:
        if effective != doc.effective:
            assert effective is not None
            if "effective" in data:
                data["effective"] = effective
            else:
                data.insert(list(data).index("status") + 1, "effective", effective)
        entries = [entry for entry in data.get("approvals") or [] if entry.get("fingerprint") == signed]
        entries.append({"name": person.name, "email": person.email, "role": role, "meaning": args.meaning,
                        "at": at, "fingerprint": signed})
        data["approvals"] = entries
        if complete:
            data["status"] = "approved"

    text = edited_front_matter(os.path.join(ws.root, doc.path), apply)
    must_sign = guard(ws, person, {doc.path: text}, args.commit)
    previous = write(ws, {doc.path: text})
    print(f"{doc.path}: {args.meaning} of {doc.id} revision {doc.revision} by {person.name} <{person.email}> as "
          f"{role} at {at}, fingerprint {signed}")
    if effective != doc.effective:
        print(f"{doc.path}: effective date set to {effective}")
    if stale:
        print(f"{doc.path}: removed {len(stale)} earlier signature(s) that no longer match the content")
    missing = [r for r in required_roles(doc, ws.config) if r not in roles_done]
    if complete:
        print(f"{doc.path}: status draft -> approved (effective {effective})")
    elif args.meaning == "approval":
        print(f"{doc.path}: still needs approval by: {', '.join(missing)}")
    if args.commit:
        commit(ws, previous, f"Approve {doc.id} revision {doc.revision} ({args.meaning})", {
            "Approved-by": f"{person.name} <{person.email}>", "Role": role, "Meaning": args.meaning,
            "Document": doc.id, "Revision": doc.revision, "Fingerprint": signed,
        }, sign=must_sign)
    return EXIT_CLEAN


def _check_state(doc: Document, meaning: str) -> None:
    if meaning == "obsoletion":
        if doc.status != "obsolete":
            raise QmsError(f"{doc.id} is {doc.status}; withdraw it with qms obsolete {doc.id} --reason ... first")
    elif doc.status != "draft":
        raise QmsError(f"{doc.id} revision {doc.revision} is {doc.status}; nothing to approve (to change it, run "
                       f"qms revise {doc.id} --change ...)")


def _choose_role(ws: Workspace, doc: Document, person: Person, wanted: str | None) -> str:
    held = [role.name for role in ws.config.roles.values() if role.has(person.email) and doc.type in role.approves]
    if wanted is not None:
        if wanted not in held:
            raise QmsError(f"{person.name} does not hold role '{wanted}' with authority to approve {doc.type} "
                           "documents (see qms.yml)")
        return wanted
    if not held:
        raise QmsError(f"{person.name} holds no role that may approve {doc.type} documents (see qms.yml roles)")
    required = required_roles(doc, ws.config)
    return next((role for role in required if role in held), held[0])


def _check_committed(ws: Workspace, doc: Document) -> None:
    head = git.head_or_empty(ws.root)
    committed = None if head == git.EMPTY_TREE else parse_bytes(
        git.read_blobs(ws.root, [f"HEAD:{doc.path}"]).get(f"HEAD:{doc.path}"), doc.path)
    if not isinstance(committed, Document) or committed.authored != doc.authored:
        raise QmsError(f"{doc.path} has content that is not committed; an approval is bound to committed "
                       "content: commit it (its author commits it), then approve")


def _effective(doc: Document, wanted: date | None, meaning: str) -> date | None:
    if wanted is None or wanted == doc.effective:
        if meaning == "approval" and doc.effective is None:
            raise QmsError(f"{doc.id} has no effective date: approve with --effective YYYY-MM-DD")
        return doc.effective
    if any(a.fingerprint == doc.fingerprint for a in doc.approvals):
        raise QmsError(f"{doc.id} is already signed for effective date {doc.effective}; changing it would void "
                       "those signatures")
    if wanted < clock.today():
        raise QmsError(f"--effective {wanted} is in the past: a document takes effect on or after the day it is "
                       "approved (use today or a later date)")
    return wanted
