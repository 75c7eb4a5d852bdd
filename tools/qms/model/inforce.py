"""What is in force on a day: for every document, the revision staff work to, and the version it comes from.

This is the one answer the rules (mandatory information, references), `qms list`, `qms history`, the manual and the
audit pack read. Its facts are the releases history holds (every approved or obsolete version, with the commit
that made it and the qms.yml in force there) and the version in the folder being judged. On a day D the version in
force is the newest of them that the document-control rules make effective on D: a draft of the next revision, a
revision approved for a later date, or a version whose approvals do not count leaves the one before it in force;
an obsoletion in force on D withdraws the document, and one from a later date leaves it in force until then.
Before `verify_from` the releases are the adopted versions, whose effective and obsoleted dates are taken as
stated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from .config import Config
from .document import Document
from .state import DRAFT, EFFECTIVE, OBSOLETE, PENDING, Authority, Judged, assess, judged


@dataclass(frozen=True)
class Release:
    """A version of a document that could be in force: approved or obsolete, committed or in the folder."""

    doc: Document  # history keeps a summary (no body); the folder's version is whole
    commit: str | None  # None: not committed yet
    blob: str | None = None
    committed: datetime | None = None
    config: Config | None = None  # the qms.yml in force when it was committed (None: the one being judged by)
    stated: bool = False  # carried over before verify_from, or adopted: its dates are taken as stated

    @property
    def since(self) -> date | None:
        """The first day this version can be in force: its effective date, or the day it reached the line judged
        where that is later (a version approved on a branch and merged afterwards)."""
        effective = self.doc.effective
        if effective is None or self.stated or self.committed is None:
            return effective
        return max(effective, self.committed.astimezone(timezone.utc).date())

    def existed_on(self, day: date) -> bool:
        """Whether this version was in the repository on `day`: a version comes into force no earlier than the
        day it was committed (its effective date is a claim; the commit is where it exists), unless its dates
        are taken as stated."""
        return self.stated or self.committed is None or self.committed.astimezone(timezone.utc).date() <= day


@dataclass(frozen=True)
class Standing:
    """Where one document stands on a day: its own version's state, and what is in force."""

    current: Document  # the version in the folder
    state: str  # the current version's own state on the day
    in_force: Release | None  # the version in force on the day, if any
    withdrawn: Release | None  # the obsoletion in force on the day, if the document is withdrawn

    @property
    def from_history(self) -> bool:
        """Whether what is in force is an earlier version than the folder's (the file is being revised)."""
        return self.in_force is not None and self.in_force.doc is not self.current


def standing(current: Document, releases: Sequence[Release], config: Config, day: date,
             authority: Authority | None = None, commit: str | None = None, state: str | None = None,
             void: Sequence[Document] = (), memo: dict[tuple[int, int], Judged] | None = None) -> Standing:
    """Where `current` stands on `day`, given the releases of its id that history holds, oldest first (`commit`:
    the commit `current` was read from, if it was read from one; `state`: its own state on `day` by `config`,
    when the caller has assessed it already; `void`: versions history's rules voided, which the folder's version
    may be, and which never come into force; `memo`: each version's day-independent judgement, by id, where the
    caller reads many days, by the ids of the version and the configuration)."""
    def state_on(doc: Document, judge: Config) -> str:
        if memo is None:
            return assess(doc, judge, day, authority).state
        found = memo.get((id(doc), id(judge)))  # a Judged holds both, so their ids stay theirs
        if found is None:
            found = memo[(id(doc), id(judge))] = judged(doc, judge, authority)
        return found.on(day).state

    state = state_on(current, config) if state is None else state
    candidates = [*releases]
    if candidates and same_release(candidates[-1].doc, current):
        last = candidates.pop()  # the folder holds exactly the last release: keep its commit, use the whole text
        candidates.append(Release(current, last.commit, last.blob, last.committed, last.config, last.stated))
    elif current.status in ("approved", "obsolete") and not any(same_release(v, current) for v in void):
        candidates.append(Release(current, commit))
    for release in reversed(candidates):
        if not release.existed_on(day):
            continue
        same = release.doc is current and (release.config is None or _equal(release.config, config))
        verdict = state if same else state_on(release.doc, release.config or config)
        if verdict == EFFECTIVE:
            return Standing(current, state, release, None)
        if verdict == OBSOLETE:
            return Standing(current, state, None, release)
    return Standing(current, state, None, None)


_compared: dict[tuple[int, int], tuple[Config, Config, bool]] = {}  # holds both, so their ids stay theirs


def _equal(a: Config, b: Config) -> bool:
    """Whether two configurations are equal, compared once a pair (history shares a few among many releases)."""
    if a is b:
        return True
    found = _compared.get((id(a), id(b)))
    if found is None:
        found = _compared[(id(a), id(b))] = (a, b, a == b)
    return found[2]


Period = tuple[Release, date, date | None]  # a version, the day it came into force, the day it stopped (None: not)


def periods(current: Document, releases: Sequence[Release], config: Config, today: date,
            authority: Authority | None = None, void: Sequence[Document] = ()) -> list[Period]:
    """Each version that was, is or will be in force, with the day it came into force and the day it stopped
    (None: still in force on the last date the facts name). What is in force changes only on an effective or an
    obsoleted date, so it is read on each of those days."""
    days = sorted({d for release in [*releases, Release(current, None)]
                   for d in (release.doc.effective, release.doc.obsoleted) if d is not None} | {today} |
                  {r.committed.astimezone(timezone.utc).date() for r in releases if not r.stated and r.committed})
    found: list[Period] = []
    memo: dict[tuple[int, int], Judged] = {}  # every version's approvals are judged once, whatever the day
    for day in days:
        release = standing(current, releases, config, day, authority, void=void, memo=memo).in_force
        if found and (release is None or release.doc is not found[-1][0].doc) and found[-1][2] is None:
            found[-1] = (found[-1][0], found[-1][1], day)
        if release is not None and (not found or release.doc is not found[-1][0].doc):
            found.append((release, day, None))
    return found


def same_release(a: Document, b: Document) -> bool:
    """Whether two versions state the same controlled facts (layout and line numbers aside)."""
    return _facts(a) == _facts(b)


def _facts(doc: Document) -> tuple[object, ...]:
    return (doc.id, doc.revision, doc.status, doc.effective, doc.obsoleted, doc.reason, doc.superseded_by,
            *doc.governing(), doc.training,
            tuple((a.email.lower(), a.role, a.meaning, a.at, a.fingerprint) for a in doc.approvals),
            tuple((r.email.lower(), r.at, r.outcome) for r in doc.periodic_reviews))


def describe(item: Standing) -> str:
    """A short account of what is in force, for people."""
    if item.withdrawn is not None:
        doc = item.withdrawn.doc
        return f"withdrawn on {doc.obsoleted}" + (f", replaced by {doc.superseded_by}" if doc.superseded_by else "")
    if item.in_force is None:
        return {DRAFT: "a draft", PENDING: "not yet in force"}.get(item.state, f"{item.state}, not in force")
    return f"revision {item.in_force.doc.revision} in force since {item.in_force.since}"
