"""Approval rules: each approval authorised and bound to the current content; status agrees with the facts."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import revision
from ..model.finding import Finding
from ..model.state import INVALID
from ..model.workspace import Workspace


def check_approvals(ws: Workspace) -> Iterator[Finding]:
    """Approvals by people and roles that may approve, over the current fingerprint."""
    for doc in ws.documents:
        for problem in ws.assessment(doc).problems:
            stale_draft = problem.code == "QMS042" and doc.status == "draft"
            yield Finding(doc.path, problem.approval.line, problem.code, problem.message, problem.hint,
                          "warning" if stale_draft else "error")


def check_status(ws: Workspace) -> Iterator[Finding]:
    """Stored status consistent with approvals, dates and change notes."""
    scheme = ws.config.revision_scheme
    for doc in ws.documents:
        status_line = doc.line("status")
        if doc.status == "approved" and doc.effective is None:
            yield Finding(doc.path, status_line, "QMS043", "approved document has no effective date",
                          "add 'effective: YYYY-MM-DD' and have it approved again")
        if doc.status == "obsolete":
            for key in ("obsoleted", "reason"):
                if getattr(doc, key) is None:
                    yield Finding(doc.path, status_line, "QMS043", f"obsolete document has no '{key}'",
                                  "use qms obsolete ID --reason ...")
        if doc.status != "obsolete" and (doc.obsoleted or doc.reason or doc.superseded_by):
            yield Finding(doc.path, doc.line("obsoleted" if doc.obsoleted else "reason" if doc.reason else
                                             "superseded_by"), "QMS043",
                          f"'{doc.status}' document carries obsoletion fields", "remove them, or use qms obsolete")
        assessment = ws.assessment(doc)
        if assessment.state == INVALID and assessment.missing:
            meaning = "obsoletion" if doc.status == "obsolete" else "approval"
            yield Finding(doc.path, status_line, "QMS040", f"status is {doc.status}, but no valid {meaning} by "
                          + ", ".join(assessment.missing), f"set status: draft, or run qms approve {doc.id}")
        if revision.is_valid(scheme, doc.revision) and revision.ordinal(scheme, doc.revision) > 1 and not doc.change:
            yield Finding(doc.path, doc.line("revision"), "QMS047", f"revision {doc.revision} does not say what "
                          "changed", "add 'change: ...' (qms revise sets it)")
