"""`qms revise ID --change "..."`: start the next revision of an approved document, as a draft."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..errors import EXIT_CLEAN, QmsError
from ..model import revision
from ..model.workspace import Workspace
from ..model.writer import edited_front_matter
from .common import add_common
from .writing import add_commit_option, author, commit, document, editing, guard, write

EXAMPLE = """examples:
  qms revise SOP-001 --change "Added the rules for electronic signatures."
  qms revise SOP-001 --change "Corrected a typing error." --training not-required
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("revise", help="start the next revision of an approved document (as a draft)",
                                 epilog=EXAMPLE)
    parser.add_argument("id", metavar="ID", help="the document id, e.g. SOP-001")
    parser.add_argument("--change", required=True, metavar="TEXT", help="what the new revision changes")
    parser.add_argument("--training", choices=("required", "not-required"), default="required",
                        help="whether the people concerned must be trained on the new revision (default: required; "
                        "a typo fix needs none)")
    add_commit_option(parser)
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _revise(args, ws)


def _revise(args: argparse.Namespace, ws: Workspace) -> int:
    doc = document(ws, args.id)
    change = " ".join(args.change.split())
    if not change:
        raise QmsError("--change is empty (say what the new revision changes)")
    if doc.status != "approved":
        raise QmsError(f"{doc.id} is {doc.status}: only an approved document gets a new revision"
                       + (f" (revision {doc.revision} is still a draft: edit it)" if doc.status == "draft" else ""))
    following = revision.following(ws.config.revision_scheme, doc.revision)

    def apply(data: Any) -> None:
        data["revision"] = int(following) if following.isdigit() else following
        data["status"] = "draft"
        if "change" in data:
            data["change"] = change
        else:
            data.insert(list(data).index("status") + 1, "change", change)
        if "training" in data:
            data["training"] = args.training
        else:
            data.insert(list(data).index("change") + 1, "training", args.training)
        for key in ("effective", "approvals", "periodic_reviews"):
            if key in data:
                del data[key]

    text = edited_front_matter(os.path.join(ws.root, doc.path), apply)
    guard(ws, author(ws), {doc.path: text})
    previous = write(ws, {doc.path: text})
    removed = [f"effective {doc.effective.isoformat()}"] if doc.effective else []
    removed += [f"{len(doc.approvals)} approval(s)"] if doc.approvals else []
    removed += [f"{len(doc.periodic_reviews)} periodic review(s)"] if doc.periodic_reviews else []
    print(f"{doc.path}: {doc.id} revision {doc.revision} -> {following}, status approved -> draft, "
          f"change: {change}, training {args.training}" + (f"; removed {', '.join(removed)}" if removed else ""))
    if args.commit:
        commit(ws, previous, f"Revise {doc.id} to revision {following}",
               {"Document": doc.id, "Revision": following, "Change": change, "Training": args.training})
    return EXIT_CLEAN
