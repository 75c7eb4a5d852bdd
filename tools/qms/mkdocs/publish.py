"""What the manual publishes: for each document, the revision in force on the build date, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..gitlog.index import HistoryIndex
from ..gitlog.trail import Revision, by_document, document_revisions
from ..model.config import Config
from ..model.document import Document
from ..model.transition import Transition
from ..model.state import EFFECTIVE, OBSOLETE, assess
from ..model.workspace import Workspace


@dataclass(frozen=True)
class Published:
    """A document as published: the version in force, the commit it comes from, and its revisions."""

    doc: Document
    source_commit: str | None  # None: the working tree, not yet committed
    from_history: bool
    revisions: tuple[Revision, ...]


@dataclass(frozen=True)
class Left:
    """A document that is not published, and why."""

    doc: Document
    reason: str


def in_force(index: HistoryIndex | None, ws: Workspace) -> tuple[list[Published], list[Left]]:
    """Every document's revision in force on `ws.today`: the file itself, else its last effective version."""
    transitions = by_document(index.transitions) if index is not None else {}
    published, left = [], []
    for doc in ws.documents:
        state = ws.assessment(doc).state
        revisions = tuple(document_revisions(transitions.get(doc.id, [])))
        if state == OBSOLETE:
            left.append(Left(doc, "obsolete"))
        elif state == EFFECTIVE:
            published.append(Published(doc, _commit_of(revisions, doc), False, revisions))
        else:
            earlier = _last_effective(revisions, ws.config, ws.today)
            if earlier is None or index is None:
                left.append(Left(doc, f"{state}, and no earlier revision was effective"))
            else:
                published.append(Published(index.full(earlier), earlier.act.sha, True, revisions))
    return published, left


def _commit_of(revisions: tuple[Revision, ...], doc: Document) -> str | None:
    """The commit that holds exactly this content, if it is committed."""
    for revision in revisions:
        for transition, version in revision.versions:
            if version.fingerprint == doc.fingerprint and version.approvals == doc.approvals:
                return transition.act.sha
    return None


def _last_effective(revisions: tuple[Revision, ...], config: Config, day: date) -> Transition | None:
    for revision in reversed(revisions):
        for transition, version in reversed(revision.versions):
            if assess(version, config, day).state == EFFECTIVE:
                return transition
    return None


def effective_revisions(published: Published, day: date) -> list[Revision]:
    """Revisions that came into force on or before `day`: drafts and pending revisions are never shown."""
    return [revision for revision in published.revisions
            if any(version.status in ("approved", "obsolete") and version.effective is not None
                   and version.effective <= day for _transition, version in revision.versions)]
