"""The audit trail of each document, from the transitions of the history index: revisions, authors, signatures,
and what the one rule set found about each signature; and the trail of qms.yml itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from dataclasses import dataclass, field

from ..model import revision as revisions
from ..model.config import CONFIG_FILE, Config, settings
from ..model.document import Approval, Document
from ..model.finding import Finding
from ..model.inforce import Period
from ..model.transition import CONFIG_TRAILER, Act, Kind, Transition, added_entries, entry_key

SIGNED, RECORDED, ADOPTED, NOT_VALID = "signed", "recorded", "adopted", "not valid"
VERDICTS = {
    SIGNED: "signed with the approver's key",
    RECORDED: "recorded by the approver's Git identity (no cryptographic proof)",
    ADOPTED: "adopted (made before the QMS lived in Git)",
    NOT_VALID: "not valid",
}


@dataclass(frozen=True)
class Signed:
    """An approval, the act that added it, and the version of the document it was added to."""

    approval: Approval
    act: Act
    version: Document


@dataclass(frozen=True)
class Adopted:
    """Which approvals history holds as adopted rather than verified: those present at verify_from (history carried
    over as it stood), and those an adoption added to the documents it adopted (model.transition.adoption)."""

    carried: frozenset[str] = frozenset()  # the commits up to and including verify_from
    stated: Mapping[str, frozenset[str]] = field(default_factory=dict)  # adoption commit -> the ids it adopted

    def covers(self, signed: Signed) -> bool:
        """Whether `signed` is an adopted approval."""
        return signed.act.sha in self.carried or signed.version.id in self.stated.get(signed.act.sha, ())


@dataclass
class Revision:
    """One revision of a document through history."""

    doc_id: str
    revision: str
    introduced: Act
    versions: list[tuple[Transition, Document]] = field(default_factory=list)
    signed: list[Signed] = field(default_factory=list)

    @property
    def last(self) -> Document:
        """The latest version of this revision."""
        return self.versions[-1][1]


def by_document(transitions: Iterable[Transition]) -> dict[str, list[Transition]]:
    """The transitions of each document, by id (a move keeps the id, so it keeps the history)."""
    found: dict[str, list[Transition]] = {}
    for transition in transitions:
        if transition.kind is Kind.DOCUMENT and isinstance(transition.after or transition.before, Document):
            found.setdefault(transition.key, []).append(transition)
    return found


def document_revisions(transitions: list[Transition]) -> list[Revision]:
    """The revisions of one document, oldest first, from its transitions in history order."""
    found: dict[str, Revision] = {}
    for transition in transitions:
        after = transition.after
        if not isinstance(after, Document):
            continue
        entry = found.get(after.revision)
        if entry is None:
            entry = found[after.revision] = Revision(after.id, after.revision, transition.act)
        entry.versions.append((transition, after))
        entry.signed += [Signed(a, transition.act, after) for a in added_entries(transition) if isinstance(a, Approval)]
    return sorted(found.values(), key=lambda r: _order(r.revision))


def revisions_by_document(transitions: Iterable[Transition]) -> dict[str, list[Revision]]:
    """The revisions of every document, by id (document_revisions of each)."""
    return {doc_id: document_revisions(found) for doc_id, found in by_document(transitions).items()}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _order(value: str) -> tuple[int, int]:
    scheme = "numeric" if value.isdigit() else "alpha"
    return (0, revisions.ordinal(scheme, value)) if revisions.is_valid(scheme, value) else (1, 0)


def problems_by_entry(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """The findings of the rules about each signature, by its entry key."""
    found: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.entry:
            found.setdefault(finding.entry, []).append(finding)
    return found


def verdict(signed: Signed, adopted: Adopted, problems: dict[str, list[Finding]]) -> tuple[str, list[str]]:
    """What was proved about one approval: signed with a key qms.yml registered to the approver when it was
    added, recorded by their Git identity only, adopted, or not valid (with why)."""
    if adopted.covers(signed):
        return ADOPTED, []
    found = problems.get(entry_key(signed.approval), [])
    if found:
        return NOT_VALID, [f"{f.code} {f.message}" for f in found]
    keys = signed.act.config.keys_of(signed.approval.email) if signed.act.config else set()
    return (SIGNED if signed.act.signature.made_with(keys) else RECORDED), []


def proofs(revisions: Iterable[Revision], adopted: Adopted, problems: dict[str, list[Finding]]) -> dict[str, str]:
    """What was proved about every approval of `revisions` (all that history holds), by entry key (the words of
    VERDICTS)."""
    return {entry_key(signed.approval): VERDICTS[verdict(signed, adopted, problems)[0]]
            for revision in revisions for signed in revision.signed}


def revision_rows(entries: list[Revision], config: Config, adopted: Adopted, problems: dict[str, list[Finding]],
                  authors: Callable[[str, str], dict[str, str]], periods: Sequence[Period] = ()
                  ) -> list[dict[str, object]]:
    """Each revision as a plain dict (the JSON form, also used by the audit pack), with who wrote it (`authors`:
    the ledger's Ledger.revision_authors, the one answer the separation-of-duties rule reads too) and when it was
    in force (from model.inforce.periods)."""
    spans: dict[str, tuple[date, date | None]] = {}
    for release, start, end in periods:
        spans[release.doc.revision] = (spans.get(release.doc.revision, (start, None))[0], end)
    rows: list[dict[str, object]] = []
    for entry in entries:
        last = entry.last
        approvers = []
        for signed in entry.signed:
            approval = signed.approval
            state, why = verdict(signed, adopted, problems)
            approvers.append({"name": approval.name, "email": approval.email, "role": approval.role,
                              "meaning": approval.meaning, "at": approval.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "commit": signed.act.sha, "verdict": state, "proof": VERDICTS[state],
                              "problems": why, "current": approval.fingerprint == last.fingerprint})
        rows.append({
            "revision": entry.revision, "status": last.status,
            "effective": last.effective.isoformat() if last.effective else None, "change": last.change,
            "title": last.title, "introduced": entry.introduced.sha,
            "introduced_at": entry.introduced.committed_at.isoformat(),
            "authors": [f"{name} <{email}>" for email, name in authors(entry.doc_id, entry.revision).items()],
            "approvals": approvers, "commits": [t.act.sha for t, _doc in entry.versions],
            "fingerprint": last.fingerprint,
            "in_force_from": _iso(spans[entry.revision][0]) if entry.revision in spans else None,
            "in_force_until": _iso(spans[entry.revision][1]) if entry.revision in spans else None,
        })
    return rows


@dataclass(frozen=True)
class ConfigChange:
    """One commit that changed qms.yml: who, why, which settings, and whether it came into force."""

    act: Act
    why: str
    changed: tuple[str, ...]
    in_force: bool
    verify_from: tuple[str | None, str | None]  # before and after
    problems: tuple[Finding, ...]


def config_changes(transitions: Iterable[Transition], configs: dict[str, Config | None],
                   findings: Iterable[Finding]) -> list[ConfigChange]:
    """Every change to qms.yml in history order, with what the one rule set found about each."""
    by_commit: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.doc == CONFIG_FILE and finding.commit:
            by_commit.setdefault(finding.commit, []).append(finding)
    found = []
    for t in transitions:
        if t.kind is not Kind.CONFIG:
            continue
        before, after = settings(t.before_text), settings(t.after_text)
        changed = ("(created)",) if not t.before_text else ("(deleted)",) if t.after_path is None else \
            tuple(sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key)))
        parent = configs.get(t.act.parents[0]) if t.act.parents else None
        now = configs.get(t.act.sha)
        found.append(ConfigChange(t.act, t.act.trailer(CONFIG_TRAILER), changed, now is not parent and now is not None,
                                  (_text(before.get("verify_from")), _text(after.get("verify_from"))),
                                  tuple(by_commit.get(t.act.sha, ()))))
    return found


def _text(value: object) -> str | None:
    return str(value) if value is not None else None
