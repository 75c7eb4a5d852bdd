"""Change rules for controlled documents: revisions, approved and obsolete content, deletion, ids."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import revision
from ...model.document import Document
from ...model.finding import Finding
from ...model.transition import Kind, Transition, removed_entries
from . import Context, by, finding

_GOVERNING = ("content (id, title, type, revision, effective date or text)", "owner", "review_months", "references",
              "clauses", "change", "training")


def check_document(t: Transition, ctx: Context) -> Iterator[Finding]:
    """What one act did to one document: every view reports these with the same codes."""
    if t.kind is not Kind.DOCUMENT:
        return
    if not t.path.endswith(".md"):
        yield from _attachment(t, ctx)
        return
    before, after = t.before, t.after
    if t.after_path is None or not t.after_path.startswith("procedures/"):
        yield from _deleted(t, ctx)
        return
    if t.before_path is None:
        retired = ctx.ledger.retired_as(after.id) if isinstance(after, Document) else None
        if isinstance(after, Document) and retired is not None:
            yield finding(t, after.line("id"), "QMS104", f"id {after.id} was used by {retired}, which was deleted",
                          "ids are never reused: take the next free id with qms new")
        if isinstance(after, Document):
            yield from _same_revision_approved_twice(t, after, ctx)
        return
    if not isinstance(before, Document):
        return
    if not isinstance(after, Document):
        if before.status != "draft":
            yield finding(t, 1, "QMS100", f"{before.status} {before.id} revision {before.revision} can no longer be "
                          f"read after the change by {by(t.act)}", "restore it; run qms check to see what is wrong")
        return
    if after.id != before.id:
        yield finding(t, after.line("id"), "QMS105", f"id changed from {before.id} to {after.id}",
                      f"ids are permanent: restore {before.id}; use qms new for a new document")
        return
    if before.status == "obsolete":
        yield from _obsolete(t, before, after)
        return
    for parent in t.parents:
        if isinstance(parent, Document) and parent.revision == after.revision and parent.status == "approved":
            yield from _approved_changed(t, parent, after)
    if after.revision != before.revision:
        yield from _new_revision(t, before, after, ctx)
        released = _released(after, ctx)
        if released is not None:  # a revision approved before, put back with other governing facts
            yield from _approved_changed(t, released, after)
    yield from _same_revision_approved_twice(t, after, ctx)


def _attachment(t: Transition, ctx: Context) -> Iterator[Finding]:
    """A file an approved revision links to (an image, a drawing) is part of what was approved: it never changes in
    place, and stays while that revision is the last released."""
    if t.before_path is None:
        return
    for doc in ctx.ledger.attached_to(t.before_path):
        verb = "changed" if t.after_path else "deleted"
        yield finding(t, 1, "QMS109", f"{t.before_path} is part of approved {doc.id} revision {doc.revision}, "
                      f"which links to it, and was {verb} by {by(t.act)}",
                      f"restore it; put the new version under a new name and link it from the next revision of "
                      f"{doc.id} (qms revise {doc.id}); remove the old file once that revision is approved")


def _deleted(t: Transition, ctx: Context) -> Iterator[Finding]:
    before = t.before
    if not isinstance(before, Document):
        return
    if before.status == "draft" and before.id not in ctx.ledger.ever_approved:
        return  # a draft that was never approved may be withdrawn by deleting it; its id stays retired
    verb = "deleted" if t.after_path is None else f"moved out of procedures/ to {t.after_path}"
    yield finding(t, 1, "QMS103", f"controlled document {before.id} {verb} by {by(t.act)}",
                  f"restore it; withdraw it with qms obsolete {before.id} --reason ...")


def _obsolete(t: Transition, before: Document, after: Document) -> Iterator[Finding]:
    """An obsolete document is final: only further obsoletion signatures may be added to it."""
    same = after.status == "obsolete" and after.governing() == before.governing() and \
        (after.obsoleted, after.reason, after.superseded_by) == (before.obsoleted, before.reason, before.superseded_by)
    added_ok = all(a.meaning == "obsoletion" for a in after.approvals if a not in before.approvals)
    if not same or not added_ok or removed_entries(t):
        yield finding(t, after.line("status"), "QMS106", f"{after.id} is obsolete and was changed by {by(t.act)}",
                      "restore it; obsolete is final: write a new document with qms new instead")


def _approved_changed(t: Transition, approved: Document, after: Document) -> Iterator[Finding]:
    """An approved revision changes only by gaining signatures and reviews, or by being made obsolete."""
    changed = [name for name, old, new in zip(_GOVERNING, approved.governing(), after.governing()) if old != new]
    if after.status == "draft":
        changed.append("status (back to draft)")
    elif after.status == "approved" and \
            (after.obsoleted, after.reason, after.superseded_by) != (approved.obsoleted, approved.reason,
                                                                      approved.superseded_by):
        changed.append("obsoletion fields")
    if changed:
        yield finding(t, _line(approved, after, changed[0]), "QMS100", f"{after.id} revision {after.revision} is approved, and its "
                      f"{', '.join(changed)} changed without a new revision (by {by(t.act)})",
                      f"undo the edit, or run qms revise {after.id} --change \"...\" first")
    removed = removed_entries(t) if approved is t.before else []
    for entry in removed:
        yield finding(t, after.line("approvals" if hasattr(entry, "meaning") else "periodic_reviews"), "QMS108",
                      f"a signature or periodic review of {entry.name} was removed from approved {after.id} by "
                      f"{by(t.act)}", "restore it: signatures and reviews of an approved revision are kept")


def _released(after: Document, ctx: Context) -> Document | None:
    """The approved version history released of the revision `after` states, if `after` puts that revision back
    as approved (a draft of the next revision abandoned, the file restored by hand)."""
    if after.status != "approved":
        return None
    return next((r.doc for r in reversed(ctx.ledger.releases.get(after.id, ())) if r.doc.revision == after.revision
                 and r.doc.status == "approved"), None)


def _line(before: Document, after: Document, first_changed: str) -> int:
    """The line of the first thing that changed: a key, or the body."""
    if first_changed.startswith("content"):
        for key in ("title", "effective", "type", "id"):
            if getattr(before, key) != getattr(after, key):
                return after.line(key)
        return after.body_line
    return after.line(first_changed.split(" ")[0])


def _new_revision(t: Transition, before: Document, after: Document, ctx: Context) -> Iterator[Finding]:
    scheme = ctx.config.revision_scheme
    if before.status != "approved":
        yield finding(t, after.line("revision"), "QMS101", f"revision {before.revision} of {after.id} was never "
                      f"approved, yet revision is now {after.revision}", f"keep revision {before.revision} until it "
                      "is approved")
    elif not (revision.is_valid(scheme, after.revision) and revision.is_valid(scheme, before.revision)
              and after.revision == revision.following(scheme, before.revision)):
        following = revision.following(scheme, before.revision) if revision.is_valid(scheme, before.revision) \
            else "the next"
        yield finding(t, after.line("revision"), "QMS101", f"revision of {after.id} went from {before.revision} "
                      f"to {after.revision}", f"the next revision is {following}: use qms revise {after.id}")
    if after.change is None or after.change == before.change:
        yield finding(t, after.line("change") if after.change else after.line("revision"), "QMS102",
                      f"revision {after.revision} of {after.id} does not say what changed",
                      "set 'change:' to what this revision changes (qms revise --change)")


def _same_revision_approved_twice(t: Transition, after: Document, ctx: Context) -> Iterator[Finding]:
    """Two different contents approved under one revision number (two branches, then a merge)."""
    if after.status != "approved":
        return
    if any(isinstance(v, Document) and v.revision == after.revision and v.status == "approved" for v in t.parents):
        return  # the same revision changed after approval: QMS100 says so
    known = ctx.ledger.approved.get((after.id, after.revision), set())
    if known and after.fingerprint not in known:
        yield finding(t, after.line("revision"), "QMS107", f"revision {after.revision} of {after.id} was already "
                      "approved with other content", f"one revision number, one approved content: make this "
                      f"revision {revision.following(ctx.config.revision_scheme, after.revision)} with qms revise")
