"""Templates never filled in: a warning in a draft, an error once the document is approved or being approved."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.finding import Finding
from ..model.workspace import Workspace


def check_placeholders(ws: Workspace) -> Iterator[Finding]:
    """Template text such as `<enter ...>`, `[insert ...]`, `To be written.` or `TBD` in a document's body."""
    for doc in ws.documents:
        if doc.status == "obsolete":
            continue
        signing = doc.status == "approved" or any(a.meaning == "approval" for a in doc.approvals)
        for gap in doc.gaps:
            yield Finding(doc.path, gap.line, "QMS170", f"{doc.id} still holds template text '{gap.text}'",
                          "write the real content (or delete the line) before it is approved",
                          "error" if signing else "warning")


def check_active_content(ws: Workspace) -> Iterator[Finding]:
    """Scripts, frames, event handlers, `javascript:` links and style sheets in a body (model.active): a warning in
    a draft, an error once the document is approved or being approved (the manual would publish them)."""
    for doc in ws.documents:
        if doc.status == "obsolete":
            continue
        signing = doc.status == "approved" or any(a.meaning == "approval" for a in doc.approvals)
        for found in doc.active:
            yield Finding(doc.path, found.line, "QMS176", f"{doc.id} holds active content '{found.text[:40]}', which "
                          "the manual would run in every reader's browser", "take it out, or show it as code "
                          "between backticks", "error" if signing else "warning")
