"""`qms withdraw ID --reason "..."`: remove a draft that was never approved. It leaves the master list, and its id
is never given again; a document once approved is never removed (it is made obsolete)."""

from __future__ import annotations

import argparse

from ..errors import EXIT_CLEAN, QmsError
from ..model.workspace import Workspace
from .common import add_common
from .control import history_ledger
from .writing import add_commit_option, author, commit, document, editing, guard, write

EXAMPLE = """example:
  qms withdraw SOP-013 --reason "Covered by SOP-009 after all." --commit
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("withdraw", help="remove a draft that was never approved (its id is not reused)",
                                 epilog=EXAMPLE)
    parser.add_argument("id", metavar="ID", help="the document id, e.g. SOP-013")
    parser.add_argument("--reason", required=True, metavar="TEXT", help="why the draft is withdrawn")
    add_commit_option(parser)
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _withdraw(args, ws)


def _withdraw(args: argparse.Namespace, ws: Workspace) -> int:
    doc = document(ws, args.id, problems_allowed=True)
    reason = " ".join(args.reason.split())
    if not reason:
        raise QmsError("--reason is empty (say why the draft is withdrawn)")
    if doc.status != "draft":
        raise QmsError(f"{doc.id} is {doc.status}: only a draft that was never approved is withdrawn (an approved "
                       f"document is withdrawn from use with qms obsolete {doc.id} --reason ...)")
    if doc.id in history_ledger(ws.root).ever_approved:
        raise QmsError(f"{doc.id} revision {doc.revision} is a draft of a document that was approved before, and a "
                       f"document once approved is never removed (finish this revision and approve it, or make "
                       f"{doc.id} obsolete once it is approved)")
    person = author(ws)
    must_sign = guard(ws, person, {doc.path: None}, args.commit)
    previous = write(ws, {doc.path: None})
    print(f"{doc.path}: removed draft {doc.id} revision {doc.revision} ({doc.title}): {reason}; the id {doc.id} "
          "is not given again")
    if args.commit:
        commit(ws, previous, f"Withdraw draft {doc.id}", {
            "Withdrawn-by": f"{person.name} <{person.email}>", "Document": doc.id, "Revision": doc.revision,
            "Reason": reason,
        }, sign=must_sign)
    return EXIT_CLEAN
