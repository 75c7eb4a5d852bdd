"""`qms diff ID REV_A REV_B`: what changed between two revisions, as a unified diff or an HTML redline."""

from __future__ import annotations

import argparse
import sys

from ..errors import EXIT_CLEAN, QmsError
from ..gitlog import index
from ..gitlog.trail import by_document, document_revisions
from ..model.redline import field_changes, html_redline, unified
from ..model.writer import atomic_write
from .common import add_common, load, require_history

EXAMPLE = """examples:
  qms diff SOP-001 2 3
  qms diff SOP-001 2 3 --html --out SOP-001-r2-r3.html
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("diff", help="what changed between two revisions of a document",
                                 epilog=EXAMPLE)
    parser.add_argument("id", metavar="ID", help="the document id")
    parser.add_argument("old", metavar="REV_A", help="the earlier revision")
    parser.add_argument("new", metavar="REV_B", help="the later revision")
    parser.add_argument("--html", action="store_true", help="a standalone HTML redline instead of a unified diff")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    root, config = load(args)
    require_history(root)
    history = index.build(root)
    transitions = by_document(history.transitions).get(args.id)
    if not transitions:
        raise QmsError(f"no history for {args.id} (is it committed? qms list shows the ids)")
    revisions = {entry.revision: entry for entry in document_revisions(transitions)}
    for wanted in (args.old, args.new):
        if wanted not in revisions:
            raise QmsError(f"{args.id} has no revision {wanted} in history (it has: {', '.join(revisions)})")
    old, new = (history.full(revisions[wanted].versions[-1][0]) for wanted in (args.old, args.new))
    if args.html:
        text = html_redline(old, new, config.organisation)
    else:
        header = [f"{name}: {before} -> {after}\n" for name, before, after in field_changes(old, new)]
        text = "".join(header) + ("\n" if header else "") + "".join(unified(old, new))
    if args.out:
        atomic_write(args.out, text)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return EXIT_CLEAN
