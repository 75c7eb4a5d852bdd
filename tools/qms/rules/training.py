"""Training rules on the tree: a training record names a version that was in force; training is not overdue."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.finding import Finding
from ..model.inforce import Period
from ..model.training import OVERDUE, never_in_force
from ..model.workspace import Workspace


def check_training_records(ws: Workspace) -> Iterator[Finding]:
    """Each training record names a document, revision and fingerprint that was, is or will be in force (a record
    corrected by another is left to its correction)."""
    corrected = {record.corrects for record in ws.records if record.corrects}
    periods: dict[str, list[Period]] = {}  # by document: read once, however many records name it
    for record in ws.records:
        training = record.training
        if training is None or record.id in corrected:
            continue
        doc = ws.by_id.get(training.document)
        if doc is not None and doc.id not in periods:
            periods[doc.id] = ws.periods(doc)
        problem = never_in_force(training, periods[doc.id] if doc is not None else None, ws.config.revision_scheme)
        if problem is not None:
            yield Finding(record.path, training.line, "QMS180", problem, "train on the revision in force (qms train "
                          f"{training.document}); correct this record with qms record new training TITLE "
                          f"--corrects {record.id}")


def check_overdue_training(ws: Workspace) -> Iterator[Finding]:
    """Training not given by its due date: a warning (an error with --strict)."""
    for cell in ws.training:
        if cell.state == OVERDUE:
            doc, person = cell.document, cell.person
            yield Finding(cell.path, 1, "QMS183", f"{person.name} <{person.email}> is overdue for training on "
                          f"{doc.id} revision {doc.revision} (in force since {cell.since}, due {cell.due})",
                          f"{person.name} runs qms train {doc.id}, or a trainer records it with qms train {doc.id} "
                          f"--trainee {person.email} --method classroom", "warning")
