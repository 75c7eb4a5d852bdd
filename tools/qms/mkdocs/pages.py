"""Generated Markdown of the manual: home page, control block, master list, clause matrix, histories, records.

Every value that comes from front matter or Git is HTML-escaped: nothing in a document's metadata can
inject markup into the manual.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..gitlog.trail import Revision
from ..model import clock, iso9001
from ..model.config import Config
from ..model.document import Approval
from ..model.inforce import Period
from ..model.source import markdown_text
from ..model.transition import entry_key
from ..model.state import retain_until
from ..model.training import OLDER, TRAINED, Cell
from ..model.workspace import Workspace
from .publish import Left, Published, in_force_revisions

MASTER_LIST, CLAUSE_MATRIX, RECORDS = "master-list.md", "clause-matrix.md", "records-register.md"
PDF_FOLDER = "pdf"


def e(value: object) -> str:
    """Escape front-matter or Git text for Markdown and HTML: no markup, no link, no table-column break."""
    return markdown_text(str(value))


def table(kind: str, lines: list[str]) -> list[str]:
    """A generated Markdown table inside a block the stylesheet knows (md_in_html): it fits the content width on
    screen and on paper, and its ids, dates and hashes do not wrap."""
    return [f"<div class=\"qms-table qms-{kind}\" markdown>", "", *lines, "", "</div>", ""]


def nav(config: Config, published: dict[str, Published], records: bool) -> list[Any]:
    """The manual's navigation: generated pages, then documents grouped by type, in id order."""
    entries: list[Any] = [{"Home": "index.md"}, {"Master document list": MASTER_LIST},
                          {"ISO 9001 clause matrix": CLAUSE_MATRIX}] + ([{"Records register": RECORDS}] if records
                                                                         else [])
    for doc_type in config.document_types.values():
        group = sorted(((src, p) for src, p in published.items() if p.doc.type == doc_type.name),
                       key=lambda pair: pair[1].doc.id)
        if group:
            entries.append({e(doc_type.label): [{e(f"{p.doc.id} {p.doc.title}"): src} for src, p in group]})
    return entries


def manifest(ws: Workspace, published: dict[str, Published], built_from: str, directory_urls: bool) -> dict[str, Any]:
    """site/qms-manifest.json: what was published, so that anyone can check the site against the repository."""
    return {
        "organisation": ws.config.organisation,
        "built_from": built_from,
        "build_date": ws.today.isoformat(),
        "documents": [
            {"id": p.doc.id, "title": p.doc.title, "type": p.doc.type, "revision": p.doc.revision,
             "effective": p.doc.effective.isoformat() if p.doc.effective else None,
             "fingerprint": p.doc.fingerprint, "source_commit": p.source_commit,
             "page": page_url("index.md", src, directory_urls)}
            for src, p in sorted(published.items(), key=lambda pair: pair[1].doc.id)
        ],
    }


def history_uri(doc_id: str) -> str:
    """Where a document's revision-history page lives in the site's sources."""
    return f"history/{doc_id}.md"


def pdf_uri(doc_id: str) -> str:
    """Where a document's controlled PDF lives in the site."""
    return f"{PDF_FOLDER}/{doc_id}.pdf"


def link(from_uri: str, to_uri: str) -> str:
    """A relative Markdown link target from one source file to another."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def _utc(moment: object) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if hasattr(moment, "strftime") else str(moment)


def control_block(item: Published, config: Config, uri: str, day: date, directory_urls: bool = True,
                  proofs: dict[str, str] | None = None, history: bool = True, due: date | None = None,
                  pdf: bool = False, trained: tuple[int, int] | None = None) -> str:
    """The block at the top of every published document (the Part 11 signature manifestation), with what history
    proved about each signature (`proofs`, by entry key; nothing is claimed where history was not read), and a
    link to the controlled PDF where the site has one (`pdf`)."""
    doc = item.doc
    role = config.roles.get(doc.owner)

    def proof(approval: Approval) -> str:
        if proofs is None:
            return ""
        said = proofs.get(entry_key(approval), "not yet committed")
        return f" <small class=\"qms-proof\">({e(said)})</small>"

    approvals = "".join(
        f"<li>{e(a.name)}, {e(config.roles[a.role].title if a.role in config.roles else a.role)}, {e(a.meaning)}, "
        f"{e(_utc(a.at))}{proof(a)}</li>" for a in doc.approvals if a.fingerprint == doc.fingerprint)
    rows = [
        ("Document", f"{e(doc.id)} {e(doc.title)}"),
        ("Revision", e(doc.revision) + (f" <small>({e(doc.change)})</small>" if doc.change else "")),
        ("Effective", e(doc.effective.isoformat() if doc.effective else "-")),
        ("Owner", e(role.title if role else doc.owner)),
        ("Approvals", f"<ul class=\"qms-approvals\">{approvals}</ul>"),
        ("Next review", e(due.isoformat() if due else "-") + (" <strong>(overdue)</strong>" if due and due < day
                                                              else "")),
    ]
    if trained is not None:
        rows.append(("Training", f"{trained[0]} of {trained[1]} people concerned trained for this revision"))
    if history:
        rows.append(("History", f"<a href=\"{e(page_url(uri, history_uri(doc.id), directory_urls))}\">Revision "
                                f"history of {e(doc.id)}</a>"))
    if pdf:
        rows.append(("PDF", f"<a href=\"{e(file_url(uri, pdf_uri(doc.id), directory_urls))}\">Controlled PDF of "
                            f"{e(doc.id)} revision {e(doc.revision)}</a>"))
    table = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    return (f"<div class=\"qms-control\" data-qms-id=\"{e(doc.id)}\" data-qms-revision=\"{e(doc.revision)}\" "
            f"data-search-exclude><table class=\"qms-control__table\">{table}</table></div>\n"
            f"<div class=\"qms-print-banner\" data-search-exclude>Uncontrolled copy when printed · {e(doc.id)} revision "
            f"{e(doc.revision)} · printed <span class=\"qms-print-date\"></span></div>\n\n")


def trained_counts(cells: Sequence[Cell]) -> dict[str, tuple[int, int]]:
    """By document id: how many of the people concerned are trained for the revision in force (on it, or on an
    earlier one where no revision since needed retraining), of how many."""
    counts: dict[str, tuple[int, int]] = {}
    for cell in cells:
        done, total = counts.get(cell.document.id, (0, 0))
        counts[cell.document.id] = (done + (cell.state in (TRAINED, OLDER)), total + 1)
    return counts


def page_url(from_uri: str, to_uri: str, directory_urls: bool = True) -> str:
    """The URL of `to_uri`'s page relative to the page of `from_uri` (source paths ending in .md)."""
    def where(uri: str) -> str:
        stem = uri[:-3]
        if not directory_urls:
            return stem + ".html"
        return "" if stem == "index" else (stem[:-6] if stem.endswith("/index") else stem) + "/"
    base = posixpath.dirname(where(from_uri).rstrip("/")) if not directory_urls else where(from_uri).rstrip("/")
    target = where(to_uri)
    relative = posixpath.relpath(target.rstrip("/") or ".", base or ".")
    return relative + ("/" if directory_urls and target.endswith("/") else "")


def file_url(from_uri: str, to_path: str, directory_urls: bool = True) -> str:
    """The URL of a file of the site (not a page) relative to the page of `from_uri`."""
    stem = from_uri[:-3]
    page = ("" if stem == "index" else (stem[:-6] if stem.endswith("/index") else stem) + "/") if directory_urls \
        else stem
    return posixpath.relpath(to_path, posixpath.dirname(page.rstrip("/")) if not directory_urls else
                             page.rstrip("/") or ".")


def provenance(commit: str | None, built: str, day: date, generated: bool = False) -> str:
    """The line at the end of every page: when the manual was built, from which commit, as in force on which day,
    and where this document comes from."""
    source = "" if generated else f"; this document from commit {e(commit[:12])}" if commit else \
        "; this document from the working tree"
    return (f"\n\n<div class=\"qms-provenance\">Built on {clock.today().isoformat()} from commit {e(built)}, as in "
            f"force on {day.isoformat()}{source}</div>\n")


def home(ws: Workspace, published: list[Published], src: dict[str, str]) -> str:
    """The home page: what the manual is and the effective documents by type."""
    lines = [
        f"# {e(ws.config.organisation)}: Quality Management System",
        "",
        "This is the controlled edition of the quality manual, policies, procedures, work instructions and forms "
        f"in force on **{ws.today.isoformat()}**. Only approved documents that are effective on that date are "
        "published here; drafts and withdrawn documents are not.",
        "",
        "Printed copies are uncontrolled: check the revision here before you work from paper. "
        f"The [master document list]({MASTER_LIST}) lists every document with its revision and effective date; "
        f"the [clause matrix]({CLAUSE_MATRIX}) shows which documents address each clause of ISO 9001:2015.",
        "",
    ]
    for doc_type in ws.config.document_types.values():
        items = sorted((p for p in published if p.doc.type == doc_type.name), key=lambda p: p.doc.id)
        if items:
            lines += [f"## {e(doc_type.label)}", ""] + table("home", [
                "| Id | Title | Revision | Effective |", "| --- | --- | --- | --- |",
                *(f"| {e(p.doc.id)} | [{e(p.doc.title)}]({src[p.doc.id]}) | {e(p.doc.revision)} | "
                  f"{p.doc.effective.isoformat() if p.doc.effective else ''} |" for p in items)])
    return "\n".join(lines)


def master_list(ws: Workspace, published: list[Published], left: list[Left], src: dict[str, str]) -> str:
    """Every published document, and every obsolete one named as obsolete with its successor (no link to it)."""
    rows = ["| Id | Title | Type | Revision | Effective | Owner | Next review |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for item in sorted(published, key=lambda p: p.doc.id):
        doc, due = item.doc, ws.next_review(item.doc)
        owner = ws.config.roles[doc.owner].title if doc.owner in ws.config.roles else doc.owner
        rows.append(f"| {e(doc.id)} | [{e(doc.title)}]({src[doc.id]}) | {e(doc.type)} | {e(doc.revision)} | "
                    f"{doc.effective.isoformat() if doc.effective else ''} | {e(owner)} | "
                    f"{due.isoformat() if due else ''} |")
    lines = ["# Master document list", "", f"Documents in force on {ws.today.isoformat()}.", "", *table("master-list", rows)]
    obsolete = sorted((x for x in left if x.standing.withdrawn is not None), key=lambda x: x.doc.id)
    if obsolete:
        rows = ["| Id | Title | Obsolete since | Reason | Superseded by |", "| --- | --- | --- | --- | --- |"]
        for x in obsolete:
            successor = x.doc.superseded_by or ""
            target = f"[{e(successor)}]({src[successor]})" if successor in src else e(successor)
            rows.append(f"| {e(x.doc.id)} | {e(x.doc.title)} | "
                        f"{x.doc.obsoleted.isoformat() if x.doc.obsoleted else ''} | {e(x.doc.reason or '')} | "
                        f"{target} |")
        lines += ["## Obsolete documents", "", "Withdrawn from use; kept in the repository, never published.", "",
                  *table("obsolete-list", rows)]
    return "\n".join(lines) + "\n"


def clause_matrix(published: list[Published], src: dict[str, str]) -> str:
    """ISO 9001:2015 clauses 4.1-10.3 against the documents in force that address them; gaps highlighted."""
    matrix = iso9001.matrix({p.doc.id: p.doc.clauses for p in published})
    gaps = sum(1 for covering in matrix.values() if not covering)
    rows = ["| Clause | Title | Documents |", "| --- | --- | --- |"]
    for clause, covering in matrix.items():
        cell = ", ".join(f"[{e(i)}]({src[i]})" for i in covering) or "<span class=\"qms-gap\">Gap</span>"
        rows.append(f"| {clause} | {e(iso9001.CLAUSES[clause])} | {cell} |")
    lines = ["# ISO 9001:2015 clause matrix", "", "Which documents in force address each clause. A highlighted row "
             "(<span class=\"qms-gap\">Gap</span>) is a clause no published document addresses.", "",
             f"{gaps} gap(s).", "", *table("clauses", rows)]
    return "\n".join(lines) + "\n"


def history_page(item: Published, config: Config, day: date, src_link: str) -> str:
    """The revision history of one document: each revision that came into force, with approvers and commits."""
    doc = item.doc
    lines = [f"# Revision history of {e(doc.id)}", "", f"[{e(doc.id)} {e(doc.title)}]({src_link}), "
             f"revision {e(doc.revision)} in force.", "", *history_table(item, config, day)]
    return "\n".join(lines) + "\n"


def history_table(item: Published, config: Config, day: date) -> list[str]:
    """The versions of one document that came into force by `day` (model.inforce.periods), newest first, with
    their approvers and commits (the history page, the PDF)."""
    rows = ["| Revision | Effective | Change | Approved by | Commit |", "| --- | --- | --- | --- | --- |"]
    rows += [_history_row(period, revision, config) for period, revision in reversed(in_force_revisions(item, day))]
    return table("history", rows)


def _history_row(period: Period, revision: Revision | None, config: Config) -> str:
    release, start, _end = period
    doc = release.doc
    signed = revision.signed if revision is not None else []
    approvers = "<br>".join(
        f"{e(s.approval.name)} ({e(config.roles[s.approval.role].title if s.approval.role in config.roles else s.approval.role)},"
        f" {e(s.approval.meaning)}, {e(_utc(s.approval.at))})"
        for s in signed if s.approval.fingerprint == doc.fingerprint)
    commit = release.commit or (revision.introduced.sha if revision is not None else "")
    return (f"| {e(doc.revision)} | {start.isoformat()} | {e(doc.change or 'First issue')} | {approvers} | "
            f"<code>{e(commit[:12] or 'uncommitted')}</code> |")


def withdrawn(gone: Left, uri: str, src: dict[str, str]) -> str:
    """The page at a withdrawn document's old address: when it was withdrawn, why, and what replaces it; none of
    its content."""
    release = gone.standing.withdrawn
    doc = release.doc if release is not None else gone.doc
    successor = doc.superseded_by
    lines = [f"# {e(doc.id)} has been withdrawn", "",
             f"<div class=\"qms-withdrawn\">{e(doc.id)} {e(doc.title)} was withdrawn from use on "
             f"<strong>{e(doc.obsoleted.isoformat() if doc.obsoleted else '-')}</strong>. Do not work to it, "
             "or to a printed copy of it.</div>", ""]
    if doc.reason:
        lines += [f"Reason: {e(doc.reason)}", ""]
    if successor and successor in src:
        lines += [f"It is replaced by [{e(successor)}]({link(uri, src[successor])}).", ""]
    elif successor:
        lines += [f"It is replaced by {e(successor)}.", ""]
    lines += [f"The [master document list]({link(uri, MASTER_LIST)}) lists the documents in force."]
    return "\n".join(lines) + "\n"


def records_register(ws: Workspace) -> str:
    """Records by type with dates and retention (metadata only: records' contents are never published)."""
    rows = ["| Id | Title | Type | Date | Retained until |", "| --- | --- | --- | --- | --- |"]
    for record in sorted(ws.records, key=lambda r: r.id):
        record_type = ws.config.record_types.get(record.type)
        until = retain_until(record.date, record_type.retention_years) if record_type else None
        rows.append(f"| {e(record.id)} | {e(record.title)} | {e(record.type)} | {record.date.isoformat()} | "
                    f"{until.isoformat() if until else ''} |")
    return "\n".join(["# Records register", "", *table("records", rows)]) + "\n"
