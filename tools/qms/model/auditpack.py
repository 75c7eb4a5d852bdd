"""The audit pack's pages and tables, from its plain data (the content of audit.json): pure functions.

`index_html` is one self-contained page (inline style, no scripts, nothing fetched from anywhere); every text
value is HTML-escaped. `csv_tables` gives the CSV files, one row per item.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable
from typing import Any

from .sheet import cell

SCHEMA = "qms-audit-pack"
VERSION = 1

MASTER_COLUMNS = ("id", "title", "type", "revision", "state", "owner", "effective", "next_review", "overdue", "path")
REVISION_COLUMNS = ("id", "revision", "status", "effective", "in_force_from", "in_force_until", "change", "title",
                    "introduced", "introduced_at", "authors", "fingerprint", "approval_name", "approval_email", "approval_role", "meaning", "at",
                    "verification", "problems", "approval_commit", "current")
RECORD_COLUMNS = ("id", "title", "type", "date", "owner", "procedure", "retain_until", "due", "path")
FINDING_COLUMNS = ("source", "severity", "code", "path", "line", "message", "hint", "commit")
CLAUSE_COLUMNS = ("clause", "title", "documents", "gap")
OVERDUE_COLUMNS = ("id", "title", "owner", "effective", "next_review", "days_overdue")
CONFIG_COLUMNS = ("commit", "date", "author", "why", "changed", "in_force", "problems")
TRAINING_COLUMNS = ("document", "title", "revision", "name", "email", "state", "since", "due", "trained_revision",
                    "record", "record_path", "method", "commit")

COUNT_LABELS = {
    "documents": "Documents", "effective": "Effective", "pending": "Approved, not yet effective", "draft": "Drafts",
    "obsolete": "Obsolete", "invalid": "Invalid (approval does not hold)", "records": "Records",
    "records_due": "Records past retention", "revisions": "Revisions in history", "approvals": "Approvals in history",
    "approvals_not_valid": "Approvals not valid", "findings_check": "Findings of the current check",
    "findings_history": "Findings of history verification", "errors": "Errors", "warnings": "Warnings",
    "overdue_reviews": "Overdue periodic reviews", "clause_gaps": "Clause gaps", "redlines": "Redlines",
    "pdfs": "Controlled PDFs",
    "training_trained": "Training: trained on the revision in force", "training_older":
    "Training: trained on an earlier revision (no retraining needed)", "training_due": "Training due",
    "training_overdue": "Training overdue",
}

STYLE = """body{font:14px/1.45 system-ui,sans-serif;max-width:80rem;margin:1.5rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #ccc}h3{font-size:1rem}
nav a{margin-right:1rem}table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
code{font:12px ui-monospace,monospace}.gap,.bad,.error{background:#fde2e2;color:#900;font-weight:600}
.warning,.adopted,.due{background:#fff4d6}.overdue{background:#fde2e2;color:#900}.ok{color:#060}.muted{color:#666}
@media print{nav{display:none}body{max-width:none;margin:0}h2{break-before:page}}"""


def verification(approval: dict[str, Any]) -> tuple[str, str]:
    """(verdict, why): what was proved about an approval (signed, recorded, adopted or not valid), and the
    problems where it is not valid."""
    return approval["verdict"], "; ".join(approval["problems"])


def revision_lines(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per approval of each revision, or one per revision without approvals (revisions.csv)."""
    lines = []
    for row in document["revisions"]:
        base = {"id": document["id"], **{key: row[key] for key in REVISION_COLUMNS[1:12]}}
        for approval in row["approvals"] or [None]:
            line = dict(base, **{key: None for key in REVISION_COLUMNS[12:]})
            if approval is not None:
                verdict, why = verification(approval)
                line.update(approval_name=approval["name"], approval_email=approval["email"],
                            approval_role=approval["role"], meaning=approval["meaning"], at=approval["at"],
                            verification=verdict, problems=why, approval_commit=approval["commit"],
                            current=approval["current"])
            lines.append(line)
    return lines


def csv_tables(pack: dict[str, Any]) -> dict[str, str]:
    """The CSV files of the pack by file name."""
    revisions = [line for document in pack["documents"] for line in revision_lines(document)]
    return {
        "master-list.csv": _csv(MASTER_COLUMNS, pack["master_list"]),
        "revisions.csv": _csv(REVISION_COLUMNS, revisions),
        "records.csv": _csv(RECORD_COLUMNS, pack["records"]),
        "findings.csv": _csv(FINDING_COLUMNS, pack["findings"]),
        "clause-matrix.csv": _csv(CLAUSE_COLUMNS, pack["clause_matrix"]),
        "overdue-reviews.csv": _csv(OVERDUE_COLUMNS, pack["overdue_reviews"]),
        "config-history.csv": _csv(CONFIG_COLUMNS, pack["configuration"]),
        "training-matrix.csv": _csv(TRAINING_COLUMNS, pack["training"]),
    }


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(_plain(row.get(column))) for column in columns] for row in rows)
    return buffer.getvalue()


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def e(value: Any) -> str:
    """Any value as escaped HTML text."""
    return html.escape(_plain(value), quote=True)


def _commit(sha: Any) -> str:
    return f"<code title=\"{e(sha)}\">{e(str(sha)[:12])}</code>" if sha else "-"


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], empty: str) -> str:
    """A table from already-escaped cells (no header row without headers); `empty` (plain text) without rows."""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    if not body:
        return f"<p class=\"muted\">{e(empty)}</p>\n"
    head = "".join(f"<th>{e(header)}</th>" for header in headers)
    return "<table>\n" + (f"<thead><tr>{head}</tr></thead>\n" if head else "") + f"<tbody>\n{body}</tbody></table>\n"


def _flag(value: Any, css: str) -> str:
    return f"<span class=\"{css}\">yes</span>" if value else ""


def _configuration(changes: list[dict[str, Any]]) -> str:
    rows = [[_commit(c["commit"]), e(str(c["date"])[:10]), e(c["author"]), e(c["why"] or "(no Config-Change trailer)"),
             e(", ".join(c["changed"]) or "(comments or layout only)"),
             "in force" if c["in_force"] else "<span class=\"bad\">not in force</span>", e("; ".join(c["problems"]))]
            for c in changes]
    return _table(("commit", "date", "author", "why", "settings changed", "", "problems"), rows,
                  "qms.yml has no history in Git.")


def index_html(pack: dict[str, Any]) -> str:
    """The pack's one page: summary, findings, master list, histories, records, reviews, clause matrix, redlines."""
    summary = pack["summary"]
    title = f"Audit pack: {summary['organisation']}, as of {summary['as_of']}"
    sections = [("summary", "Summary", _summary(summary)), ("findings", "Findings", _findings(pack["findings"])),
                ("master-list", "Master list", _master(pack["master_list"])),
                ("history", "Document history and approvals", _histories(pack["documents"])),
                ("records", "Records register", _records(pack["records"])),
                ("overdue-reviews", "Overdue periodic reviews", _overdue(pack["overdue_reviews"])),
                ("clause-matrix", "ISO 9001:2015 clause matrix", _matrix(pack["clause_matrix"])),
                ("training", "Training matrix", _training(pack["training"])),
                ("configuration", "Configuration history (qms.yml)", _configuration(pack["configuration"])),
                ("redlines", "Redlines", _redlines(pack["documents"])),
                ("pdfs", "Controlled PDFs", _pdfs(pack["pdfs"]))]
    nav = "".join(f"<a href=\"#{anchor}\">{e(heading)}</a>" for anchor, heading, _ in sections)
    body = "".join(f"<section id=\"{anchor}\">\n<h2>{e(heading)}</h2>\n{content}</section>\n"
                   for anchor, heading, content in sections)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{e(title)}</title>\n"
            f"<style>{STYLE}</style></head>\n<body>\n<h1>{e(title)}</h1>\n<nav>{nav}</nav>\n{body}"
            f"<p class=\"muted\">Generated by qms {e(summary['qms_version'])} at {e(summary['generated_at'])}. "
            "The same facts are in audit.json and the CSV files next to this page.</p>\n</body></html>\n")


def _summary(summary: dict[str, Any]) -> str:
    facts = [("Organisation", e(summary["organisation"])), ("As of", e(summary["as_of"])),
             ("HEAD commit", f"<code>{e(summary['head'] or 'no commits')}</code>"),
             ("History verified from", f"<code>{e(summary['verify_from'])}</code>" if summary["verify_from"]
              else "the first commit (verify_from not set)"),
             ("Generated at (UTC)", e(summary["generated_at"]))]
    facts += [(COUNT_LABELS.get(name, name), e(count)) for name, count in summary["counts"].items()]
    return _table((), ([f"<strong>{e(name)}</strong>", value] for name, value in facts), "")


def _findings(findings: list[dict[str, Any]]) -> str:
    return ("<p>Current check (<code>qms check</code>) and verification of the history (<code>qms verify</code>, "
            "from verify_from).</p>\n" +
            _table(("Source", "Severity", "Code", "Where", "Message", "What to do", "Commit"),
                   ([e(f["source"]), f"<span class=\"{e(f['severity'])}\">{e(f['severity'])}</span>", e(f["code"]),
                     f"<code>{e(f['path'])}:{e(f['line'])}</code>", e(f["message"]), e(f["hint"]),
                     _commit(f["commit"])] for f in findings), "No findings."))


def _master(rows: list[dict[str, Any]]) -> str:
    return _table(("ID", "Title", "Type", "Revision", "State", "Owner", "Effective", "Next review", "Overdue"),
                  ([e(r["id"]), e(r["title"]), e(r["type"]), e(r["revision"]),
                    f"<span class=\"{'bad' if r['state'] == 'invalid' else ''}\">{e(r['state'])}</span>",
                    e(r["owner"]), e(r["effective"]), e(r["next_review"]), _flag(r["overdue"], "bad")]
                   for r in rows), "No documents.")


def _histories(documents: list[dict[str, Any]]) -> str:
    parts = []
    for document in documents:
        link = (f" · <a href=\"{e(document['redline'])}\">redline of the latest revision</a>"
                if document["redline"] else "")
        rows = []
        for line in revision_lines(document):
            verdict, why = ("", "") if line["verification"] is None else (line["verification"], line["problems"])
            css = {"signed": "ok", "recorded": "ok", "adopted": "adopted", "not valid": "bad"}.get(verdict, "muted")
            who = (f"{e(line['approval_name'])} ({e(line['approval_role'])})" if line["approval_name"]
                   else "<span class=\"muted\">no approvals</span>")
            rows.append([e(line["revision"]), e(line["status"]), e(line["effective"]), e(line["change"]),
                         e(line["authors"]), who, e(line["meaning"]), e(line["at"]),
                         f"<span class=\"{css}\">{e(verdict)}</span>" + (f" {e(why)}" if why else ""),
                         _commit(line["approval_commit"] or line["introduced"])])
        parts.append(f"<h3 id=\"history-{e(document['id'])}\">{e(document['id'])} {e(document['title'])}{link}</h3>\n"
                     + _table(("Revision", "Status", "Effective", "Change", "Authors", "Approved by", "Meaning",
                               "At (UTC)", "Verification", "Commit"), rows, "No revisions."))
    return "".join(parts) or "<p class=\"muted\">No document history.</p>\n"


def _records(rows: list[dict[str, Any]]) -> str:
    return _table(("ID", "Title", "Type", "Date", "Owner", "Procedure", "Retain until", "Retention ended"),
                  ([e(r["id"]), e(r["title"]), e(r["type"]), e(r["date"]), e(r["owner"]), e(r["procedure"]),
                    e(r["retain_until"]), _flag(r["due"], "warning")] for r in rows), "No records.")


def _overdue(rows: list[dict[str, Any]]) -> str:
    return _table(("ID", "Title", "Owner", "Effective", "Review due", "Days overdue"),
                  ([e(r["id"]), e(r["title"]), e(r["owner"]), e(r["effective"]), e(r["next_review"]),
                    f"<span class=\"bad\">{e(r['days_overdue'])}</span>"] for r in rows),
                  "No periodic review is overdue.")


def _matrix(rows: list[dict[str, Any]]) -> str:
    gaps = sum(bool(r["gap"]) for r in rows)
    return (f"<p>Effective documents addressing each clause; {gaps} gap(s) highlighted.</p>\n" +
            _table(("Clause", "Title", "Documents"),
                   ([e(r["clause"]), e(r["title"]), e(", ".join(r["documents"])) if r["documents"]
                     else "<span class=\"gap\">Gap</span>"] for r in rows), "No clauses."))


def _pdfs(pdfs: list[dict[str, Any]]) -> str:
    rows = [[f"<a href=\"{e(p['path'])}\">{e(p['id'] or 'The whole manual')}</a>", e(p["revision"] or ""),
             f"<code>{e(p['fingerprint'] or '')}</code>", _commit(p["source_commit"]),
             f"signed with the key of certificate SHA-256 <code>{e(p['sealed_by'])}</code>" if p["sealed_by"]
             else "<span class=\"muted\">not sealed</span>"] for p in pdfs]
    return _table(("PDF", "revision", "fingerprint", "source commit", "seal"), rows, "No document is in force.")


def _training(cells: list[dict[str, Any]]) -> str:
    """People (columns) against the documents in force (rows); each cell its state and its evidence: the record
    and the commit that added it, or the date training is due."""
    people = sorted({(c["email"], c["name"]) for c in cells})
    documents = sorted({(c["document"], c["revision"], c["title"]) for c in cells})
    by_cell = {(c["document"], c["email"]): c for c in cells}

    def cell(found: dict[str, Any] | None) -> str:
        if found is None:
            return "<span class=\"muted\">not concerned</span>"
        state = found["state"]
        text = f"<span class=\"{e(state)}\">{e(state)}</span>"
        if found["record"]:
            text += f"<br>{e(found['record'])} (revision {e(found['trained_revision'])}) {_commit(found['commit'])}"
        if state in ("due", "overdue"):
            text += f"<br>due {e(found['due'])}"
        return text

    rows = ([f"{e(doc_id)} revision {e(revision)}<br><span class=\"muted\">{e(title)}</span>",
             *(cell(by_cell.get((doc_id, email))) for email, _name in people)] for doc_id, revision, title in documents)
    return ("<p>Each person concerned (qms.yml <code>training</code>) against each document in force: trained on the "
            "revision in force, on an earlier one (no retraining needed since), or due or overdue; with the training "
            "record and the commit that added it.</p>\n" +
            _table(("Document", *(f"{name} <{email}>" for email, name in people)), rows,
                   "No training is required (qms.yml has no training section, or no document in force concerns "
                   "anyone)."))


def _redlines(documents: list[dict[str, Any]]) -> str:
    items = "".join(f"<li><a href=\"{e(d['redline'])}\">{e(d['id'])}: revision {e(d['revisions'][-2]['revision'])} "
                    f"to {e(d['revisions'][-1]['revision'])}</a></li>\n" for d in documents if d["redline"])
    return f"<ul>\n{items}</ul>\n" if items else "<p class=\"muted\">No document has an earlier revision.</p>\n"
