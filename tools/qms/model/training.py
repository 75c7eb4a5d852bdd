"""Training on documents: who must be trained on which revision, by when, and what a training record proves.

This is the one home of the training state that `qms check`, `qms training`, `qms inbox`, the audit pack and the
manual read. Who is concerned comes from qms.yml (`Config.trainees`); when a revision came into force from the one
in-force computation (inforce.periods); whether a record counts from the ledger, which judged it at the commit
that added it (given by the person it names, a trainer holding a role allowed to train). A person is due from the
day the latest revision needing training came into force, plus the grace period; a record for that revision, or a
later one, settles it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from .config import Config, Person
from .document import Document, Record, Training
from .inforce import Period
from .revision import is_valid, ordinal
from .state import add_days

if TYPE_CHECKING:
    from .workspace import Workspace

State = Literal["trained", "older", "due", "overdue"]
TRAINED: State = "trained"  # trained on the revision in force (or one approved to follow it)
OLDER: State = "older"  # trained on an earlier revision, and no revision since needs retraining
DUE: State = "due"
OVERDUE: State = "overdue"
READ = "read-and-understood"


@dataclass(frozen=True)
class Problem:
    """Why a training record does not count, as a rule reports it."""

    code: str
    message: str
    hint: str


@dataclass(frozen=True)
class Evidence:
    """A committed training record: the commit that added it, who made that commit, and why it does not count
    (judged by the qms.yml in force at its parent; None: no qms.yml there, judged by today's)."""

    record: str
    commit: str
    author: str
    problems: tuple[Problem, ...] | None
    training: Training  # what the record attested when it was committed


@dataclass(frozen=True)
class Cell:
    """One person against one document: where their training stands on the day."""

    person: Person
    document: Document  # the version in force
    state: State
    since: date  # the day the revision that needs training came into force
    due: date  # since + grace period
    record: Record | None  # the record that counts (the latest), if any
    evidence: Evidence | None
    path: str  # the document's file

    @property
    def trained_revision(self) -> str | None:
        return self.record.training.revision if self.record is not None and self.record.training else None


def problems(training: Training, author: str, config: Config) -> list[Problem]:
    """Why a training record added by the Git identity `author` does not count under `config`: it is given by
    the person it names (the trainee's own read-and-understood, or the trainer's attestation), and a trainer holds
    a role allowed to train."""
    giver = training.given_by
    found = []
    if giver.email.lower() != author.lower():
        what = "read-and-understood" if training.trainer is None else f"{training.method} training"
        found.append(Problem("QMS181", f"{what} of {training.trainee.name} on {training.document} revision "
                             f"{training.revision} is given in the name of {giver.email} but was recorded by "
                             f"{author}", "each person records their own: the trainee runs qms train "
                             f"{training.document}; a trainer runs qms train {training.document} --trainee EMAIL "
                             "--method ..."))
    elif training.trainer is not None and training.trainer.email.lower() == training.trainee.email.lower():
        found.append(Problem("QMS182", f"{training.trainer.email} attests {training.method} training of themselves "
                             f"on {training.document}", "a trainer attests the training of others; for yourself, "
                             f"record your read-and-understood: qms train {training.document}"))
    elif training.trainer is not None and not config.may_train(giver.email):
        roles = ", ".join(config.training.trainers) if config.training is not None and config.training.trainers \
            else "none named"
        found.append(Problem("QMS182", f"{training.trainer.email} attests {training.method} training of "
                             f"{training.trainee.name} on {training.document} but holds no role allowed to train "
                             f"({roles})", "a holder of a role under training.trainers in qms.yml attests training; "
                             "the trainee may record their own read-and-understood"))
    return found


def named_period(training: Training, periods: Sequence[Period]) -> int | None:
    """The index of the period in force whose version the record names (id, revision and fingerprint)."""
    for index, (release, _start, _end) in enumerate(periods):
        doc = release.doc
        if (doc.id, doc.revision, doc.fingerprint) == (training.document, training.revision, training.fingerprint):
            return index
    return None


def never_in_force(training: Training, periods: Sequence[Period] | None, scheme: str) -> str | None:
    """What is wrong with the version a record names, if it was never in force (`periods`: None for no such
    document); None if it names a version that was, is or will be in force, or one older than every version the
    facts hold (a revision before the QMS was adopted, or before this copy's history began: nothing is known of it,
    and it counts for nobody)."""
    name = f"{training.document} revision {training.revision}"
    if periods is None:
        return f"training on {training.document}, which is not a document"
    if named_period(training, periods) is not None:
        return None
    known = [ordinal(scheme, release.doc.revision) for release, _s, _e in periods
             if is_valid(scheme, release.doc.revision)]
    if known and is_valid(scheme, training.revision) and ordinal(scheme, training.revision) < min(known):
        return None
    if any(release.doc.revision == training.revision for release, _s, _e in periods):
        return f"training on {name} names fingerprint {training.fingerprint[:19]}..., not the content approved as " \
               "that revision"
    return f"training on {name}, which was never in force (a draft, or never approved)"


def assess(ws: Workspace) -> list[Cell]:
    """Every person concerned against every document in force on the day, in document then email order."""
    config = ws.config
    if config.training is None:
        return []
    grace = config.training.grace_days
    records: dict[tuple[str, str], list[Record]] = {}
    for record in ws.records:
        if record.training is not None:
            records.setdefault((record.training.document, record.training.trainee.email.lower()), []).append(record)
    cells: list[Cell] = []
    for doc in sorted(ws.documents, key=lambda d: d.id):
        people = config.trainees(doc.id, doc.type)
        in_force = ws.standing(doc).in_force if people else None
        if in_force is None:
            continue
        periods = ws.periods(doc)
        current = next((i for i, (release, _s, _e) in enumerate(periods) if release.doc is in_force.doc or
                        (release.doc.revision, release.doc.fingerprint) == (in_force.doc.revision,
                                                                           in_force.doc.fingerprint)), None)
        if current is None:
            continue
        needing = [i for i in range(current + 1) if periods[i][0].doc.needs_training]
        if not needing:
            continue
        since = periods[needing[-1]][1]
        for person in people:
            best: tuple[int, Record, Evidence | None] | None = None
            for record in records.get((doc.id, person.email.lower()), ()):
                assert record.training is not None
                evidence = counts(ws, record)
                index = named_period(record.training, periods) if evidence is not None else None
                if index is not None and index <= current and (best is None or index >= best[0]):
                    # a record for a revision not yet in force on the day is no training on the one in force
                    best = (index, record, evidence)
            if best is not None and best[0] >= needing[-1]:
                state: State = TRAINED if best[0] >= current else OLDER
            else:
                state = OVERDUE if ws.today > add_days(since, grace) else DUE
            cells.append(Cell(person, in_force.doc, state, since, add_days(since, grace), best[1] if best else None,
                              best[2] if best else None, doc.path))
    return cells


def counts(ws: Workspace, record: Record) -> Evidence | None:
    """The evidence that a record counts: committed, given by the person it names, by someone allowed to;
    None if it does not (or is not committed yet)."""
    evidence = ws.history.trained.get(record.id)
    if evidence is None or record.training is None or evidence.training != record.training:
        return None
    found = evidence.problems if evidence.problems is not None else \
        tuple(problems(record.training, evidence.author, ws.config))
    return evidence if not found else None


COLUMNS = ("document", "title", "revision", "name", "email", "state", "since", "due", "trained_revision", "record",
           "method", "commit")


def row(cell: Cell) -> dict[str, object]:
    """One cell as plain data, with its evidence (the record and the commit that added it): what `qms training`,
    `qms inbox` and the audit pack show."""
    training = cell.record.training if cell.record is not None else None
    return {"document": cell.document.id, "title": cell.document.title, "revision": cell.document.revision,
            "name": cell.person.name, "email": cell.person.email, "state": cell.state,
            "since": cell.since.isoformat(), "due": cell.due.isoformat(),
            "trained_revision": training.revision if training else None,
            "record": cell.record.id if cell.record else None, "record_path": cell.record.path if cell.record else None,
            "method": training.method if training else None,
            "commit": cell.evidence.commit if cell.evidence else None}
