"""`qms inbox`: what waits for one person: revisions to sign, periodic reviews due, training due, records due for
disposal."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta

from ..errors import EXIT_CLEAN, QmsError
from ..gitlog import git
from ..model.config import Person
from ..model.state import awaited
from ..model.training import DUE, OVERDUE
from ..model.workspace import Workspace
from .common import add_common, open_workspace
from .control import history_ledger
from .listing import rows as master_list
from .records import register_rows

EXAMPLE = """examples:
  qms inbox                                   what waits for your Git identity
  qms inbox --person quality@example.com --format json
"""
REVIEW_NOTICE_DAYS = 30  # a periodic review shows up this long before it is due
COLUMNS = ("task", "id", "revision", "due", "what")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("inbox", help="what waits for you: revisions to sign, reviews and training "
                                 "due, records to dispose of", epilog=EXAMPLE)
    parser.add_argument("--person", metavar="EMAIL", help="whose inbox (default: your Git identity, git config "
                        "user.email)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    person = _person(ws, args.person)
    tasks = inbox(ws, person)
    if args.format == "json":
        json.dump({"person": {"name": person.name, "email": person.email}, "tasks": tasks}, sys.stdout, indent=2,
                  ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    print(f"{person.name} <{person.email}>: {len(tasks)} task(s)")
    if tasks:
        cells = [[str(task[column] or "-") for column in COLUMNS] for task in tasks]
        widths = [max([len(column)] + [len(line[i]) for line in cells]) for i, column in enumerate(COLUMNS)]
        print("  ".join(column.upper().ljust(widths[i]) for i, column in enumerate(COLUMNS)).rstrip())
        for line in cells:
            print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    return EXIT_CLEAN


def _person(ws: Workspace, email: str | None) -> Person:
    if email is None:
        if not git.is_repository(ws.root):
            raise QmsError("outside a Git repository there is no identity to go by: name the person with --person "
                           "EMAIL")
        email = git.identity(ws.root)[1]
    person = ws.config.people.get(email.lower())
    if person is None:
        raise QmsError(f"{email} is not listed under any role in qms.yml (name someone who is, with --person EMAIL)")
    return person


def inbox(ws: Workspace, person: Person) -> list[dict[str, object]]:
    """The person's tasks: signatures first, then reviews and disposals, each in id order."""
    return [*_signatures(ws, person), *_reviews(ws, person), *_training(ws, person), *_disposals(ws, person)]


def _signatures(ws: Workspace, person: Person) -> list[dict[str, object]]:
    """Drafts still missing a role's signature that this person may give (separation of duties applied)."""
    ledger = history_ledger(ws.root)
    found: list[dict[str, object]] = []
    for doc in sorted(ws.documents, key=lambda d: d.id):
        if doc.status != "draft":
            continue
        needs = awaited(doc, ws.config, ws.assessment(doc).missing, ledger.revision_authors(doc.id, doc.revision))
        roles = [need.role for need in needs if any(p.email.lower() == person.email.lower() for p in need.may_sign)]
        if roles:
            found.append({"task": "sign", "id": doc.id, "revision": doc.revision,
                          "due": doc.effective.isoformat() if doc.effective else None,
                          "what": f"approve as {' or '.join(roles)}: {doc.title}", "path": doc.path})
    return found


def _reviews(ws: Workspace, person: Person) -> list[dict[str, object]]:
    """Periodic reviews of documents owned by a role the person holds, overdue or due within the notice period."""
    held = {role.name for role in ws.config.holders(person.email)}
    horizon = (ws.today + timedelta(days=REVIEW_NOTICE_DAYS)).isoformat()
    return [{"task": "review", "id": row["id"], "revision": row["in_force"], "due": row["next_review"],
             "what": f"periodic review{' (overdue)' if row['overdue'] else ''}: {row['title']}", "path": row["path"]}
            for row in master_list(ws) if row["owner"] in held and row["next_review"]
            and str(row["next_review"]) <= horizon]


def _training(ws: Workspace, person: Person) -> list[dict[str, object]]:
    """Training on revisions in force that the person is due or overdue for (model/training.py)."""
    return [{"task": "train", "id": cell.document.id, "revision": cell.document.revision, "due": cell.due.isoformat(),
             "what": f"training{' (overdue)' if cell.state == OVERDUE else ''}: {cell.document.title}",
             "path": cell.path}
            for cell in ws.training if cell.state in (DUE, OVERDUE) and cell.person.email.lower() == person.email.lower()]


def _disposals(ws: Workspace, person: Person) -> list[dict[str, object]]:
    """Records past retention that the person owns (by role) or may dispose of."""
    roles = ws.config.holders(person.email)
    held = {role.name for role in roles}
    disposes = {kind for role in roles for kind in role.disposes}
    return [{"task": "dispose", "id": row["id"], "revision": None, "due": row["retain_until"],
             "what": f"retention ended: {row['title']}", "path": row["path"]}
            for row in register_rows(ws, due_only=True) if row["owner"] in held or row["type"] in disposes]
