"""`qms history ID`: each revision of a document with its change, authors, approvers and commits."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from ..errors import EXIT_CLEAN, EXIT_USAGE, QmsError
from ..gitlog import git
from ..gitlog.trail import VERDICTS, Adopted, by_document, document_revisions, problems_by_entry, revision_rows
from ..model.config import Config
from ..model.inforce import describe
from ..model.transition import Transition, adoption
from ..rules.change import acts
from .common import add_common, load, open_workspace
from . import established
from .control import judge_history

EXAMPLE = """examples:
  qms history SOP-001
  qms history SOP-001 --format json
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("history", help="the revision history of a document, from Git",
                                 epilog=EXAMPLE)
    parser.add_argument("id", metavar="ID", help="the document id, e.g. SOP-001")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    add_common(parser, main)


def adopted_approvals(root: str, config: Config, transitions: Iterable[Transition] = ()) -> Adopted:
    """The approvals history holds as adopted: those of the commits up to and including verify_from (history
    carried over when the QMS was adopted), and those the adoptions among `transitions` (qms adopt) added to the
    documents they adopted."""
    start = established.judged_after(root, config)
    carried = git.commits_after(root, None, start) if start else set()
    return Adopted(frozenset(carried), {act.sha: ids for act, group in acts(transitions) if (ids := adoption(group))})


def main(args: argparse.Namespace) -> int:
    root, config = load(args)
    ws = open_workspace(args)
    if config.verify_from and git.commit_id(root, config.verify_from) is None:
        raise QmsError(f"unknown commit '{config.verify_from}' (verify_from in qms.yml)", EXIT_USAGE)
    judged = judge_history(root, ws.config, established.judged_after(root, config), ws.commit)
    transitions = by_document(judged.history.transitions).get(args.id)
    if not transitions:
        raise QmsError(f"no history for {args.id} (is it committed? qms list shows the ids)")
    current = ws.by_id.get(args.id)
    rows = revision_rows(document_revisions(transitions), config,
                         adopted_approvals(root, config, judged.history.transitions),
                         problems_by_entry(judged.findings), judged.ledger.revision_authors,
                         ws.periods(current) if current else ())
    if args.format == "json":
        said = describe(ws.standing(current)) if current else "not in the QMS (deleted)"
        json.dump({"id": args.id, "as_of": ws.today.isoformat(), "standing": said, "revisions": rows}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    print(f"{args.id} {rows[-1]['title']}")
    for row in rows:
        print(f"\nrevision {row['revision']} ({row['status']}), effective {row['effective'] or '-'}, introduced in "
              f"{str(row['introduced'])[:12]}")
        print(f"  in force:  {_span(row)}")
        if row["change"]:
            print(f"  change:    {row['change']}")
        written = ", ".join(row["authors"]) or "written before the QMS lived in Git"  # type: ignore[arg-type]
        print(f"  authors:   {written}")
        for approval in row["approvals"]:  # type: ignore[attr-defined]
            verdict = VERDICTS[approval["verdict"]] + (": " + "; ".join(approval["problems"])
                                                       if approval["problems"] else "")
            print(f"  {approval['meaning']:<9}  {approval['name']} ({approval['role']}) {approval['at']} "
                  f"commit {approval['commit'][:12]}: {verdict}")
    if current is not None:
        standing = ws.standing(current)
        print(f"\non {ws.today}: {describe(standing)}"
              + (f"; reason: {current.reason}" if standing.withdrawn and current.reason else ""))
    return EXIT_CLEAN


def _span(row: dict[str, object]) -> str:
    start, end = row["in_force_from"], row["in_force_until"]
    if start is None:
        return "never"
    return f"from {start}" + (f" until {end}" if end else "")
