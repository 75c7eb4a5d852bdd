"""Rules over transitions: one set of functions judges every change, whichever view asks.

The hook judges the staged change, CI every commit of a branch, `qms verify` every commit since verify_from,
and the write commands the change they are about to make. Each runs `walk` (or `judge_act` with a ledger it
already has) over transitions built by gitlog, so the same fact gets the same code in every view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import groupby

from ...model.config import Config
from ...model.finding import Finding, Severity
from ...model.ledger import Ledger
from ...model.transition import Act, Kind, Transition, adoption


@dataclass(frozen=True)
class Context:
    """What a rule may read besides the transition: the configuration in force, the ledger, the clock."""

    config: Config
    ledger: Ledger
    now: datetime
    adopted: frozenset[str] = frozenset()  # the documents the act adopts (see adoption): their approvals are stated

    @classmethod
    def of(cls, act: Act, fallback: Config | None, ledger: Ledger, now: datetime) -> Context:
        """The context of an act: the configuration in force at its parent (`fallback` where there is none)."""
        config = act.config or fallback
        if config is None:
            raise ValueError(f"no configuration to judge commit {act.sha[:12]} by")
        return cls(config, ledger, now)

    @property
    def skew(self) -> timedelta:
        """How far two clocks may disagree before a time is reported."""
        return timedelta(minutes=self.config.clock_skew_minutes)


Rule = Callable[[Transition, Context], Iterable[Finding]]
ActRule = Callable[[list[Transition], Context], Iterable[Finding]]


def finding(transition: Transition, line: int, code: str, message: str, hint: str, entry: str = "",
            severity: Severity = "error") -> Finding:
    """A finding about a transition: at its path, naming its act's commit and its document or record."""
    return Finding(transition.path, line, code, message, hint, severity, transition.act.sha, transition.key, entry)


def by(act: Act) -> str:
    """Who made an act, as messages name them."""
    return f"{act.author_name} <{act.author_email}>"


def _rules() -> tuple[tuple[Rule, ...], tuple[ActRule, ...]]:
    from . import adoptions, configuration, documents, records, signatures, timing, training

    return ((documents.check_document, signatures.check_entries, timing.check_times,
             configuration.check_configuration, configuration.check_controlled, training.check_training),
            (records.check_records, timing.check_act, adoptions.check_adoption))


def judge_act(transitions: list[Transition], ctx: Context) -> list[Finding]:
    """Every finding about one act's transitions, judged against the ledger before the act."""
    per_transition, per_act = _rules()
    ctx = replace(ctx, adopted=adoption(transitions))
    findings: list[Finding] = []
    for act_rule in per_act:
        findings += act_rule(transitions, ctx)
    for transition in transitions:
        if ctx.ledger.restores_release(transition):
            continue
        for rule in per_transition:
            findings += rule(transition, ctx)
    return findings


def acts(transitions: Iterable[Transition]) -> Iterator[tuple[Act, list[Transition]]]:
    """Transitions grouped by the act that made them, in order."""
    for act, group in groupby(transitions, key=lambda t: t.act):
        yield act, list(group)


REFUSALS = frozenset({"QMS041", "QMS120", "QMS121", "QMS122", "QMS130", "QMS139"})
"""What the rules find about a signature when it is added that stays true for good: a signature they refuse never
counts, in any view (model.state.Authority)."""
UNLAWFUL = frozenset({"QMS112", "QMS122", "QMS136", "QMS139"})
"""What the rules find about the deletion of a record that makes its disposal unlawful for good: a link to it
stays broken, whatever the disposition log says (Ledger.unlawful)."""
VOIDING = frozenset({"QMS100", "QMS106", "QMS107"})
"""What the rules find about a version of a document that makes it void for good: an approved revision changed
without a new revision, an obsolete document changed or brought back, two contents approved under one revision
number. A void version never comes into force, in any view (Ledger.void)."""


def walk(transitions: Iterable[Transition], config: Config | None, now: datetime,
         judged: Callable[[Act], bool], ledger: Ledger | None = None,
         counted: Callable[[Act], bool] | None = None) -> tuple[list[Finding], Ledger]:
    """Apply every transition in order to `ledger` (what history established before them; a new one if None),
    judging the acts `judged` selects, each by the configuration in force at its parent (`config` where history
    holds none); the findings and the ledger after the last act. The acts `counted` selects (those after
    verify_from) are judged too: the signatures the rules refuse in them, and the versions they void, are kept in
    the ledger."""
    ledger = Ledger() if ledger is None else ledger
    findings: list[Finding] = []
    for act, group in acts(transitions):
        report = judged(act)
        count = counted is not None and counted(act) and act.config is not None
        found = judge_act(group, Context.of(act, config, ledger, now)) if report or count else []
        if report:
            findings += found
        adopting = adoption(group) if count else frozenset()
        # An adoption's stated dates reach back before its commit only at the start (it sets verify_from): a later
        # one brings its documents into force from its commit on, as the line shows them (gitlog.snapshot).
        adopted = adopting if not (act.config is not None and act.config.verify_from) else frozenset()
        voided = {f.doc for f in found if f.code in VOIDING} if count else set()
        refused = [f for f in found if f.code in REFUSALS and f.entry and not ledger.holds(f.entry)] if count else []
        for transition in group:
            ledger.apply(transition, stated=not count or transition.key in adopted, void=transition.key in voided,
                         authored=transition.key not in adopting and (count or bool(act.parents)))  # a first
            #            commit carried over, like an adoption, brings in what others wrote
        if count:
            ledger.refuse(refused)
            ledger.unlawful.update(t.path for t in group if t.kind is Kind.RECORD and t.after is None and any(
                f.code in UNLAWFUL and f.path == t.path for f in found))
    return findings, ledger
