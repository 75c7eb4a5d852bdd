"""`qms history ID`: each revision of a document with its change, authors, approvers and commits."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import EXIT_CLEAN, QmsError
from ..gitlog import git, index
from ..gitlog.trail import Revision, document_revisions
from ..model.config import Config
from ..rules.history import GOOD_SIGNATURES
from .common import add_common, load

EXAMPLE = """examples:
  qms history SOP-001
  qms history SOP-001 --format json
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("history", help="the revision history of a document, from Git",
                                 epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("id", metavar="ID", help="the document id, e.g. SOP-001")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    add_common(parser)
    parser.set_defaults(handler=main)


def revision_rows(entries: list[Revision], config: Config, adopted: set[str]) -> list[dict[str, object]]:
    """Each revision as a plain dict (the JSON form, also used by the audit pack).

    Approvals added in `adopted` commits (up to verify_from) were carried over and are marked so.
    """
    rows: list[dict[str, object]] = []
    for entry in entries:
        last = entry.last
        approvers = []
        for signed in entry.signed:
            approval = signed.approval
            problems = []
            if approval.fingerprint != signed.version.fingerprint:
                problems.append("fingerprint does not match the content at its commit")
            if signed.commit.author_email.lower() != approval.email.lower():
                problems.append(f"added by {signed.commit.author_email}, not by the approver")
            elif config.separation_of_duties and approval.meaning == "approval" and \
                    approval.email.lower() in entry.authors_before(signed.commit):
                problems.append("approver wrote content of this revision")
            if config.signed_approvals and signed.commit.signature not in GOOD_SIGNATURES:
                problems.append("approval commit not signed")
            carried = signed.commit.sha in adopted
            approvers.append({"name": approval.name, "email": approval.email, "role": approval.role,
                              "meaning": approval.meaning, "at": approval.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "commit": signed.commit.sha, "verified": not problems and not carried,
                              "adopted": carried, "problems": [] if carried else problems,
                              "current": approval.fingerprint == last.fingerprint})
        rows.append({
            "revision": entry.revision, "status": last.status,
            "effective": last.effective.isoformat() if last.effective else None, "change": last.change,
            "title": last.title, "introduced": entry.introduced.sha,
            "introduced_at": entry.introduced.committed_at.isoformat(),
            "authors": [f"{name} <{email}>" for email, name in entry.authors.items()],
            "approvals": approvers, "commits": [change.commit.sha for change, _doc in entry.versions],
            "fingerprint": last.fingerprint,
        })
    return rows


def adopted_commits(root: str, config: Config) -> set[str]:
    """Commits up to and including verify_from: history carried over when the QMS was adopted."""
    return set(git.text(["rev-list", config.verify_from], root).split()) if config.verify_from else set()


def main(args: argparse.Namespace) -> int:
    root, config = load(args)
    history = index.build(root, signatures=config.signed_approvals)
    changes = history.document_changes().get(args.id)
    if not changes:
        raise QmsError(f"no history for {args.id} (is it committed? qms list shows the ids)")
    rows = revision_rows(document_revisions(history, changes), config, adopted_commits(root, config))
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
            verdict = "verified" if approval["verified"] else "adopted (before verify_from)" if approval["adopted"] \
                else "NOT VERIFIED: " + "; ".join(approval["problems"])
            print(f"  {approval['meaning']:<9}  {approval['name']} ({approval['role']}) {approval['at']} "
                  f"commit {approval['commit'][:12]}: {verdict}")
    return EXIT_CLEAN
