"""Change-control rules: what a change to the repository may do to controlled documents and records.

They compare two trees (HEAD and the index for a commit; the merge-base and HEAD for a branch) and need no
history beyond them. Who may add an approval is in rules/signatures.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ..gitlog.changes import FileChange
from ..model import revision
from ..model.config import Config
from ..model.document import Document, Record, parse_bytes
from ..model.finding import Finding
from ..model.state import retain_until

DISPOSITION_LOG = "records/disposition-log.csv"


@dataclass(frozen=True)
class Sides:
    """A changed file parsed on both sides (None where absent or unreadable)."""

    change: FileChange
    before: Document | Record | None
    after: Document | Record | None


def sides(changes: list[FileChange]) -> list[Sides]:
    """Parse both sides of every change once."""
    return [Sides(c, parse_bytes(c.before, c.old_path), parse_bytes(c.after, c.new_path)) for c in changes]


def check_changes(config: Config, parsed: list[Sides], retired_ids: dict[str, str], today: date) -> Iterator[Finding]:
    """Every change-control finding about one set of changes."""
    disposed = {path for path, record_id in _disposed(parsed).items() if _retention_over(config, parsed, record_id, today)}
    for item in parsed:
        change = item.change
        old, new = change.old_path or "", change.new_path or ""
        if old.startswith("procedures/") and old.endswith(".md"):
            yield from _document_change(config, item, old, new)
        elif new.startswith("procedures/") and new.endswith(".md") and change.status == "A":
            after = item.after
            if isinstance(after, Document) and after.id in retired_ids:
                yield Finding(new, after.line("id"), "QMS104", f"id {after.id} was used by {retired_ids[after.id]}, "
                              "which was deleted", "ids are never reused: take the next free id with qms new")
        if old.startswith("records/") or new.startswith("records/"):
            yield from _record_change(item, old, new, disposed)


def _document_change(config: Config, item: Sides, old: str, new: str) -> Iterator[Finding]:
    change, before, after = item.change, item.before, item.after
    doc_id = before.id if isinstance(before, Document) else old
    if change.status == "D" or not new.startswith("procedures/"):
        verb = "deleted" if change.status == "D" else f"moved out of procedures/ to {new}"
        yield Finding(old, 1, "QMS103", f"controlled document {doc_id} {verb}",
                      f"restore it; withdraw it with qms obsolete {doc_id} --reason ...")
        return
    if not isinstance(before, Document) or not isinstance(after, Document):
        return
    if after.id != before.id:
        yield Finding(new, after.line("id"), "QMS105", f"id changed from {before.id} to {after.id}",
                      f"ids are permanent: restore {before.id}; use qms new for a new document")
        return
    if before.status == "obsolete":
        if after.status != "obsolete" or after.fingerprint != before.fingerprint or after.revision != before.revision:
            yield Finding(new, after.line("status"), "QMS106", f"{after.id} is obsolete and cannot change",
                          "restore it; write a new document with qms new instead")
        return
    scheme = config.revision_scheme
    if after.revision == before.revision:
        if before.status == "approved" and after.fingerprint != before.fingerprint:
            yield Finding(new, after.body_line if after.body != before.body else after.line("title"), "QMS100",
                          f"{after.id} revision {after.revision} is approved, and its content changed without a "
                          "new revision", f"undo the edit, or run qms revise {after.id} --change \"...\" first")
        return
    if before.status != "approved":
        yield Finding(new, after.line("revision"), "QMS101", f"revision {before.revision} of {after.id} was never "
                      f"approved, yet revision is now {after.revision}", f"keep revision {before.revision} until it "
                      "is approved")
    elif not (revision.is_valid(scheme, after.revision) and after.revision == revision.following(scheme,
                                                                                                   before.revision)):
        yield Finding(new, after.line("revision"), "QMS101", f"revision of {after.id} went from {before.revision} "
                      f"to {after.revision}", f"the next revision is {revision.following(scheme, before.revision)}: "
                      f"use qms revise {after.id}")
    if after.change is None or after.change == before.change:
        yield Finding(new, after.line("change") if after.change else after.line("revision"), "QMS102",
                      f"revision {after.revision} of {after.id} does not say what changed",
                      "set 'change:' to what this revision changes (qms revise --change)")


def _record_change(item: Sides, old: str, new: str, disposed: set[str]) -> Iterator[Finding]:
    change = item.change
    if DISPOSITION_LOG in (old, new):
        appended = change.status == "M" and change.before is not None and change.after is not None and \
            change.after.startswith(change.before)
        if change.status != "A" and not appended:
            yield Finding(old or new, 1, "QMS113", "the disposition log was changed other than by appending",
                          "restore it; qms dispose appends to it")
        return
    name = (item.before.id if isinstance(item.before, Record) else old) if old else new
    if change.status == "A" and old == "":
        return
    if change.status == "D":
        if old in disposed:
            return
        yield Finding(old, 1, "QMS112", f"record {name} deleted", "records are kept for their retention period; "
                      "after it, qms dispose ID --reason ... removes one and logs it")
    elif change.status == "R":
        yield Finding(new, 1, "QMS111", f"record {name} renamed from {old}", f"records never move: git mv it back to {old}")
    else:
        yield Finding(new, 1, "QMS110", f"record {name} modified", "records are immutable: restore it, and write a "
                      f"correcting record with qms record new TYPE TITLE --corrects {name}")


def _retention_over(config: Config, parsed: list[Sides], record_id: str, today: date) -> bool:
    for item in parsed:
        record = item.before
        if isinstance(record, Record) and record.id == record_id and record.type in config.record_types:
            return retain_until(record.date, config.record_types[record.type].retention_years) <= today
    return False


def _disposed(parsed: list[Sides]) -> dict[str, str]:
    """Paths that this change appends to the disposition log, with the id of the record each belonged to."""
    for item in parsed:
        if item.change.new_path == DISPOSITION_LOG and item.change.after is not None:
            before = item.change.before or b""
            added = item.change.after[len(before):].decode("utf-8", errors="replace")
            return {row[1]: row[0] for row in csv.reader(io.StringIO(added)) if len(row) >= 2 and row[0] != "id"}
    return {}
