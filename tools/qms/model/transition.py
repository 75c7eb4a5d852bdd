"""A change as the rules judge it: a document or record before and after, and the act that changed it.

An act is a commit, or the staged change taken as the next commit by your Git identity. A transition is one
document or record (matched by its id, never by path similarity) before and after one act. A merge commit's
transitions also carry the version in each other parent, so that the rules judge only what the merge brings in
that no parent had.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime

from .config import Config
from .document import Approval, Document, PeriodicReview, Record

Item = Document | Record
DISPOSITION_LOG = "records/disposition-log.csv"
CONFIG_TRAILER = "Config-Change"  # the commit-message trailer that says what a change to qms.yml does, and why
ADOPTION_TRAILER = "Adopted"  # one per document in the commit that adopts it: the approvals it had before Git


class SignatureStatus(str, enum.Enum):
    """Git's %G? verdict on a commit's signature."""

    GOOD = "G"            # good signature from a trusted key
    UNKNOWN_TRUST = "U"   # good signature, key of unknown validity
    NONE = "N"            # not signed
    BAD = "B"
    EXPIRED = "X"
    EXPIRED_KEY = "Y"
    REVOKED = "R"
    NO_KEY = "E"          # the key to check it is missing

    @property
    def good(self) -> bool:
        """Whether the signature itself checks out (whose key it is, is another question)."""
        return self in (SignatureStatus.GOOD, SignatureStatus.UNKNOWN_TRUST)

    @property
    def lasting(self) -> bool:
        """Whether the verdict depends on the commit alone, not on a keyring that may change."""
        return self in (SignatureStatus.GOOD, SignatureStatus.UNKNOWN_TRUST, SignatureStatus.BAD,
                        SignatureStatus.NONE)


@dataclass(frozen=True)
class Signature:
    """What Git says about a commit's signature: the verdict, the key and the signer it names."""

    status: SignatureStatus = SignatureStatus.NONE
    key: str = ""          # %GK: the key id (GPG) or key fingerprint (SSH)
    fingerprint: str = ""  # %GF: the key's fingerprint
    signer: str = ""       # %GS: the name (GPG user id, or the allowed-signers principal)
    primary: str = ""      # %GP: the primary key's fingerprint (GPG)

    @property
    def lasting(self) -> bool:
        """Whether Git's verdict on this signature depends on the commit alone (see SignatureStatus.lasting)."""
        return self.status.lasting

    def made_with(self, keys: set[str]) -> bool:
        """Whether this is a good signature made with one of `keys` (fingerprints, see model/keys.py)."""
        return self.status.good and bool({self.key, self.fingerprint, self.primary} & keys - {""})


UNSIGNED = Signature()


@dataclass(frozen=True)
class Act:
    """A commit, or the staged change (sha ""), with the facts the rules need."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: datetime
    committer_name: str
    committer_email: str
    committed_at: datetime
    message: str = ""
    signature: Signature = UNSIGNED
    config: Config | None = field(default=None, compare=False, repr=False)  # qms.yml in force at the parent
    parent_committed_at: datetime | None = field(default=None, compare=False, repr=False)  # the first parent's date
    landed_at: datetime | None = field(default=None, compare=False, repr=False)  # when it reached the line judged (None: when made)

    @property
    def staged(self) -> bool:
        """Whether this is the staged change rather than a commit."""
        return not self.sha

    @property
    def short(self) -> str:
        return self.sha[:12] if self.sha else "the staged change"

    @property
    def merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def author(self) -> str:
        return self.author_email.lower()

    def trailer(self, name: str) -> str:
        """The last `name:` trailer of the commit message (empty if it has none)."""
        found = re.findall(rf"^{re.escape(name)}:[ \t]*(\S.*)$", self.message, flags=re.MULTILINE | re.IGNORECASE)
        return found[-1].strip() if found else ""


class Kind(str, enum.Enum):
    DOCUMENT = "document"
    RECORD = "record"
    LOG = "disposition log"
    CONFIG = "configuration"
    CONTROLLED = "controlled file"  # a file qms.yml `controlled` names (mkdocs.yml, the hooks, CI): only blob ids
    COMMIT = "commit"  # a commit that changed no QMS file, kept only because it is dated later than the clock


@dataclass(frozen=True)
class Transition:
    """One document, record or the disposition log, before and after one act."""

    act: Act
    kind: Kind
    key: str                       # the id; the path where neither side could be read
    before_path: str | None
    after_path: str | None
    before: Item | None            # None: absent, or unreadable
    after: Item | None
    others: tuple[Item | None, ...] = ()   # a merge: the version in each other parent
    before_text: str = ""          # the disposition log and qms.yml: their text before and after
    after_text: str = ""
    after_blob: str | None = None  # where the full text of `after` can be read
    other_texts: tuple[str, ...] = ()  # a merge: the disposition log's text in each other parent

    @property
    def path(self) -> str:
        """Where findings point: the path after the act, else before it."""
        return self.after_path or self.before_path or self.key

    @property
    def parents(self) -> tuple[Item | None, ...]:
        """The version in every parent, first parent first."""
        return (self.before, *self.others)


def entry_key(entry: Approval | PeriodicReview) -> str:
    """What makes two approval or review entries the same signature."""
    if isinstance(entry, Approval):
        return f"approval|{entry.email.lower()}|{entry.meaning}|{entry.fingerprint}|{entry.at.isoformat()}"
    return f"review|{entry.document}|{entry.email.lower()}|{entry.at.isoformat()}"


def entries(doc: Document) -> list[Approval | PeriodicReview]:
    """A document's approvals and periodic reviews."""
    return [*doc.approvals, *doc.periodic_reviews]


def added_entries(transition: Transition) -> list[Approval | PeriodicReview]:
    """Approvals and periodic reviews present after the act and in no parent before it."""
    after = transition.after
    if not isinstance(after, Document) or not (present := entries(after)):  # a draft has none to compare
        return []
    known = {entry_key(entry) for version in transition.parents if isinstance(version, Document)
             for entry in entries(version)}
    return [entry for entry in present if entry_key(entry) not in known]


def removed_entries(transition: Transition) -> list[Approval | PeriodicReview]:
    """Approvals and periodic reviews of the first parent that the act removed."""
    before, after = transition.before, transition.after
    if not isinstance(before, Document) or not isinstance(after, Document):
        return []
    kept = {entry_key(entry) for entry in entries(after)}
    return [entry for entry in entries(before) if entry_key(entry) not in kept]


def wrote_content(transition: Transition) -> bool:
    """Whether the act wrote content of the document's revision that no parent had (what separation of duties
    is about): the body, title, type, id or revision, not the effective date an approver may set."""
    after = transition.after
    if not isinstance(after, Document):
        return False
    return not any(isinstance(v, Document) and v.revision == after.revision and v.authored == after.authored
                   for v in transition.parents)


def may_change_config(act: Act, before: Config | None, made_on: Config | None) -> bool:
    """Whether a change to qms.yml made by `act` comes into force: made by an administrator under the
    configuration before it, signed with their own key where that configuration requires signatures, on the
    qms.yml in force (`made_on`: the one its parent holds). An administrator's commit on top of a change that
    never came into force would otherwise bring that change in unseen. The first qms.yml founds the configuration."""
    if before is None:
        return True
    signed = not before.signed_approvals or act.signature.made_with(before.keys_of(act.author))
    return before.may_administer(act.author) and signed and made_on_force(before, made_on)


def made_on_force(before: Config, made_on: Config | None) -> bool:
    """Whether a change to qms.yml was made on the version in force (`made_on`: the one its parent holds), as an
    administered configuration requires; before qms.yml names administrators, nothing is administered yet."""
    return before.administrators is None or made_on == before


def adoption(transitions: list[Transition]) -> frozenset[str]:
    """The documents an act adopts (`qms adopt`): the ids it adds to `adopted` in qms.yml, when it is made by an
    administrator under the qms.yml before it (signed with their key where that requires signatures; the staged
    change is not signed yet). The approvals the act adds to those documents were made before the QMS lived in
    Git: stated by the administrator, never verified. Empty for every other act."""
    from .config import settings

    change = next((t for t in transitions if t.kind is Kind.CONFIG and t.after_path), None)
    if change is None or change.act.config is None:
        return frozenset()
    added = _ids(settings(change.after_text).get("adopted")) - _ids(settings(change.before_text).get("adopted"))
    act, before = change.act, change.act.config
    made_on = parsed_config(change.before_text)
    if not added or not before.may_administer(act.author) or not made_on_force(before, made_on) or \
            not (act.staged or may_change_config(act, before, made_on)):
        return frozenset()
    return frozenset(added)


def parsed_config(text: str | None) -> Config | None:
    """The configuration a qms.yml text states, whoever wrote it (None: no file, or one that cannot be read)."""
    from .config import ConfigError, parse_config

    try:
        return parse_config(text.encode("utf-8")) if text else None
    except ConfigError:
        return None


def _ids(listed: object) -> set[str]:
    return {str(item).strip() for item in listed} if isinstance(listed, list) else set()
