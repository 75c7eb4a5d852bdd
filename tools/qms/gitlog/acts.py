"""From the files an act changed to its transitions: documents and records matched by id, never by path."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..model.config import CONFIG_FILE
from ..model.document import Document, Record
from ..model.transition import DISPOSITION_LOG, Act, Item, Kind, Transition


@dataclass(frozen=True)
class Change:
    """One file changed against one parent: A, M, D (or T), with the blob ids before and after."""

    status: str
    path: str
    old_blob: str | None
    new_blob: str | None


def act_transitions(act: Act, diffs: list[list[Change]], versions: dict[str, Item | None],
                    texts: dict[str, str]) -> list[Transition]:
    """The transitions of one act from its changes against each parent (first parent first).

    A merge yields only what it brings in that no parent had: a file that some parent already had as the merge
    left it is not a change the merge made.
    """
    first = diffs[0] if diffs else []
    found = _pair(act, first, versions, texts)
    if len(diffs) < 2:
        return found
    kept = []
    for transition in found:
        others: list[Item | None] = []
        other_texts: list[str] = []
        agrees = False
        for changes in diffs[1:]:
            touched = {c.path: c for c in changes if c.path in (transition.before_path, transition.after_path)}
            if not touched:
                agrees = True
                break
            at_after = touched.get(transition.after_path or "")
            others.append(versions.get(at_after.old_blob) if at_after and at_after.old_blob else None)
            other_texts.append(texts.get(at_after.old_blob, "") if at_after and at_after.old_blob else "")
        if not agrees:
            kept.append(replace(transition, others=tuple(others),
                                other_texts=tuple(other_texts) if transition.kind is Kind.LOG else ()))
    return kept


def _pair(act: Act, changes: list[Change], versions: dict[str, Item | None],
          texts: dict[str, str]) -> list[Transition]:
    found: list[Transition] = []
    removed: dict[tuple[Kind, str], tuple[str, Item]] = {}
    added: dict[tuple[Kind, str], tuple[str, Item, str]] = {}
    for change in changes:
        if change.path in (DISPOSITION_LOG, CONFIG_FILE):
            kind = Kind.LOG if change.path == DISPOSITION_LOG else Kind.CONFIG
            found.append(Transition(act, kind, change.path, change.path if change.old_blob else None,
                                    change.path if change.new_blob else None, None, None,
                                    before_text=texts.get(change.old_blob or "", ""),
                                    after_text=texts.get(change.new_blob or "", "")))
            continue
        if not change.path.startswith(("procedures/", "records/")):  # a file qms.yml controls (gitlog.index)
            found.append(Transition(act, Kind.CONTROLLED, change.path, change.path if change.old_blob else None,
                                    change.path if change.new_blob else None, None, None))
            continue
        kind = Kind.DOCUMENT if change.path.startswith("procedures/") else Kind.RECORD
        if not change.path.endswith(".md"):  # an attachment, judged by its path (rules.change: records, documents)
            found.append(Transition(act, kind, change.path, change.path if change.old_blob else None,
                                    change.path if change.new_blob else None, None, None))
            continue
        before = _own(versions.get(change.old_blob) if change.old_blob else None, kind)
        after = _own(versions.get(change.new_blob) if change.new_blob else None, kind)
        if change.old_blob and change.new_blob:
            key = after.id if after is not None else before.id if before is not None else change.path
            found.append(Transition(act, kind, key, change.path, change.path, before, after,
                                    after_blob=change.new_blob))
        elif change.old_blob:
            if before is None:
                found.append(Transition(act, kind, change.path, change.path, None, None, None))
            else:
                removed[(kind, before.id)] = (change.path, before)
        elif after is None:
            found.append(Transition(act, kind, change.path, None, change.path, None, None))
        else:
            added[(kind, after.id)] = (change.path, after, change.new_blob or "")
    for (kind, item_id), (path, before) in removed.items():
        moved = added.pop((kind, item_id), None)
        found.append(Transition(act, kind, item_id, path, moved[0] if moved else None, before,
                                moved[1] if moved else None, after_blob=moved[2] if moved else None))
    for (kind, item_id), (path, after, blob) in added.items():
        found.append(Transition(act, kind, item_id, None, path, None, after, after_blob=blob))
    return found


def _own(item: Item | None, kind: Kind) -> Item | None:
    """The parsed version, if it is of the kind its folder holds."""
    wanted = Document if kind is Kind.DOCUMENT else Record
    return item if isinstance(item, wanted) else None
