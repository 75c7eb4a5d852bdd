"""The rule engine: each family of rules is a module whose functions yield findings about a Workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..model.finding import Finding
from ..model.workspace import Workspace
from . import approvals, codeowners, identity, links, mandatory, placeholders, records, review, training

Rule = Callable[[Workspace], Iterable[Finding]]

ITEM_RULES: tuple[Rule, ...] = (  # what each says of an item reads it, what it names, and what shares its id
    identity.check_identity,
    identity.check_unique_ids,
    approvals.check_approvals,
    approvals.check_status,
    links.check_references,
    links.check_links,
    review.check_reviews,
    records.check_records,
    training.check_training_records,
    placeholders.check_placeholders,
    placeholders.check_active_content,
)
WHOLE_RULES: tuple[Rule, ...] = (  # what each says reads every document (rules.verdict.whole_facts)
    mandatory.check_mandatory,
    mandatory.check_administration,
    training.check_overdue_training,
    codeowners.check_codeowners,
)
RULES = ITEM_RULES + WHOLE_RULES


def run(workspace: Workspace, strict: bool = False) -> list[Finding]:
    """Every finding about the workspace: reading problems first, then each rule's, sorted by place."""
    findings = list(workspace.findings)
    for rule in RULES:
        findings.extend(rule(workspace))
    if strict:
        findings = [f.as_error() for f in findings]
    return sorted(set(findings))


def errors(findings: Iterable[Finding]) -> Iterator[Finding]:
    """The findings that fail a check."""
    return (f for f in findings if f.severity == "error")
