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
import shutil
import tempfile
from datetime import date, datetime, timezone
from typing import Any

from .. import __version__, rules
from ..errors import EXIT_CLEAN, EXIT_USAGE, QmsError
from ..gitlog import git
from ..gitlog.trail import (NOT_VALID, by_document, config_changes, document_revisions, problems_by_entry,
                            revision_rows)
from ..model import auditpack, iso9001
from ..model.finding import Finding
from ..model.redline import html_redline
from ..model.state import DRAFT, EFFECTIVE, INVALID, OBSOLETE, PENDING
from ..model.workspace import Workspace
from ..model.writer import atomic_write
from .common import add_common, open_workspace
from .confighistory import rows as config_rows
from .control import Judged, judge_history
from .history import adopted_commits
from .listing import rows as master_rows
from .records import register_rows

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
    ws = open_workspace(args)
    git.require_root(ws.root)
    out = os.path.abspath(os.path.join(args.directory, args.out))
    _check_target(out, ws.root)
    since = ws.config.verify_from
    if since and git.commit_id(ws.root, since) is None:
        raise QmsError(f"unknown commit '{since}' (verify_from in qms.yml)", EXIT_USAGE)
    judged = judge_history(ws.root, ws.config, since)
    pack, redlines = collect(ws, judged, adopted_commits(ws.root, ws.config, judged.history.transitions))
    files = {"index.html": auditpack.index_html(pack),
             "audit.json": json.dumps(pack, indent=2, ensure_ascii=False) + "\n",
             **auditpack.csv_tables(pack), **redlines}
    _write_pack(out, files)
    for name in files:
        print(f"wrote {os.path.join(args.out, name)}")
    counts = pack["summary"]["counts"]
    print(f"qms audit: {counts['documents']} documents, {counts['records']} records, {counts['revisions']} revisions, "
          f"{counts['findings_check'] + counts['findings_history']} findings, {counts['clause_gaps']} clause gaps; "
          f"open {os.path.join(args.out, 'index.html')}")
    return EXIT_CLEAN


def collect(ws: Workspace, judged: Judged, adopted: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The pack as plain data (the content of audit.json), and the redline pages by their path in the pack."""
    config, history = ws.config, judged.history
    findings = [_finding(f, "check") for f in rules.run(ws)]
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
                          "revisions": revision_rows(entries, config, adopted, problems)})
    master = master_rows(ws)
    overdue = [{"id": row["id"], "title": row["title"], "owner": row["owner"], "effective": row["effective"],
                "next_review": row["next_review"],
                "days_overdue": (ws.today - date.fromisoformat(str(row["next_review"]))).days}
               for row in master if row["overdue"]]
    records = register_rows(ws, False)
    matrix = clause_matrix(ws)
    head = history.head if history.head != git.EMPTY_TREE else None
    pack: dict[str, Any] = {
        "schema": auditpack.SCHEMA, "version": auditpack.VERSION,
        "summary": {
            "organisation": config.organisation, "as_of": ws.today.isoformat(),
            "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "head": head,
            "verify_from": config.verify_from, "qms_version": __version__,
            "counts": _counts(master, records, documents, findings, overdue, matrix, len(redlines)),
        },
        "findings": findings, "master_list": master, "documents": documents, "records": records,
        "overdue_reviews": overdue, "clause_matrix": matrix,
        "configuration": config_rows(config_changes(history.transitions, history.configs, judged.findings)),
    }
    return pack, redlines


def clause_matrix(ws: Workspace) -> list[dict[str, Any]]:
    """ISO 9001:2015 clauses 4.1-10.3 against the effective documents that address them."""
    effective = {doc.id: doc.clauses for doc in ws.documents if ws.assessment(doc).state == EFFECTIVE}
    return [{"clause": clause, "title": iso9001.CLAUSES[clause], "documents": covering, "gap": not covering}
            for clause, covering in iso9001.matrix(effective).items()]


def _counts(master: list[dict[str, object]], records: list[dict[str, object]], documents: list[dict[str, Any]],
            findings: list[dict[str, Any]], overdue: list[dict[str, Any]], matrix: list[dict[str, Any]],
            redlines: int) -> dict[str, int]:
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
    })
    return counts


def _finding(finding: Finding, source: str) -> dict[str, Any]:
    """A finding as pack data: where it came from, and the commit it names."""
    return {"source": source, **finding.as_dict()}


def _safe(text: str) -> str:
    """A file-name-safe form of an id or revision (they are already safe when qms check is clean)."""
    return _UNSAFE.sub("_", text)


def _check_target(out: str, root: str) -> None:
    """Refuse a DIR that is a file, is not empty, or lies inside controlled folders."""
    if os.path.lexists(out) and not os.path.isdir(out):
        raise QmsError(f"--out {out} exists and is not a folder (choose a new folder for the audit pack)")
    if os.path.isdir(out) and os.listdir(out):
        raise QmsError(f"--out {out} is not empty (choose a new folder; an audit pack is never written over "
                       "another one)")
    for controlled in ("procedures", "records"):
        folder = os.path.join(os.path.realpath(root), controlled)
        if os.path.commonpath([folder, os.path.realpath(out)]) == folder:
            raise QmsError(f"--out {out} is inside {controlled}/ (write the audit pack outside the controlled "
                           "folders)")


def _write_pack(out: str, files: dict[str, str]) -> None:
    """Write every file into a temporary folder next to `out`, then rename it to `out` in one step."""
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    temporary = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}-", suffix=".tmp", dir=parent)
    try:
        for name, text in files.items():
            path = os.path.join(temporary, *name.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            atomic_write(path, text)
        os.chmod(temporary, 0o755)
        try:
            os.rename(temporary, out)  # replaces an empty folder; fails if something appeared in it meanwhile
        except OSError as exc:
            raise QmsError(f"cannot create {out}: {exc.strerror} (choose a new, empty folder)") from None
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
