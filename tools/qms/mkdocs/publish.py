"""What the manual publishes: for each document, the revision in force on the build date, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..gitlog import documents, git
from ..gitlog.trail import Revision
from ..model.document import Document
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


def in_force(revisions: dict[str, list[Revision]], ws: Workspace) -> tuple[list[Published], list[Left]]:
    """Every document's version in force on `ws.today` (model.inforce), with its whole text: the file itself, or
    the committed version history released; with its revisions (`revisions`, by document id:
    trail.revisions_by_document)."""
    releases = [item.in_force for item in ws.in_force() if item.from_history and item.in_force is not None]
    texts = documents.whole(ws.root, [(release.blob, release.doc.path) for release in releases if release.blob])
    published, left = [], []
    for doc in ws.documents:
        item = ws.standing(doc)
        release = item.in_force
        if release is None:
            left.append(Left(doc, item))
        elif not item.from_history:
            published.append(Published(doc, release.commit, False, tuple(revisions.get(doc.id, ())),
                                       tuple(ws.periods(doc))))
        else:
            whole = texts.get((release.blob or "", release.doc.path))
            if whole is None:
                raise git.GitError(f"cannot read {release.doc.path} at commit {(release.commit or '')[:12]}")
            published.append(Published(whole, release.commit, True, tuple(revisions.get(doc.id, ())),
                                       tuple(ws.periods(doc))))
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
