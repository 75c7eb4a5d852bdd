"""What the manual publishes: for each document, the revision in force on the build date, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..gitlog import git
from ..gitlog.index import HistoryIndex
from ..gitlog.trail import Revision, by_document, document_revisions
from ..model.document import Document, parse_bytes
from ..model.inforce import Period, Standing, describe
from ..model.workspace import Workspace


@dataclass(frozen=True)
class Published:
    """A document as published: the version in force, the commit it comes from, and its revisions."""

    doc: Document
    source_commit: str | None  # None: the working tree, not yet committed
    from_history: bool
    revisions: tuple[Revision, ...]
    periods: tuple[Period, ...] = ()  # when each version was, is or will be in force (model.inforce.periods)


@dataclass(frozen=True)
class Left:
    """A document that is not published, and where it stands (withdrawn, a draft, not yet in force)."""

    doc: Document
    standing: Standing

    @property
    def reason(self) -> str:
        """Why it is not published, for people."""
        return describe(self.standing)


def in_force(index: HistoryIndex | None, ws: Workspace) -> tuple[list[Published], list[Left]]:
    """Every document's version in force on `ws.today` (model.inforce), with its whole text: the file itself, or
    the committed version history released."""
    transitions = by_document(index.transitions) if index is not None else {}
    earlier = {item.in_force.blob: item.in_force for item in ws.in_force()
               if item.from_history and item.in_force is not None and item.in_force.blob}
    texts = git.read_blobs(ws.root, sorted(earlier)) if earlier else {}
    published, left = [], []
    for doc in ws.documents:
        item = ws.standing(doc)
        revisions = tuple(document_revisions(transitions.get(doc.id, [])))
        release = item.in_force
        if release is None:
            left.append(Left(doc, item))
        elif not item.from_history:
            published.append(Published(doc, release.commit, False, revisions, tuple(ws.periods(doc))))
        else:
            whole = parse_bytes(texts.get(release.blob or ""), release.doc.path)
            if not isinstance(whole, Document):
                raise git.GitError(f"cannot read {release.doc.path} at commit {(release.commit or '')[:12]}")
            published.append(Published(whole, release.commit, True, revisions, tuple(ws.periods(doc))))
    return published, left


def in_force_revisions(published: Published, day: date) -> list[tuple[Period, Revision | None]]:
    """Each version that came into force by `day` (model.inforce.periods: drafts, pending revisions and versions
    whose approvals do not count are never shown), oldest first, with the revision history holds for it."""
    found = []
    for period in published.periods:
        release, start, _end = period
        if start > day:
            continue
        matching = [r for r in published.revisions if r.revision == release.doc.revision]
        found.append((period, next((r for r in matching if any(v.fingerprint == release.doc.fingerprint
                                                                  for _t, v in r.versions)),
                                   matching[-1] if matching else None)))
    return found
