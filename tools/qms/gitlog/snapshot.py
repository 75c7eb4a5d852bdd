"""The QMS as it stood on a day. "As of D" is a snapshot, never today's files judged by an old date: the documents,
revisions, records and reviews that existed on D are those of the last commit made on or before D, judged on D
with what history had established by then (the qms.yml in force, the releases, who signed under which rules).

Before the QMS was adopted into Git, what existed is what the adoption commit states: the commit at
`verify_from` (else the first commit), whose effective and obsoleted dates are taken as the adopted facts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..model.config import Config
from ..model.document import Document
from ..model.ledger import Ledger
from ..model.workspace import DOCUMENTS, RECORDS, Workspace, from_tree
from . import git, index


def adoption(root: str, config: Config) -> str | None:
    """The commit the QMS was adopted at: the `qms adopt` commit (which moves verify_from to its own parent),
    else `verify_from`, else the first commit."""
    if config.verify_from:
        found = git.commit_id(root, config.verify_from)
        if found is not None:
            child = git.first_parent_child(root, found)
            held = index.config_at(root, child) if child else None
            if child and held is not None and held.verify_from and found.startswith(held.verify_from):
                return child
            return found
    roots = git.root_commits(root) if git.head_or_empty(root) != git.EMPTY_TREE else []
    return roots[-1] if roots else None


def commit_on(root: str, config: Config, day: date) -> str | None:
    """The commit whose tree was the QMS on `day` (None: the repository has no commit)."""
    adopted = adoption(root, config)
    found = git.last_commit_on(root, day)
    if adopted is not None and (found is None or (found != adopted and git.is_ancestor(root, found, adopted))):
        return adopted
    return found


def workspace_at(root: str, commit: str, in_force: Config, day: date, ledger: Ledger) -> Workspace:
    """The QMS as `commit` holds it (the one committed on `day`: commit_on), judged on `day` by the qms.yml then in
    force, with what history had established there (`ledger`)."""
    entries = git.tree_files(root, commit, (DOCUMENTS, RECORDS))
    wanted = [blob for path, blob, link, size in entries
              if path.endswith(".md") and not link and size <= in_force.max_document_bytes]
    blobs = git.read_blobs(root, wanted)
    files = [(path, link, size, blobs.get(blob)) for path, blob, link, size in entries]
    ws = from_tree(root, in_force, day, files, history=ledger)
    ws.commit = commit
    if git.commit_date(root, commit) > day:  # before the adoption: only what its stated facts say existed by then
        ws.records = [record for record in ws.records if record.date <= day]
        ws.documents = [_as_stated_on(doc, day) for doc in ws.documents]
    return ws


def _as_stated_on(doc: Document, day: date) -> Document:
    """An adopted document as its own stated dates say it stood on `day`: reviews made later left out, and an
    obsoletion from a later day not yet made."""
    reviews = tuple(review for review in doc.periodic_reviews if review.at.date() <= day)
    if doc.status == "obsolete" and (doc.obsoleted is None or doc.obsoleted > day):
        return replace(doc, status="approved", obsoleted=None, reason=None, superseded_by=None,
                       approvals=tuple(a for a in doc.approvals if a.meaning != "obsoletion"),
                       periodic_reviews=reviews)
    return replace(doc, periodic_reviews=reviews) if reviews != doc.periodic_reviews else doc
