"""The rule engine: each family of rules is a module whose functions yield findings about a Workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..model.finding import Finding
from ..model.workspace import Workspace
from . import approvals, codeowners, identity, links, mandatory, placeholders, records, review, training

Rule = Callable[[Workspace], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    identity.check_identity,
    identity.check_unique_ids,
    approvals.check_approvals,
    approvals.check_status,
    links.check_references,
    links.check_links,
    review.check_reviews,
    mandatory.check_mandatory,
    mandatory.check_administration,
    records.check_records,
    training.check_training_records,
    training.check_overdue_training,
    placeholders.check_placeholders,
    placeholders.check_active_content,
    codeowners.check_codeowners,
)


def run(workspace: Workspace, strict: bool = False) -> list[Finding]:
    """Every finding about the workspace: reading problems first, then each rule's, sorted by place."""
    findings = list(workspace.findings)
    for rule in RULES:
        findings.extend(rule(workspace))
    if strict:
        findings = [_as_error(f) for f in findings]
    return sorted(set(findings))


def _as_error(finding: Finding) -> Finding:
    if finding.severity == "error":
        return finding
    return Finding(finding.path, finding.line, finding.code, finding.message, finding.hint, "error")


def errors(findings: Iterable[Finding]) -> Iterator[Finding]:
    """The findings that fail a check."""
    return (f for f in findings if f.severity == "error")
