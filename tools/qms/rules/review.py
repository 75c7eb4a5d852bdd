"""Periodic review: an effective document is reviewed within its interval (warning; error with --strict)."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.finding import Finding
from ..model.workspace import Workspace


def check_reviews(ws: Workspace) -> Iterator[Finding]:
    """Documents in force whose periodic review date has passed."""
    for item in ws.in_force():
        release, doc = item.in_force, item.current
        due = ws.next_review(release.doc, release.config) if release is not None else None
        if due is not None and due < ws.today:
            yield Finding(doc.path, doc.line("effective"), "QMS060", f"periodic review of {doc.id} was due on "
                          f"{due.isoformat()}", f"qms review {doc.id}, or qms revise {doc.id} if it needs changing",
                          "warning")
