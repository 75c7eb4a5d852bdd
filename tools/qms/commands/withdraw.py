"""`qms withdraw ID --reason "..."`: withdraw a draft that was never approved. A first draft is removed: it leaves
the master list, and its id is never given again. A draft of a later revision is abandoned: the document goes
back exactly to its last release, the revision in force. A document once approved is never removed (it is made
obsolete)."""

from __future__ import annotations

import argparse

from ..errors import EXIT_CLEAN, QmsError
from ..gitlog import git
from ..model.document import Document
from ..model.ledger import Ledger
from ..model.workspace import Workspace
from .common import add_common
from .control import history_ledger
from .writing import add_commit_option, author, commit, document, editing, guard, write

EXAMPLE = """example:
  qms withdraw SOP-013 --reason "Covered by SOP-009 after all." --commit
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("withdraw", help="withdraw a draft never approved: a first draft is removed (its id "
                                 "is not reused); a draft of a later revision goes back to the revision in force",
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
    ledger = history_ledger(ws.root)
    if doc.id in ledger.ever_approved:
        return _abandon(args, ws, doc, reason, ledger)
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


def _abandon(args: argparse.Namespace, ws: Workspace, doc: Document, reason: str, ledger: Ledger) -> int:
    """Put a document whose next revision is a draft back exactly as its last release."""
    releases = ledger.releases.get(doc.id, [])
    last = releases[-1] if releases else None
    if last is None or last.blob is None or last.doc.path != doc.path or last.doc.status != "approved" \
            or ledger.approved.get((doc.id, doc.revision)):
        raise QmsError(f"{doc.id} revision {doc.revision} cannot be withdrawn: only a draft of a revision never "
                       f"approved goes back to the revision before it, and only where it has not moved (finish the "
                       f"revision and approve it, or make {doc.id} obsolete)")
    text = git.read_blobs(ws.root, [last.blob]).get(last.blob)
    if text is None:
        raise QmsError(f"cannot read {doc.path} at commit {(last.commit or '')[:12]} (is the clone complete?)")
    person = author(ws)
    restored = text.decode("utf-8")
    must_sign = guard(ws, person, {doc.path: restored}, args.commit)
    previous = write(ws, {doc.path: restored})
    print(f"{doc.path}: abandoned draft revision {doc.revision} of {doc.id}; back to revision {last.doc.revision} "
          f"as released in {(last.commit or '')[:12]}: {reason}")
    if args.commit:
        commit(ws, previous, f"Withdraw draft revision {doc.revision} of {doc.id}", {
            "Withdrawn-by": f"{person.name} <{person.email}>", "Document": doc.id, "Revision": doc.revision,
            "Reason": reason,
        }, sign=must_sign)
    return EXIT_CLEAN
