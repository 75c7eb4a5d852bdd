"""Generated pages of the manual, as Markdown with every front-matter value escaped."""

from __future__ import annotations

import html
import posixpath

from ..model.document import Document
from ..model.workspace import Workspace


def cell(text: str) -> str:
    """Front-matter text made safe for a Markdown table cell: no markup, no column breaks."""
    return html.escape(text).replace("|", "&#124;").replace("\n", " ")


def home(ws: Workspace, published: list[Document], docs_prefix: str) -> str:
    """The home page: what the manual is and the list of effective documents by type."""
    lines = [
        f"# {cell(ws.config.organisation)}: Quality Management System",
        "",
        "This is the controlled, effective edition of the quality manual, policies, procedures, work "
        f"instructions and forms, as in force on {ws.today.isoformat()}. Only approved documents that are "
        "effective on that date are published here; drafts and withdrawn documents are not.",
        "",
        "Printed copies are uncontrolled: check the revision here before you work from paper.",
        "",
    ]
    for doc_type in ws.config.document_types.values():
        docs = sorted((d for d in published if d.type == doc_type.name), key=lambda d: d.id)
        if not docs:
            continue
        lines += [f"## {cell(doc_type.label)}", "", "| Id | Title | Revision | Effective |", "| --- | --- | --- | --- |"]
        for doc in docs:
            link = posixpath.relpath(doc.path, docs_prefix)
            effective = doc.effective.isoformat() if doc.effective else ""
            lines.append(f"| {cell(doc.id)} | [{cell(doc.title)}]({link}) | {cell(doc.revision)} | {effective} |")
        lines.append("")
    return "\n".join(lines)
