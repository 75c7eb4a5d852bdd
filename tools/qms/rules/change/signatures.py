"""Change rules for signatures: an approval or periodic review is added by the person it names, who may give it,
over the content it was added to, never by an author of that content, and signed with their own key where qms.yml
requires signatures."""

from __future__ import annotations

from collections.abc import Iterator

from ...model.document import Approval, Document, PeriodicReview
from ...model.finding import Finding
from ...model.keys import describe
from ...model.transition import Kind, SignatureStatus, Transition, added_entries, entry_key, wrote_content
from . import Context, by, finding


def check_entries(t: Transition, ctx: Context) -> Iterator[Finding]:
    """Every approval and periodic review the act added."""
    after = t.after
    if t.kind is not Kind.DOCUMENT or not isinstance(after, Document):
        return
    for entry in added_entries(t):
        key = entry_key(entry)
        what = f"{entry.meaning} by {entry.name}" if isinstance(entry, Approval) else \
            f"periodic review by {entry.name}"
        if isinstance(entry, Approval) and after.id in ctx.adopted:
            yield from _adopted(t, after, entry, key, ctx)
            continue
        own = entry.email.lower() == t.act.author
        if not own:
            yield finding(t, entry.line, "QMS120", f"{what} of {after.id} revision {after.revision} was added by "
                          f"{by(t.act)}, not by {entry.email}", _not_own_hint(t, entry), key)
        if isinstance(entry, Approval) and entry.fingerprint != after.fingerprint:
            yield finding(t, entry.line, "QMS130", f"{what} of {after.id} revision {after.revision} does not match "
                          "the content it was added to", "the signature was made for other content: approve this "
                          "content with qms approve", key)
        if not own:
            continue
        if isinstance(entry, Approval):
            yield from _approval(t, after, entry, key, ctx)
        elif not ctx.config.may_review(entry.email, after.type, after.owner):
            yield finding(t, entry.line, "QMS122", f"{what} of {after.id}: {entry.email} holds neither the owner "
                          f"role '{after.owner}' nor a role that approves {after.type} documents",
                          "the owner or an approver records periodic reviews with qms review", key)
        yield from signed_by(t, entry.email, f"{what} of {after.id}", entry.line, ctx, key)


def signed_by(t: Transition, email: str, what: str, line: int, ctx: Context, entry: str = "") -> Iterator[Finding]:
    """Where qms.yml requires signatures, the commit making `what` must carry a good signature made with a key
    registered to `email` in the qms.yml in force at its parent (the staged change is not signed yet)."""
    if not ctx.config.signed_approvals or t.act.staged:
        return
    signature = t.act.signature
    if not signature.status.good:
        state = "unsigned" if signature.status is SignatureStatus.NONE else \
            f"signed, but Git cannot check the signature (git %G? = {signature.status.value})"
        hint = "the key's public part is missing where this runs: gpg --import it" \
            if signature.status is SignatureStatus.NO_KEY else \
            "qms.yml requires signed commits for signatures: qms approve --commit signs with your key"
        yield finding(t, line, "QMS136", f"the commit making the {what} is {state}", hint, entry)
    elif not signature.made_with(ctx.config.keys_of(email)):
        yield finding(t, line, "QMS139", f"the commit making the {what} is signed with "
                      f"{describe(signature.fingerprint or signature.key)}, which qms.yml does not register to "
                      f"{email}", f"{email} signs with their own key, listed under signing_keys in qms.yml by an "
                      "administrator", entry)


def _approval(t: Transition, after: Document, approval: Approval, key: str, ctx: Context) -> Iterator[Finding]:
    what = f"{approval.meaning} by {approval.name}"
    if not ctx.config.may_approve(approval.email, after.type) or not any(
            role.name == approval.role for role in ctx.config.may_approve(approval.email, after.type)):
        yield finding(t, approval.line, "QMS041", f"{what} of {after.id}: {approval.email} does not hold role "
                      f"'{approval.role}' with authority over {after.type} documents",
                      "only people named under a role that approves this type may sign", key)
    if not ctx.config.separation_of_duties or approval.meaning == "review":
        return
    authors = set(ctx.ledger.revision_authors(after.id, after.revision))
    if wrote_content(t):
        authors.add(t.act.author)
    if approval.email.lower() in authors:
        yield finding(t, approval.line, "QMS121", f"{approval.name} gave {approval.meaning} of {after.id} revision "
                      f"{after.revision}, whose content they authored", "separation of duties: another person "
                      "holding an approving role must approve it", key)


def _adopted(t: Transition, after: Document, approval: Approval, key: str, ctx: Context) -> Iterator[Finding]:
    """An approval made before the QMS lived in Git, stated by the administrator who adopts it: the person must
    have held an approving role and it must sign the content; who added it and its signature are the adoption's."""
    if approval.fingerprint != after.fingerprint:
        yield finding(t, approval.line, "QMS130", f"adopted {approval.meaning} by {approval.name} of {after.id} does "
                      "not match the content it was added to", "run qms adopt again on the content as it is", key)
    if not any(role.name == approval.role for role in ctx.config.may_approve(approval.email, after.type)):
        yield finding(t, approval.line, "QMS041", f"adopted {approval.meaning} of {after.id}: {approval.email} does "
                      f"not hold role '{approval.role}' with authority over {after.type} documents",
                      "name the person under that role in qms.yml first (a former holder may stay listed)", key)


def _not_own_hint(t: Transition, entry: Approval | PeriodicReview) -> str:
    message = t.act.message.lower()
    if t.act.sha and "approved-by:" in message and f"<{entry.email}>".lower() in message:
        return ("the commit carries the approver's Approved-by trailer but another author: it looks like a squash "
                "merge, which rewrites authorship; allow only merge or rebase merges on main")
    command = "qms approve" if isinstance(entry, Approval) else "qms review"
    return f"only {entry.name} can add it, by running {command} {t.key} as themselves"
