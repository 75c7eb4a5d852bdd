"""The disposition log (records/disposition-log.csv): which records were disposed of, as the log says.

A link to, or a correction of, a record that the log shows as disposed of after its retention period is not a
broken reference: records are immutable, so the link cannot be taken out, and disposal is lawful. Whether the
commit that disposed of it did so lawfully (the disposer's own name, a role allowed to dispose, a signature)
is judged on that commit by the change rules (QMS112, QMS122, QMS136) in the hook, CI and `qms verify`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from .finding import Finding


def read_log(data: bytes, path: str) -> tuple[str, Finding | None]:
    """The log's text, and the finding if it is not UTF-8 (QMS001: its text is then read with the bad bytes
    replaced, for reading only: nothing is ever appended to such a log)."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return data.decode("utf-8", errors="replace"), Finding(
            path, line, "QMS001", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the disposition log as UTF-8")


def rows(text: str) -> list[list[str]]:
    """The rows of the log's text (or of a part of it), the header among them; a stray carriage return ends a row,
    never a read."""
    return [row for row in csv.reader(io.StringIO(text, newline="")) if row]


def logged_title(title: str) -> str:
    """A record's title as the log states it: on one line."""
    return " ".join(title.split())


LOG_HEADER = ["id", "path", "title", "type", "date", "retain_until", "disposed_at", "name", "email", "reason"]


@dataclass(frozen=True)
class Disposal:
    """One file removed by a disposal, as logged."""

    record: str  # the id of the record disposed of
    path: str
    retain_until: date
    disposed_on: date


def disposals(text: str) -> dict[str, Disposal]:
    """The files the log shows as disposed of after their record's retention period ended, by path. A row that
    is incomplete, or says the record was removed before its retention ended, disposes of nothing."""
    found: dict[str, Disposal] = {}
    for row in rows(text):
        if len(row) < len(LOG_HEADER) or row[0] == "id":
            continue
        try:
            until, on = date.fromisoformat(row[5]), date.fromisoformat(row[6][:10])
        except ValueError:
            continue
        if until <= on:
            found[row[1]] = Disposal(row[0], row[1], until, on)
    return found
