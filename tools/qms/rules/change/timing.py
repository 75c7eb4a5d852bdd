"""Time is a checked fact: signatures fall between the content they sign and the commit that adds them,
effective and obsoletion dates never precede the signatures that make them so, and nothing is dated in the
future. Git dates and front-matter times are claims; these rules check them against each other and the clock."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, time, timezone

from ...model.clock import stamp
from ...model.document import Approval, Document, Record
from ...model.finding import Finding
from ...model.transition import Kind, Transition, added_entries, entry_key
from . import Context, finding


def check_times(t: Transition, ctx: Context) -> Iterator[Finding]:
    """The times of added signatures and reviews, and the dates an act sets."""
    after = t.after
    if isinstance(after, Record) and t.before is None:
        if after.date > ctx.now.date() or (not t.act.staged and after.date > t.act.committed_at.date()):
            yield finding(t, after.line("date"), "QMS142", f"record {after.id} is dated {after.date}, after it was "
                          "committed", "a record is evidence of what happened: date it when it happened")
    if t.kind is not Kind.DOCUMENT or not isinstance(after, Document):
        return
    content_since = ctx.ledger.content_since(after) or t.act.authored_at
    for entry in added_entries(t):
        what = f"{entry.meaning} by {entry.name}" if isinstance(entry, Approval) else f"review by {entry.name}"
        problem = None
        if entry.at > ctx.now + ctx.skew:
            problem = f"is dated {stamp(entry.at)}, in the future"
        elif not t.act.staged and entry.at > t.act.committed_at + ctx.skew:
            problem = f"is dated {stamp(entry.at)}, after the commit that added it ({stamp(t.act.committed_at)})"
        elif entry.at < content_since - ctx.skew and after.id not in ctx.adopted:  # a review too: of what was there
            problem = f"is dated {stamp(entry.at)}, before the content it " \
                      f"{'signs' if isinstance(entry, Approval) else 'reviews'} was committed ({stamp(content_since)})"
        if problem:
            yield finding(t, entry.line, "QMS140", f"{what} of {after.id} revision {after.revision} {problem}",
                          "signatures are dated when they are made: sign again with qms approve", entry_key(entry))
    yield from _dates(t, after, ctx)


def _dates(t: Transition, after: Document, ctx: Context) -> Iterator[Finding]:
    before = t.before if isinstance(t.before, Document) else None
    if after.status == "approved" and after.effective is not None and not (
            before is not None and before.status == "approved" and before.fingerprint == after.fingerprint):
        signed = [a.at for a in after.approvals if a.meaning == "approval" and a.fingerprint == after.fingerprint]
        if signed and after.effective < max(signed).date():
            yield finding(t, after.line("effective"), "QMS141", f"{after.id} revision {after.revision} is effective "
                          f"from {after.effective}, before its approval on {max(signed).date()}",
                          "an effective date is never before the approval: approve with --effective today or "
                          "later")
        previous = ctx.ledger.last_effective.get(after.id)
        if previous is not None and previous[0] != after.revision and after.effective < previous[1]:
            yield finding(t, after.line("effective"), "QMS141", f"{after.id} revision {after.revision} is effective "
                          f"from {after.effective}, before revision {previous[0]} (effective {previous[1]})",
                          "a new revision takes effect on or after the one it replaces")
    if after.status == "obsolete" and after.obsoleted is not None and before is not None and \
            before.status != "obsolete":
        signed = [a.at for a in after.approvals if a.meaning == "obsoletion"]
        if signed and after.obsoleted < max(signed).date():
            yield finding(t, after.line("obsoleted"), "QMS141", f"{after.id} is obsolete from {after.obsoleted}, "
                          f"before its obsoletion was signed on {max(signed).date()}",
                          "withdraw it from today or a later date")


def check_act(transitions: list[Transition], ctx: Context) -> Iterator[Finding]:
    """A commit dated in the future, or before the commit it was made on (backdated)."""
    if not transitions or transitions[0].act.staged:
        return
    act = transitions[0].act
    if act.committed_at > ctx.now + ctx.skew:  # the date Git orders commits by: what is made on it waits for it
        yield finding(transitions[0], 1, "QMS142", f"commit is dated {stamp(act.committed_at)}, in the future: "
                      "nothing committed on it comes into force before then", "commit dates come from the "
                      "committer's clock: check it, and make the commit again")
    elif act.authored_at > ctx.now + ctx.skew:
        yield finding(transitions[0], 1, "QMS142", f"commit is dated {stamp(act.authored_at)} (its author date), "
                      "in the future", "commit dates come from the author's clock: check it, and make the commit "
                      "again")
    elif act.parent_committed_at is not None and act.committed_at < act.parent_committed_at - ctx.skew and \
            act.parent_committed_at <= ctx.now + ctx.skew:  # a parent dated in the future is itself reported
        yield finding(transitions[0], 1, "QMS142", f"commit is dated {stamp(act.committed_at)}, before the commit it "
                      f"was made on ({stamp(act.parent_committed_at)})", "a commit cannot be made before its parent: "
                      "the date was set by hand; make the commit again with the real date")


def settled(transitions: Iterable[Transition]) -> datetime:
    """The latest time these committed transitions claim (commit times, signature and review times, new records'
    days): the rules above compare only those with the clock, so a verdict on them given at a time no earlier
    than this one stays the same however far the clock moves on."""
    latest = datetime(1970, 1, 1, tzinfo=timezone.utc)
    for t in transitions:
        latest = max(latest, t.act.authored_at, t.act.committed_at)
        if isinstance(t.after, Record) and t.before is None:
            latest = max(latest, datetime.combine(t.after.date, time.max, tzinfo=timezone.utc))
        for entry in added_entries(t):
            latest = max(latest, entry.at)
    return latest
