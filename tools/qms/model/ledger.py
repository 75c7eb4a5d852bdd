"""The ledger: what history has established before an act, read by the rules that judge the act.

It is the one home of the answers that need history: who authored each revision's content, when that content
first existed, which contents were approved under each revision number, which ids were ever approved or are
retired, each document's last effective date, the versions that could be in force (model.inforce), and the
configuration in force when each signature was added
(by which its authority is judged for as long as it stands). It is filled by walking transitions in history order and
knows nothing of Git.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from .config import Config
from .document import Document, Record
from .ids import identity
from .finding import Finding
from .inforce import Release, same_release
from .state import Authority
from .training import Evidence, Problem, problems
from .transition import Kind, Transition, added_entries, entry_key, wrote_content


@dataclass
class Ledger:
    """Facts established by the transitions applied so far."""

    authors: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (id, revision) -> email: name
    first_seen: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (id, authored print) -> when
    approved: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (id, revision) -> approved prints
    ever_approved: set[str] = field(default_factory=set)
    retired: dict[str, str] = field(default_factory=dict)  # id of a deleted document -> its last path
    last_effective: dict[str, tuple[str, date]] = field(default_factory=dict)  # id -> (revision, effective)
    signed_under: dict[str, Config] = field(default_factory=dict)  # entry key -> qms.yml in force when added
    releases: dict[str, list[Release]] = field(default_factory=dict)  # id -> approved or obsolete versions, in order
    added_by: dict[str, str] = field(default_factory=dict)  # entry key -> who committed it (author e-mail, lower case)
    trained: dict[str, Evidence] = field(default_factory=dict)  # training record id -> the commit that added it
    entered: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (first commit, verify_from then)
    rewritten: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (last commit that wrote content,
    #                                                                            verify_from then)
    refused: dict[str, Finding] = field(default_factory=dict)  # entry key -> what the rules refused when it was added
    void: dict[str, list[Document]] = field(default_factory=dict)  # id -> versions the rules voided (never in force)
    unlawful: set[str] = field(default_factory=set)  # records whose deletion the rules found unlawful, by path
    latest: datetime | None = None  # the latest commit time applied: a commit is made no earlier than those before it

    @property
    def authority(self) -> Authority:
        """What history says about each signature (model.state.Authority)."""
        return Authority(self.signed_under, self.refused)

    def holds(self, entry: str) -> bool:
        """Whether history holds the signature `entry` (an entry key) as added lawfully before: a later copy of it
        that the rules refuse (pasted into a copy of the document, put back by someone else) is reported where it
        is made, and never unmakes the signature where it was given."""
        return entry in self.added_by and entry not in self.refused

    def refuse(self, findings: Iterable[Finding]) -> None:
        """Keep what the change rules refused about signatures as they were added (each finding names its entry)."""
        for found in findings:
            self.refused.setdefault(found.entry, found)

    def revision_authors(self, doc_id: str, revision: str) -> dict[str, str]:
        """Who wrote content of this revision of the document: email (lower case) -> name."""
        return self.authors.get((doc_id, revision), {})

    def ids_used(self) -> set[str]:
        """Every document id history has seen, in use or retired: none is ever given to another document."""
        return {doc_id for doc_id, _authored in self.first_seen} | set(self.retired)

    def retired_as(self, doc_id: str) -> str | None:
        """The last path of the deleted document whose id `doc_id` is (leading zeros aside: WI-0004 is WI-004)."""
        if doc_id in self.retired:
            return self.retired[doc_id]
        return next((path for old, path in self.retired.items() if identity(old) == identity(doc_id)), None)

    def written_in_git(self, doc_id: str, verify_from: str | None) -> str | None:
        """The commit that wrote content of a document history has seen while the QMS lived in Git (once
        verify_from was set, or at any time when `verify_from`, what an adoption leaves in force, is None and every
        commit is verified): the one that first brought it, or a later one that changed its text. Such a document
        was written in Git, and its approvals cannot be adopted: approvals made before Git cannot cover it."""
        first = self.entered.get(doc_id)
        if first is None:
            return None
        commit, under = first
        if verify_from is None or under is not None:
            return commit
        last = self.rewritten.get(doc_id)
        return last[0] if last is not None and last[1] is not None else None

    def content_since(self, doc: Document) -> datetime | None:
        """When the content of `doc` (without its effective date) was first committed, if it was."""
        return self.first_seen.get((doc.id, doc.authored))

    def restores_release(self, transition: Transition) -> bool:
        """Whether the transition abandons a draft of a revision never approved, putting the document back exactly
        as its last release (`qms withdraw` of a revision): nothing new is written, signed or dated, so there is
        nothing further to judge."""
        before, after = transition.before, transition.after
        if not isinstance(before, Document) or not isinstance(after, Document) or before.status != "draft":
            return False
        if self.approved.get((before.id, before.revision)) or after.revision == before.revision:
            return False
        found = self.releases.get(after.id, [])
        return bool(found) and same_release(found[-1].doc, after) and found[-1].doc.path == after.path

    def apply(self, transition: Transition, stated: bool = False, void: bool = False, authored: bool = True) -> None:
        """Record what the transition established (`stated`: its dates are taken as stated, as for history carried
        over before verify_from, or an adoption; `void`: the rules voided the version it makes, which is then no
        release; `authored`: its committer wrote its content, which is not so of history carried over or of an
        adoption, whose administrator only brings in what others wrote)."""
        moment = transition.act.committed_at
        self.latest = moment if self.latest is None else max(self.latest, moment)
        if transition.kind is Kind.RECORD:
            self._training(transition)
        if transition.kind is not Kind.DOCUMENT:
            return
        act, after, before = transition.act, transition.after, transition.before
        if isinstance(after, Document):
            for entry in added_entries(transition):
                self.added_by.setdefault(entry_key(entry), act.author.lower())
                if act.config is not None:
                    self.signed_under.setdefault(entry_key(entry), act.config)
            if wrote_content(transition) and authored:
                self.authors.setdefault((after.id, after.revision), {}).setdefault(act.author, act.author_name)
                self.rewritten[after.id] = (act.sha, act.config.verify_from if act.config is not None else None)
            self.first_seen.setdefault((after.id, after.authored), act.authored_at)
            self.entered.setdefault(after.id, (act.sha, act.config.verify_from if act.config is not None else None))
            if after.status == "approved":
                self.approved.setdefault((after.id, after.revision), set()).add(after.fingerprint)
                if after.effective is not None:
                    self.last_effective[after.id] = (after.revision, after.effective)
            if after.status in ("approved", "obsolete"):
                self.ever_approved.add(after.id)
                if void:
                    self.void.setdefault(after.id, []).append(after)
                else:
                    self._release(Release(after, act.sha, transition.after_blob, max(self.latest, act.landed_at or
                                                                                     moment), act.config, stated))
        elif transition.after_path is None and isinstance(before, Document):
            self.retired[before.id] = transition.before_path or before.path

    def _training(self, transition: Transition) -> None:
        """A training record the act added (that no parent had): the evidence of who recorded it, judged then."""
        after, act = transition.after, transition.act
        if not isinstance(after, Record) or after.training is None or any(v is not None for v in transition.parents):
            return
        judged = tuple(problems(after.training, act.author, act.config)) if act.config is not None else None
        named = after.training
        released = any((r.doc.revision, r.doc.fingerprint) == (named.revision, named.fingerprint)
                       for r in self.releases.get(named.document, ()))
        if not released and self.releases.get(named.document):  # trained on a version not yet approved
            judged = (*(judged or ()), Problem("QMS180", f"training on {named.document} revision {named.revision} "
                                               "was recorded before that version was approved",
                                               f"train on the revision in force: qms train {named.document}"))
        self.trained.setdefault(after.id, Evidence(after.id, act.sha, act.author, judged, after.training))

    def _release(self, release: Release) -> None:
        found = self.releases.setdefault(release.doc.id, [])
        if not found or not same_release(found[-1].doc, release.doc):
            found.append(release)
        elif found[-1].doc.path != release.doc.path:  # moved: the same release, read from where it now is (in force
            found[-1] = replace(release, committed=found[-1].committed, stated=found[-1].stated)  # since it was)

    def attached_to(self, path: str) -> list[Document]:
        """The approved releases, each the last of its document, that link to the file at `path` (an image, a
        drawing): it is part of what they say. Read only where such a file changes, which few acts do."""
        return [found[-1].doc for _doc_id, found in sorted(self.releases.items()) if found
                and found[-1].doc.status == "approved" and any(link.resolved == path for link in found[-1].doc.links)]
