"""Signature rules: an approval is added by the approver's own Git identity, never by an author of the revision."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..model.config import Config
from ..model.document import Approval, Document
from ..model.finding import Finding
from .changes import Sides


def added_approvals(item: Sides) -> list[Approval]:
    """Approvals present after the change and not before it."""
    if not isinstance(item.after, Document):
        return []
    def key(a: Approval) -> tuple[str, str, str, str]:
        return (a.email.lower(), a.meaning, a.fingerprint, a.at.isoformat())
    before = {key(a) for a in item.before.approvals} if isinstance(item.before, Document) else set()
    return [a for a in item.after.approvals if key(a) not in before]


def check_signatures(config: Config, parsed: list[Sides], committer: str,
                     authors_before: Callable[[Document], set[str]], where: str) -> Iterator[Finding]:
    """Approvals added in a change made by `committer` (an email); `where` names the change in messages."""
    for item in parsed:
        after = item.after
        if not isinstance(after, Document):
            continue
        added = added_approvals(item)
        if not added:
            continue
        changed_content = not isinstance(item.before, Document) or item.before.authored != after.authored
        authors: set[str] | None = None
        for approval in added:
            if approval.email.lower() != committer.lower():
                yield Finding(after.path, approval.line, "QMS120", f"approval by {approval.email} was added by "
                              f"{committer} {where}", f"only {approval.name} can add it, by running qms approve "
                              f"{after.id} as themselves")
                continue
            if not config.separation_of_duties or approval.meaning == "review":
                continue
            if authors is None:
                authors = authors_before(after) | ({committer.lower()} if changed_content else set())
            if approval.email.lower() in authors:
                yield Finding(after.path, approval.line, "QMS121", f"{approval.name} approved revision "
                              f"{after.revision} of {after.id}, whose content they authored",
                              "separation of duties: another person holding an approving role must approve it")
