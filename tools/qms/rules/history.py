"""Verification of the whole history: every approval, every change to approved content and to records.

Git dates and front matter can be edited by anyone with write access; these rules make tampering visible
by checking each fact against the commit that introduced it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..gitlog.index import Change, Commit, HistoryIndex
from ..gitlog.trail import Signed, document_revisions, signature_problems
from ..model.config import Config
from ..model.document import Document
from ..model.finding import Finding
from .changes import DISPOSITION_LOG

def verify(index: HistoryIndex, config: Config) -> Iterator[Finding]:
    """Every finding about the history in `index`."""
    if index.shallow:
        yield Finding(".", 1, "QMS137", "this clone is shallow: history is missing, so approvals cannot be verified",
                      "git fetch --unshallow; in CI check out with fetch-depth: 0")
    for changes in index.document_changes().values():
        for entry in document_revisions(index, changes):
            for signed in entry.signed:
                yield from _signature(config, signed, entry.authors_before(signed.commit))
        yield from _content(index, changes)
    yield from _records(index)


def _where(commit: Commit) -> str:
    return f"at commit {commit.short} by {commit.author_name} <{commit.author_email}>"


def _signature(config: Config, signed: Signed, authors: set[str]) -> Iterator[Finding]:
    approval, commit, version = signed.approval, signed.commit, signed.version
    what = f"{approval.meaning} by {approval.name} of {version.id} revision {version.revision}"
    for code, _reason in signature_problems(config, signed, authors):
        if code == "QMS130":
            yield Finding(version.path, approval.line, code, f"{what}, added {_where(commit)}, does not match the "
                          "content at that commit", "the signature was made for other content: treat this revision "
                          "as unapproved and approve it again with qms approve")
        elif code == "QMS131":
            squashed = "approved-by:" in commit.message.lower() and f"<{approval.email}>".lower() in \
                commit.message.lower()
            hint = ("the commit carries the approver's Approved-by trailer but another author: it looks like a "
                    "squash merge, which rewrites authorship; allow only merge or rebase merges on main") if \
                squashed else f"only {approval.name} can add this approval, with qms approve as themselves"
            yield Finding(version.path, approval.line, code, f"{what} was added {_where(commit)}, not by the "
                          "approver", hint)
        elif code == "QMS132":
            yield Finding(version.path, approval.line, code, f"{what} was given by an author of that revision's "
                          f"content ({_where(commit)})", "separation of duties: another approver must approve it")
        else:
            state = "unsigned" if commit.signature == "N" else f"badly signed (git %G? = {commit.signature})"
            yield Finding(version.path, approval.line, code, f"approval commit {commit.short} of {version.id} is "
                          f"{state}", "qms.yml requires signed approval commits: qms approve --commit signs with -S")


def _content(index: HistoryIndex, changes: list[Change]) -> Iterator[Finding]:
    for change in changes:
        before, after = index.version(change.old_blob), index.version(change.new_blob)
        if not isinstance(before, Document) or before.status not in ("approved", "obsolete"):
            continue
        if change.status == "D":
            yield Finding(change.path, 1, "QMS138", f"controlled document {before.id} was deleted {_where(change.commit)}",
                          "restore it from history and withdraw it with qms obsolete")
        elif isinstance(after, Document) and after.revision == before.revision and \
                after.fingerprint != before.fingerprint:
            yield Finding(change.path, after.body_line, "QMS133", f"{before.status} {before.id} revision "
                          f"{before.revision} was changed without a new revision {_where(change.commit)}",
                          "restore the approved content; changes need qms revise and a new approval")


def _records(index: HistoryIndex) -> Iterator[Finding]:
    disposed: dict[str, set[str]] = {}
    for change in index.changes:
        if change.path == DISPOSITION_LOG and change.new_blob:
            old = index.text(change.old_blob) if change.old_blob else ""
            new = index.text(change.new_blob)
            if not new.startswith(old):
                yield Finding(change.path, 1, "QMS134", f"the disposition log was rewritten {_where(change.commit)}",
                              "the log is append-only: restore the removed lines")
            rows = csv.reader(io.StringIO(new[len(old):] if new.startswith(old) else ""))
            disposed.setdefault(change.commit.sha, set()).update(row[1] for row in rows if len(row) > 1)
    for change in index.changes:
        if not change.path.startswith("records/") or change.path == DISPOSITION_LOG or change.status == "A":
            continue
        if change.status == "D" and change.path in disposed.get(change.commit.sha, set()):
            continue
        verb = "deleted" if change.status == "D" else "modified"
        yield Finding(change.path, 1, "QMS135" if change.status == "D" else "QMS134", f"record {change.path} was "
                      f"{verb} {_where(change.commit)}", "records are immutable; restore it from history (a "
                      "correction is a new record with corrects:)")
