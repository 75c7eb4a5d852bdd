"""Change rules for training records: a training record is added by the person who gives it (the trainee's own
read-and-understood, or a trainer holding a role allowed to train), signed with their key where qms.yml requires
signatures, and names a version of the document that was, is or will be in force when it is added."""

from __future__ import annotations

from collections.abc import Iterator

from ...model.document import Record
from ...model.finding import Finding
from ...model.inforce import periods
from ...model.training import never_in_force, problems
from ...model.transition import Kind, Transition
from . import Context, finding
from .signatures import signed_by


def check_training(t: Transition, ctx: Context) -> Iterator[Finding]:
    """A training record added by the act (that no parent had)."""
    after = t.after
    if t.kind is not Kind.RECORD or not isinstance(after, Record) or after.training is None \
            or any(version is not None for version in t.parents):
        return
    training = after.training
    for problem in problems(training, t.act.author, ctx.config):
        yield finding(t, training.line, problem.code, problem.message, problem.hint)
    releases = ctx.ledger.releases.get(training.document)
    day = ctx.now.date() if t.act.staged else t.act.committed_at.date()
    named = periods(releases[-1].doc, releases, ctx.config, day, ctx.ledger.authority) if releases else []
    wrong = never_in_force(training, named, ctx.config.revision_scheme)
    if wrong is not None:
        yield finding(t, training.line, "QMS180", wrong, f"train on the revision in force: qms train "
                      f"{training.document}")
    yield from signed_by(t, training.given_by.email, f"training record {after.id}", training.line, ctx)
