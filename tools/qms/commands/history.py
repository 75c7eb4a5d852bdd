"""`qms history ID`: each revision of a document with its change, authors, approvers and commits."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from ..errors import EXIT_CLEAN, QmsError
from ..gitlog import git
from ..gitlog.trail import VERDICTS, by_document, document_revisions, problems_by_entry, revision_rows
from ..model.config import Config
from ..model.transition import Transition, adoption
from ..rules.change import acts
from .common import add_common, load
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


def adopted_commits(root: str, config: Config, transitions: Iterable[Transition] = ()) -> set[str]:
    """Commits up to and including verify_from (history carried over when the QMS was adopted), and the commits
    among `transitions` that adopted approvals made before the QMS lived in Git (qms adopt)."""
    found = git.commits_after(root, None, config.verify_from) if config.verify_from else set()
    return found | {act.sha for act, group in acts(transitions) if adoption(group)}


def main(args: argparse.Namespace) -> int:
    root, config = load(args)
    judged = judge_history(root, config, config.verify_from)
    transitions = by_document(judged.history.transitions).get(args.id)
    if not transitions:
        raise QmsError(f"no history for {args.id} (is it committed? qms list shows the ids)")
    rows = revision_rows(document_revisions(transitions), config,
                         adopted_commits(root, config, judged.history.transitions),
                         problems_by_entry(judged.findings))
    if args.format == "json":
        json.dump({"id": args.id, "revisions": rows}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    print(f"{args.id} {rows[-1]['title']}")
    for row in rows:
        print(f"\nrevision {row['revision']} ({row['status']}), effective {row['effective'] or '-'}, introduced in "
              f"{str(row['introduced'])[:12]}")
        if row["change"]:
            print(f"  change:    {row['change']}")
        print(f"  authors:   {', '.join(row['authors'])}")  # type: ignore[arg-type]
        for approval in row["approvals"]:  # type: ignore[attr-defined]
            verdict = VERDICTS[approval["verdict"]] + (": " + "; ".join(approval["problems"])
                                                       if approval["problems"] else "")
            print(f"  {approval['meaning']:<9}  {approval['name']} ({approval['role']}) {approval['at']} "
                  f"commit {approval['commit'][:12]}: {verdict}")
    return EXIT_CLEAN
