"""Change rules for adoptions: only approvals made before the QMS lived in Git are adopted.

An adoption (`qms adopt`, model.transition.adoption) states approvals made before the QMS lived in Git. A document
history first saw while it did (committed after verify_from, or at any time when verify_from stays unset and all
history is verified), or whose text a commit after verify_from changed, was written in Git, so its approvals are
given in Git, with qms approve; an adoption may bring in documents only in its own commit, or adopt those that were
present at verify_from, as they were there.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model.config import settings
from ...model.document import Document
from ...model.finding import Finding
from ...model.transition import Kind, Transition
from . import Context, finding


def check_adoption(transitions: list[Transition], ctx: Context) -> Iterator[Finding]:
    """The documents an act adopts were not written in Git."""
    if not ctx.adopted:
        return
    change = next(t for t in transitions if t.kind is Kind.CONFIG and t.after_path)
    verify_from = settings(change.after_text).get("verify_from")
    for t in transitions:
        after = t.after
        if t.kind is not Kind.DOCUMENT or not isinstance(after, Document) or after.id not in ctx.adopted:
            continue
        first = ctx.ledger.written_in_git(after.id, str(verify_from) if verify_from else None)
        if first is not None:
            yield finding(t, after.line("id"), "QMS175", written_in_git(after.id, first), ADOPT_HINT)


def written_in_git(doc_id: str, first: str) -> str:
    """Why a document cannot be adopted (the one wording the rule and qms adopt use)."""
    return (f"{doc_id} cannot be adopted: commit {first[:12]}, after verify_from, wrote its text in Git, so its "
            "approvals were not made before the QMS lived in Git")


ADOPT_HINT = ("approve it in Git with qms approve; only a document the adoption itself brings in (qms import, then "
              "qms adopt, without committing the draft first) or one present at verify_from, unchanged since, is "
              "adopted")
