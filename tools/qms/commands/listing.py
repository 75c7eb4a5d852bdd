"""`qms list`: the master list of documents with their derived state."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from ..errors import EXIT_CLEAN
from ..model import sheet
from ..model.inforce import describe
from ..model.workspace import Workspace
from .common import add_common, open_workspace

EXAMPLE = """examples:
  qms list
  qms list --format csv > master-list.csv
"""
COLUMNS = ("id", "title", "type", "revision", "state", "in_force", "owner", "effective", "next_review", "overdue")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name in ("list", "status"):
        parser = commands.add_parser(name, help="the master list of documents and their state",
                                     epilog=EXAMPLE)
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                            help="output format (default: table)")
        add_common(parser, main)


def rows(ws: Workspace) -> list[dict[str, object]]:
    """One row per document, in id order: the file's revision and state, and the revision in force (which is an
    earlier one while the file is a draft of the next revision or approved for a later date)."""
    result = []
    for doc in sorted(ws.documents, key=lambda d: d.id):
        item = ws.standing(doc)
        release = item.in_force
        due = ws.next_review(release.doc, release.config) if release else None
        row: dict[str, object] = {
            "id": doc.id, "title": doc.title, "type": doc.type, "revision": doc.revision, "state": item.state,
            "in_force": release.doc.revision if release else None, "owner": doc.owner,
            "effective": doc.effective.isoformat() if doc.effective else None,
            "next_review": due.isoformat() if due else None, "overdue": bool(due and due < ws.today),
            "path": doc.path, "in_force_commit": release.commit if release else None,
            "standing": describe(item),
        }
        result.append(row)
    return result


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    table = rows(ws)
    if args.format == "json":
        json.dump(table, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=[*COLUMNS, "path", "in_force_commit", "standing"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(sheet.rows(table))
    else:
        cells = [[_cell(row[column]) for column in COLUMNS] for row in table]
        widths = [max([len(column)] + [len(line[i]) for line in cells]) for i, column in enumerate(COLUMNS)]
        widths[1] = min(widths[1], 48)
        print("  ".join(column.upper().ljust(widths[i]) for i, column in enumerate(COLUMNS)).rstrip())
        for line in cells:
            print("  ".join(cell[:widths[i]].ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    return EXIT_CLEAN


def _cell(value: object) -> str:
    if value is None or value is False:
        return "-" if value is None else ""
    return "yes" if value is True else str(value)
