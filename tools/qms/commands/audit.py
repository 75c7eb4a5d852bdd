"""`qms audit --out DIR`: an audit pack an auditor can take away and read offline.

The pack is one self-contained HTML page, the same facts as JSON (schemas/audit-pack.schema.json) and as CSV,
and an HTML redline of each document's latest revision against the one before. It is built in a temporary
folder next to DIR and renamed into place, so a failure never leaves half a pack behind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from datetime import date, timezone
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import EXIT_CLEAN, EXIT_USAGE, QmsError
from ..gitlog import git
from ..gitlog.trail import (NOT_VALID, Adopted, by_document, config_changes, document_revisions, problems_by_entry,
                            revision_rows)
from ..model import auditpack, clock, iso9001
from ..model.training import row as training_row
from ..model.finding import Finding
from ..model.redline import html_redline
from ..model.state import DRAFT, EFFECTIVE, INVALID, OBSOLETE, PENDING
from ..model.workspace import Workspace
from ..model.writer import check_new_folder, write_folder
from .common import add_common, load, require_history, today
from .confighistory import rows as config_rows
from .control import Judged
from .history import adopted_approvals
from .listing import rows as master_rows
from .records import register_rows

if TYPE_CHECKING:
    from ..mkdocs.edition import Edition
    from ..pdf.build import Rendition

EXAMPLE = """examples:
  qms audit --out audit-2026-11
  qms audit --out /media/usb/audit --as-of 2026-11-30

The folder must not exist yet (or be empty). Open index.html in any browser; nothing is loaded from the network.
"""
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("audit", help="write an offline audit pack: HTML, JSON, CSV and redlines",
                                 epilog=EXAMPLE)
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="the folder to create; must not exist or be empty (relative to -C DIR)")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    from ..mkdocs import edition  # the manual's packages, imported only when a pack is made

    root, today_config = load(args)
    require_history(root)
    out = os.path.abspath(os.path.join(args.directory, args.out))
    check_new_folder(out, root, "the audit pack")
    since = today_config.verify_from
    if since and git.commit_id(root, since) is None:
        raise QmsError(f"unknown commit '{since}' (verify_from in qms.yml)", EXIT_USAGE)
    # One edition, as the manual publishes it on the day: the QMS as it stood then (as committed, for a past day),
    # its history as judged, the rules' findings, and the documents in force, whose PDFs the pack carries.
    made = edition.make(root, edition.Options(today(args)))
    assert made.judged is not None  # a Git repository, with verify_from in it
    adopted = adopted_approvals(root, today_config, made.judged.history.transitions)
    pack, redlines = collect(made.ws, made.judged, adopted, made.findings)
    pdfs = controlled_pdfs(made)
    pack["pdfs"] = [{"id": None if pdf.fingerprint is None else pdf.name, "revision": revision,
                     "fingerprint": pdf.fingerprint, "source_commit": pdf.source_commit, "sealed_by": pdf.sealed_by,
                     "path": path} for path, (pdf, revision) in pdfs.items()]
    pack["summary"]["counts"]["pdfs"] = len(pdfs)
    files: dict[str, str | bytes] = {"index.html": auditpack.index_html(pack),
                                     "audit.json": json.dumps(pack, indent=2, ensure_ascii=False) + "\n",
                                     **auditpack.csv_tables(pack), **redlines}
    files.update({path: pdf.data for path, (pdf, _revision) in pdfs.items()})
    write_folder(out, files)
    for name in files:
        print(f"wrote {os.path.join(args.out, name)}")
    counts = pack["summary"]["counts"]
    print(f"qms audit: {counts['documents']} documents, {counts['records']} records, {counts['revisions']} revisions, "
          f"{counts['findings_check'] + counts['findings_history']} findings, {counts['clause_gaps']} clause gaps; "
          f"open {os.path.join(args.out, 'index.html')}")
    return EXIT_CLEAN


def controlled_pdfs(made: Edition) -> dict[str, tuple[Rendition, str | None]]:
    """The controlled PDF of each document in force in the edition, and of the whole manual, by path in the pack,
    with the revision each shows."""
    from ..pdf import build

    printing = build.Printing(made)
    revisions = {item.doc.id: item.doc.revision for item in made.published.values()}
    return {f"pdf/{_safe(pdf.name)}.pdf": (pdf, revisions.get(pdf.name))
            for pdf in [*printing.documents(), printing.manual()]}


def collect(ws: Workspace, judged: Judged, adopted: Adopted, checked: list[Finding]
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """The pack as plain data (the content of audit.json), and the redline pages by their path in the pack;
    `checked` is what the rules find in `ws`."""
    config, history = ws.config, judged.history
    findings = [_finding(f, "check") for f in checked]
    findings += [_finding(f, "history") for f in sorted(set(judged.findings))]
    problems = problems_by_entry(judged.findings)
    documents: list[dict[str, Any]] = []
    redlines: dict[str, str] = {}
    for doc_id, transitions in sorted(by_document(history.transitions).items()):
        entries = document_revisions(transitions)
        if not entries:
            continue
        redline = None
        if len(entries) > 1:
            old, new = (history.full(entry.versions[-1][0]) for entry in entries[-2:])
            redline = f"redlines/{_safe(doc_id)}-r{_safe(old.revision)}-r{_safe(new.revision)}.html"
            redlines[redline] = html_redline(old, new, config.organisation)
        documents.append({"id": doc_id, "title": entries[-1].last.title, "redline": redline,
                          "revisions": revision_rows(entries, config, adopted, problems,
                                                     judged.ledger.revision_authors,
                                                     ws.periods(ws.by_id[doc_id]) if doc_id in ws.by_id else ())})
    master = master_rows(ws)
    overdue = [{"id": row["id"], "title": row["title"], "owner": row["owner"], "effective": row["effective"],
                "next_review": row["next_review"],
                "days_overdue": (ws.today - date.fromisoformat(str(row["next_review"]))).days}
               for row in master if row["overdue"]]
    records = register_rows(ws, False)
    matrix = clause_matrix(ws)
    training = [training_row(cell) for cell in ws.training]
    head = ws.commit or (history.head if history.head != git.EMPTY_TREE else None)
    pack: dict[str, Any] = {
        "schema": auditpack.SCHEMA, "version": auditpack.VERSION,
        "summary": {
            "organisation": config.organisation, "as_of": ws.today.isoformat(),
            "generated_at": clock.now().astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "head": head,
            "verify_from": config.verify_from, "qms_version": __version__,
            "counts": _counts(master, records, documents, findings, overdue, matrix, len(redlines), training),
        },
        "findings": findings, "master_list": master, "documents": documents, "records": records,
        "overdue_reviews": overdue, "clause_matrix": matrix,
        "configuration": config_rows(config_changes(history.transitions, history.configs, judged.findings)),
        "training": training,
    }
    return pack, redlines


def clause_matrix(ws: Workspace) -> list[dict[str, Any]]:
    """ISO 9001:2015 clauses 4.1-10.3 against the documents in force that address them."""
    effective = {item.current.id: item.in_force.doc.clauses for item in ws.in_force() if item.in_force is not None}
    return [{"clause": clause, "title": iso9001.CLAUSES[clause], "documents": covering, "gap": not covering}
            for clause, covering in iso9001.matrix(effective).items()]


def _counts(master: list[dict[str, object]], records: list[dict[str, object]], documents: list[dict[str, Any]],
            findings: list[dict[str, Any]], overdue: list[dict[str, Any]], matrix: list[dict[str, Any]],
            redlines: int, training: list[dict[str, Any]]) -> dict[str, int]:
    revisions = [row for doc in documents for row in doc["revisions"]]
    approvals = [a for row in revisions for a in row["approvals"]]
    counts = {"documents": len(master)}
    counts.update({state: sum(row["state"] == state for row in master)
                   for state in (EFFECTIVE, PENDING, DRAFT, OBSOLETE, INVALID)})
    counts.update({
        "records": len(records), "records_due": sum(bool(row["due"]) for row in records),
        "revisions": len(revisions), "approvals": len(approvals),
        "approvals_not_valid": sum(a["verdict"] == NOT_VALID for a in approvals),
        "findings_check": sum(f["source"] == "check" for f in findings),
        "findings_history": sum(f["source"] == "history" for f in findings),
        "errors": sum(f["severity"] == "error" for f in findings),
        "warnings": sum(f["severity"] == "warning" for f in findings),
        "overdue_reviews": len(overdue), "clause_gaps": sum(bool(row["gap"]) for row in matrix),
        "redlines": redlines,
        **{f"training_{state}": sum(cell["state"] == state for cell in training)
           for state in ("trained", "older", "due", "overdue")},
    })
    return counts


def _finding(finding: Finding, source: str) -> dict[str, Any]:
    """A finding as pack data: where it came from, and the commit it names."""
    return {"source": source, **finding.as_dict()}


def _safe(text: str) -> str:
    """A file-name-safe form of an id or revision (they are already safe when qms check is clean)."""
    return _UNSAFE.sub("_", text)


