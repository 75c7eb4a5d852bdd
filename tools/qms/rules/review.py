"""Periodic review: an effective document is reviewed within its interval (warning; error with --strict)."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.finding import Finding
from ..model.state import EFFECTIVE, next_review
from ..model.workspace import Workspace


def check_reviews(ws: Workspace) -> Iterator[Finding]:
    """Effective documents whose periodic review date has passed."""
    for doc in ws.documents:
        due = next_review(doc, ws.config)
        if due is not None and due < ws.today and ws.assessment(doc).state == EFFECTIVE:
            yield Finding(doc.path, doc.line("effective"), "QMS060", f"periodic review of {doc.id} was due on "
                          f"{due.isoformat()}", f"qms review {doc.id}, or qms revise {doc.id} if it needs changing",
                          "warning")
