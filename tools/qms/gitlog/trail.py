"""The audit trail of each document, derived from the history index: revisions, authors, approvals."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import revision as revisions
from ..model.config import Config
from ..model.document import Approval, Document
from .index import Change, Commit, HistoryIndex


GOOD_SIGNATURES = ("G", "U")  # git %G?: good, or good from a key of unknown validity


def approval_key(approval: Approval) -> tuple[str, str, str, str]:
    """What makes two approval entries the same signature."""
    return (approval.email.lower(), approval.meaning, approval.fingerprint, approval.at.isoformat())


@dataclass(frozen=True)
class Signed:
    """An approval, the commit that added it, and the version of the document at that commit."""

    approval: Approval
    commit: Commit
    version: Document


@dataclass
class Revision:
    """One revision of a document through history."""

    doc_id: str
    revision: str
    introduced: Commit
    versions: list[tuple[Change, Document]] = field(default_factory=list)
    authors: dict[str, str] = field(default_factory=dict)  # email -> name, of commits that wrote its content
    content_commits: list[Commit] = field(default_factory=list)
    signed: list[Signed] = field(default_factory=list)

    @property
    def last(self) -> Document:
        """The latest version of this revision."""
        return self.versions[-1][1]

    def authors_before(self, commit: Commit) -> set[str]:
        """Emails of those who wrote content of this revision in commits up to and including `commit`."""
        found: set[str] = set()
        for content in self.content_commits:
            found.add(content.author_email.lower())
            if content.sha == commit.sha:
                break
        return found


def document_revisions(index: HistoryIndex, changes: list[Change]) -> list[Revision]:
    """The revisions of one document, oldest first, from its changes in commit order."""
    found: dict[str, Revision] = {}
    for change in changes:
        after = index.version(change.new_blob)
        before = index.version(change.old_blob)
        if not isinstance(after, Document):
            continue
        before_doc = before if isinstance(before, Document) else None
        entry = found.get(after.revision)
        if entry is None:
            entry = found[after.revision] = Revision(after.id, after.revision, change.commit)
        entry.versions.append((change, after))
        if before_doc is None or before_doc.revision != after.revision or before_doc.authored != after.authored:
            entry.authors.setdefault(change.commit.author_email.lower(), change.commit.author_name)
            entry.content_commits.append(change.commit)
        known = {approval_key(a) for a in before_doc.approvals} if before_doc else set()
        for approval in after.approvals:
            if approval_key(approval) not in known:
                entry.signed.append(Signed(approval, change.commit, after))
    return sorted(found.values(), key=lambda r: _order(r.revision))


def _order(value: str) -> tuple[int, int]:
    scheme = "numeric" if value.isdigit() else "alpha"
    return (0, revisions.ordinal(scheme, value)) if revisions.is_valid(scheme, value) else (1, 0)


def signature_problems(config: Config, signed: Signed, authors: set[str]) -> list[tuple[str, str]]:
    """(code, reason) for each way an approval fails to hold up against the commit that added it."""
    approval, commit = signed.approval, signed.commit
    problems = []
    if approval.fingerprint != signed.version.fingerprint:
        problems.append(("QMS130", "fingerprint does not match the content at its commit"))
    if commit.author_email.lower() != approval.email.lower():
        problems.append(("QMS131", f"added by {commit.author_email}, not by the approver"))
    elif config.separation_of_duties and approval.meaning == "approval" and approval.email.lower() in authors:
        problems.append(("QMS132", "the approver wrote content of this revision"))
    if config.signed_approvals and commit.signature not in GOOD_SIGNATURES:
        problems.append(("QMS136", "approval commit not signed" if commit.signature == "N" else
                         f"approval commit badly signed (git %G? = {commit.signature})"))
    return problems


def revision_rows(entries: list[Revision], config: Config, adopted: set[str]) -> list[dict[str, object]]:
    """Each revision as a plain dict (the JSON form, also used by the audit pack).

    Approvals added in `adopted` commits (up to verify_from) were carried over and are marked so.
    """
    rows: list[dict[str, object]] = []
    for entry in entries:
        last = entry.last
        approvers = []
        for signed in entry.signed:
            approval = signed.approval
            problems = [why for _code, why in signature_problems(config, signed, entry.authors_before(signed.commit))]
            carried = signed.commit.sha in adopted
            approvers.append({"name": approval.name, "email": approval.email, "role": approval.role,
                              "meaning": approval.meaning, "at": approval.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "commit": signed.commit.sha, "verified": not problems and not carried,
                              "adopted": carried, "problems": [] if carried else problems,
                              "current": approval.fingerprint == last.fingerprint})
        rows.append({
            "revision": entry.revision, "status": last.status,
            "effective": last.effective.isoformat() if last.effective else None, "change": last.change,
            "title": last.title, "introduced": entry.introduced.sha,
            "introduced_at": entry.introduced.committed_at.isoformat(),
            "authors": [f"{name} <{email}>" for email, name in entry.authors.items()],
            "approvals": approvers, "commits": [change.commit.sha for change, _doc in entry.versions],
            "fingerprint": last.fingerprint,
        })
    return rows
