"""`qms pr --base REF`: a branch in QMS terms, as Markdown for a pull request or a merge request."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import EXIT_CLEAN
from ..gitlog import git
from ..gitlog.trail import by_document
from ..model.document import Document, Record, parse_bytes
from ..model.ledger import Ledger
from ..model.redline import field_changes, unified
from ..model.state import awaited
from ..model.summary import BranchSummary, DocumentChange, DocumentChangeKind, Given, RecordChange, markdown
from ..model.transition import Kind, Transition
from ..model.workspace import Workspace
from ..model.writer import atomic_write
from . import control
from .check import combined
from .common import add_common, open_workspace
from .records import log_rows, register_rows

EXAMPLE = """examples:
  qms pr --base origin/main                      print the summary
  qms pr --base origin/main --out qms-summary.md for a GitLab merge-request note
  (on GitHub Actions it is also added to the job summary, $GITHUB_STEP_SUMMARY)
"""
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("pr", help="a branch in QMS terms (Markdown): what changes, which approvals are "
                                 "present and missing, and who may give them", epilog=EXAMPLE)
    parser.add_argument("--base", required=True, metavar="REF", help="the branch the work merges into, e.g. "
                        "origin/main")
    parser.add_argument("--out", metavar="FILE", help="write the summary to FILE (default: print it)")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    text = markdown(summarise(ws, args.base))
    if args.out:
        atomic_write(os.path.abspath(args.out), text)
    else:
        sys.stdout.write(text)
    step_summary = os.environ.get(STEP_SUMMARY)
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(text)
    return EXIT_CLEAN


def summarise(ws: Workspace, base: str) -> BranchSummary:
    """What the commits of HEAD since its merge-base with `base` do to documents and records, judged by the rules
    CI runs (`qms check --base`), with each document's state after the merge."""
    judged = control.judge_branch(ws.root, ws.config, base)
    branch = [t for t in judged.history.transitions if t.act.sha in judged.commits]
    documents = [_document(ws, judged.since, judged.ledger, found) for found in by_document(branch).values()]
    return BranchSummary(base, ws.config.organisation, len(judged.commits),
                         tuple(sorted(documents, key=lambda c: c.doc_id)), tuple(_records(ws, branch)),
                         tuple(combined(ws, judged.findings)))


def _document(ws: Workspace, since: str | None, ledger: Ledger, transitions: list[Transition]) -> DocumentChange:
    first = transitions[0]
    before = first.before if isinstance(first.before, Document) else None
    doc_id = first.key
    after = ws.by_id.get(doc_id)
    if after is None:
        gone: DocumentChangeKind = "withdrawn" if before is not None and before.status == "draft" and \
            doc_id not in ledger.ever_approved else "deleted"
        title = before.title if before else doc_id
        return DocumentChange(doc_id, title, gone, before.revision if before else None, None,
                              before.change if before else None, None)
    assessment = ws.assessment(after)
    counted = {id(problem.approval) for problem in assessment.problems}
    given = tuple(Given(a.role, a.name, a.email, a.meaning, a.at.strftime("%Y-%m-%d %H:%M UTC"))
                  for a in after.approvals if id(a) not in counted)
    needs = tuple(awaited(after, ws.config, assessment.missing, ledger.revision_authors(after.id, after.revision)))
    old = _full(ws.root, since, first.before_path) if before is not None else None
    return DocumentChange(
        doc_id, after.title, _kind(before, after), before.revision if before else None, after.revision, after.change,
        assessment.state, given, needs, tuple(field_changes(old, after)) if old else (),
        tuple(unified(old, after)) if old else ())


def _kind(before: Document | None, after: Document) -> DocumentChangeKind:
    if before is None:
        return "added"
    if after.status == "obsolete" and before.status != "obsolete":
        return "obsoleted"
    if after.revision != before.revision:
        return "revised"
    if after.status == "approved" and before.status == "draft":
        return "approved"
    return "signed" if after.authored == before.authored and len(after.approvals) > len(before.approvals) else "edited"


def _full(root: str, commit: str | None, path: str | None) -> Document | None:
    """The whole document (with its body) at `commit`, which history keeps only as a summary."""
    if commit is None or path is None:
        return None
    spec = f"{commit}:{path}"
    item = parse_bytes(git.read_blobs(root, [spec]).get(spec), path)
    return item if isinstance(item, Document) else None


def _records(ws: Workspace, branch: list[Transition]) -> list[RecordChange]:
    """Records the branch adds, and those it disposes of, with their retention (as the records register says)."""
    register = {row["id"]: row for row in register_rows(ws, due_only=False)}
    log = log_rows(ws.root)
    first: dict[str, Transition] = {}
    for transition in branch:
        if transition.kind is Kind.RECORD:
            first.setdefault(transition.key, transition)
    found = []
    for record_id, transition in sorted(first.items()):
        before = transition.before if isinstance(transition.before, Record) else None
        if before is None and record_id in register:
            row = register[record_id]
            found.append(RecordChange(record_id, str(row["title"]), str(row["type"]), "added",
                                      str(row["retain_until"] or "") or None))
        elif before is not None and record_id not in register:
            line = log.get(record_id)
            note = f"by {line[7]} on {line[6][:10]}: {line[9]}" if line else "not in the disposition log"
            found.append(RecordChange(record_id, before.title, before.type, "disposed of",
                                      line[5] if line else None, note))
    return found
