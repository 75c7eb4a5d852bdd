"""Change rules for records: immutable once committed; disposed of only after retention, by someone allowed,
logged in their own name; the disposition log only grows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ...model.disposal import logged_title
from ...model.disposal import rows as log_rows
from ...model.document import Record
from ...model.finding import Finding
from ...model.state import retain_until
from ...model.transition import Kind, Transition
from . import Context, by, finding
from .signatures import signed_by

LOG_ID, LOG_PATH, LOG_EMAIL = 0, 1, 8


def appended_rows(log: Transition) -> list[list[str]] | None:
    """The rows an act appended to the disposition log, or None if it changed it other than by appending."""
    if log.before_path is not None and log.after_path is None:
        return None
    if not log.after_text.startswith(log.before_text):
        return None
    return [row for row in log_rows(log.after_text[len(log.before_text):]) if row[0] != "id"]


def check_records(transitions: list[Transition], ctx: Context) -> Iterator[Finding]:
    """What one act did to records and to the disposition log."""
    logged: dict[str, list[str]] = {}
    deleted = {t.before.id: t.before for t in transitions
               if t.kind is Kind.RECORD and t.after_path is None and isinstance(t.before, Record)}
    for t in transitions:
        if t.kind is Kind.LOG:
            rows = appended_rows(t)
            if rows is None:
                yield finding(t, 1, "QMS113", f"the disposition log was changed other than by appending, by "
                              f"{by(t.act)}", "restore it; qms dispose appends to it")
            else:
                logged.update({row[LOG_PATH]: row for row in rows if len(row) > LOG_PATH})
                yield from _rows(t, rows, transitions, deleted, ctx)
    for t in transitions:
        if t.kind is Kind.RECORD:
            yield from _record(t, logged, deleted, ctx)


def _rows(log: Transition, rows: list[list[str]], transitions: list[Transition], deleted: dict[str, Record],
          ctx: Context) -> Iterator[Finding]:
    """Each row appended to the log states a disposal this change makes, as the record states it: the log is
    evidence, so a row for a file the change does not remove, or with other facts than the record's, is reported."""
    removed = {t.before_path for t in transitions if t.kind is Kind.RECORD and t.after_path is None}
    moment = ctx.now if log.act.staged else log.act.committed_at
    brought = {tuple(row) for text in log.other_texts for row in log_rows(text)}
    for row in (row for row in rows if tuple(row) not in brought):  # a merge's other parents: judged there
        record = deleted.get(row[LOG_ID]) if row else None
        path = row[LOG_PATH] if len(row) > LOG_PATH else ""
        if path not in removed or record is None:
            yield finding(log, 1, "QMS113", f"the disposition log states a disposal of {row[LOG_ID] if row else '?'} "
                          f"({path or 'no path'}) that this change, by {by(log.act)}, does not make",
                          "the log records disposals as qms dispose makes them: remove the row")
            continue
        record_type = ctx.config.record_types.get(record.type)
        stated = dict(zip(("title", "type", "date", "retain_until", "disposed_at"), row[2:7]))
        stated["title"] = logged_title(stated.get("title", ""))
        true = {"title": logged_title(record.title), "type": record.type, "date": record.date.isoformat(),
                "retain_until": retain_until(record.date, record_type.retention_years).isoformat()
                if record_type else stated.get("retain_until")}
        wrong = [key for key, value in true.items() if stated.get(key) != value]
        try:
            at = datetime.fromisoformat(stated.get("disposed_at", "").replace("Z", "+00:00"))
            ended = true["retain_until"] or ""
            if at.tzinfo is None or at > moment + ctx.skew or at.date().isoformat() < ended:
                wrong.append("disposed_at")  # not when this change was made, or before the retention ended
        except ValueError:
            wrong.append("disposed_at")
        if wrong:
            yield finding(log, 1, "QMS113", f"the disposition log's row for {record.id} states another "
                          f"{', '.join(wrong)} than the record and the change that disposes of it", "the log "
                          "records disposals as qms dispose makes them: write the row again with qms dispose")


def _record(t: Transition, logged: dict[str, list[str]], deleted: dict[str, Record],
            ctx: Context) -> Iterator[Finding]:
    if t.before_path is None:
        return
    name = t.before.id if isinstance(t.before, Record) else t.before_path
    if t.after_path is None:
        yield from _disposal(t, name, logged.get(t.before_path), deleted, ctx)
    elif t.after_path != t.before_path:
        yield finding(t, 1, "QMS111", f"record {name} moved from {t.before_path} by {by(t.act)}",
                      f"records never move: git mv it back to {t.before_path}")
    else:
        corrects = name if isinstance(t.before, Record) else "ID (the record it belongs to)"
        yield finding(t, 1, "QMS110", f"record {name} modified by {by(t.act)}", "records are immutable: restore "
                      f"it, and write a correcting record with qms record new TYPE TITLE --corrects {corrects}")


def _disposal(t: Transition, name: str, row: list[str] | None, deleted: dict[str, Record],
              ctx: Context) -> Iterator[Finding]:
    """A deleted record: lawful only as a logged disposal after retention, by an allowed person, in their name."""
    hint = "records are kept for their retention period; after it, qms dispose ID --reason ... removes one and logs it"
    if row is None:
        yield finding(t, 1, "QMS112", f"record {name} deleted by {by(t.act)} without a disposition log entry", hint)
        return
    record = t.before if isinstance(t.before, Record) else deleted.get(row[LOG_ID])  # an attachment: its record's
    if record is None:
        yield finding(t, 1, "QMS112", f"{name} deleted by {by(t.act)}, logged as part of record {row[LOG_ID]}, "
                      "which this change does not dispose of", hint)
        return
    if record is not t.before and not any(link.resolved == t.before_path for link in record.links):
        yield finding(t, 1, "QMS112", f"{name} deleted by {by(t.act)}, logged as part of record {record.id}, which "
                      "does not link to it", hint)
        return
    record_type = ctx.config.record_types.get(record.type)
    day = ctx.now.date() if t.act.staged else t.act.committed_at.date()
    until = retain_until(record.date, record_type.retention_years) if record_type else None
    if until is None or until > day:
        yield finding(t, 1, "QMS112", f"record {name} disposed of on {day} by {by(t.act)}, but it must be retained "
                      f"until {until or 'an unknown date (unknown record type)'}", hint)
    elif len(row) <= LOG_EMAIL or row[LOG_EMAIL].lower() != t.act.author:
        logged_as = row[LOG_EMAIL] if len(row) > LOG_EMAIL else "nobody"
        yield finding(t, 1, "QMS112", f"disposal of record {name} is logged in the name of {logged_as} but was "
                      f"made by {by(t.act)}", "each person disposes of records as themselves with qms dispose")
    elif not ctx.config.may_dispose(t.act.author_email, record.type, record.owner):
        yield finding(t, 1, "QMS122", f"record {name} disposed of by {by(t.act)}, who holds neither its owner role "
                      f"'{record.owner}' nor a role that disposes of {record.type} records",
                      "ask a holder of the owner role, or give a role `disposes:` in qms.yml")
    else:
        yield from signed_by(t, t.act.author, f"disposal of record {name}", 1, ctx)
