"""Reference rules: referenced ids exist, links resolve, and effective text points only at effective text."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..model.document import Document
from ..model.finding import Finding
from ..model.inforce import describe
from ..model.state import EFFECTIVE, PENDING
from ..model.workspace import Workspace


def check_references(ws: Workspace) -> Iterator[Finding]:
    """Ids in `references` and `superseded_by` exist; published text refers only to documents in force."""
    by_path = {doc.path: doc for doc in ws.documents}
    for doc in ws.documents:
        for ref in doc.references:
            target = ws.by_id.get(ref)
            if target is None:
                yield Finding(doc.path, doc.line("references"), "QMS050", f"reference {ref} is not a document",
                              "correct the id, or remove it from references")
            else:
                yield from _unpublished(ws, doc, target, doc.line("references"))
        if doc.superseded_by and doc.superseded_by not in ws.by_id:
            yield Finding(doc.path, doc.line("superseded_by"), "QMS053", f"superseded_by {doc.superseded_by} is not "
                          "a document", "name the id of the document that replaces this one")
        elif doc.superseded_by and doc.status == "obsolete" and doc.obsoleted is not None:
            successor = ws.by_id[doc.superseded_by]
            there = ws.standing(successor, doc.obsoleted)
            if successor is not doc and there.in_force is None:
                yield Finding(doc.path, doc.line("superseded_by"), "QMS053", f"superseded_by {successor.id}, which has "
                              f"no revision in force on {doc.obsoleted}, when {doc.id} is withdrawn: {describe(there)}",
                              f"approve {successor.id} effective by {doc.obsoleted} first, or name a document in force")
        for link in doc.links:
            linked = by_path.get(link.resolved)
            if linked is not None:
                yield from _unpublished(ws, doc, linked, link.line)


def _unpublished(ws: Workspace, doc: Document, target: Document, line: int) -> Iterator[Finding]:
    """Text that is (or will be) published refers only to documents with a revision in force when it is."""
    own = ws.standing(doc)
    if target is doc or own.state not in (EFFECTIVE, PENDING):
        return
    day = ws.today if own.state == EFFECTIVE or doc.effective is None else doc.effective
    there = ws.standing(target, day)
    if there.in_force is None:
        when = "" if day == ws.today else f" on {day}, when {doc.id} comes into force"
        yield Finding(doc.path, line, "QMS052", f"{own.state} {doc.id} refers to {target.id}, which has no revision "
                      f"in force{when}: {describe(there)}", "refer to a document in force, or approve both with the same "
                      "effective date")
        return
    withdrawn = target.obsoleted if target.status == "obsolete" and target.obsoleted and target.obsoleted > day \
        else None
    if withdrawn is None or ws.standing(target, withdrawn).withdrawn is None:
        return
    later = ws.standing(doc, withdrawn).in_force
    if later is not None and later.doc is doc:  # this text is still in force when the target is withdrawn
        yield Finding(doc.path, line, "QMS052", f"{doc.id} refers to {target.id}, which is withdrawn on {withdrawn}, "
                      f"while this revision of {doc.id} is still in force", f"revise {doc.id} to refer to "
                      f"{target.superseded_by or 'what replaces it'}, effective by {withdrawn}, or withdraw "
                      f"{target.id} from a later date")


def check_links(ws: Workspace) -> Iterator[Finding]:
    """Relative Markdown links in documents and records point at files that exist inside the repository, or at
    files of records the disposition log shows as disposed of after retention (records are immutable: a link to a
    record disposed of lawfully cannot be taken out, and is not an error)."""
    for item in ws.items():
        for link in item.links:
            if link.resolved in ws.files or link.resolved in ws.disposed:
                continue
            outside = link.resolved == ".." or link.resolved.startswith("../")
            controlled = link.resolved.startswith(("procedures/", "records/"))
            if outside or controlled or not os.path.exists(os.path.join(ws.root, link.resolved)):
                yield Finding(item.path, link.line, "QMS051", f"link target '{link.target}' does not exist"
                              + (" inside the repository" if outside else ""),
                              "correct the path, relative to this file")
