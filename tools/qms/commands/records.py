"""`qms record new`, `qms records` and `qms dispose`: creating, listing and (after retention) disposing of records."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, QmsError
from ..model.config import RecordType
from ..model.disposal import LOG_HEADER, logged_title, read_log
from ..model.disposal import rows as rows_of
from ..model.document import Record
from ..model.state import retain_until
from ..model.workspace import Workspace
from ..model import clock, sheet
from ..model.transition import DISPOSITION_LOG
from .common import add_common, open_workspace, parse_date
from .new import slug
from ..model.source import heading_text
from .writing import actor, add_commit_option, author, commit, editing, guard, now, record, write

NEW_EXAMPLE = """example:
  qms record new nonconformity "Burr on bracket 4711" --form FRM-001
"""
LIST_EXAMPLE = """examples:
  qms records
  qms records --due --format csv
"""
DISPOSE_EXAMPLE = """example:
  qms dispose NCR-001 --reason "Retention period of 6 years ended." --commit
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = commands.add_parser("record", help="create records (see qms record new --help)", epilog=NEW_EXAMPLE)
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = actions.add_parser("new", help="create a new record with the next free id", epilog=NEW_EXAMPLE)
    new.add_argument("type", metavar="TYPE", help="a record type from qms.yml")
    new.add_argument("title", metavar="TITLE", help="the record title")
    new.add_argument("--form", metavar="ID", help="the form the record was made on")
    new.add_argument("--corrects", metavar="ID", help="the record this one corrects")
    new.add_argument("--date", type=parse_date, metavar="YYYY-MM-DD", help="the record date (default: today)")
    new.add_argument("--owner", metavar="ROLE", help="the owning role (default: the procedure's owner)")
    add_common(new, create, as_of=False)

    listing = commands.add_parser("records", help="the records register with retention dates", epilog=LIST_EXAMPLE)
    listing.add_argument("--due", action="store_true", help="only records whose retention period has ended")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    add_common(listing, register_list)

    dispose = commands.add_parser("dispose", help="remove a record after its retention period, logging why",
                                  epilog=DISPOSE_EXAMPLE)
    dispose.add_argument("id", metavar="ID", help="the record id")
    dispose.add_argument("--reason", required=True, metavar="TEXT", help="why it is disposed of")
    add_commit_option(dispose)
    add_common(dispose, dispose_record, as_of=False)


def next_record_id(ws: Workspace, record_type: RecordType) -> str:
    """The next free id of `record_type`: never one in use, disposed of, or held by an unreadable file."""
    used = {r.id for r in ws.records} | set(log_rows(ws.root).keys())
    used |= {os.path.basename(path).rsplit(".", 1)[0] for path in ws.files}
    numbers = [int(m.group(1)) for name in used if (m := re.match(re.escape(record_type.prefix) + r"-(\d+)", name))]
    return f"{record_type.prefix}-{max(numbers, default=0) + 1:03d}"


def create(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _create(args, ws)


def _create(args: argparse.Namespace, ws: Workspace) -> int:
    record_type = ws.config.record_types.get(args.type)
    if record_type is None:
        raise QmsError(f"unknown record type '{args.type}' (use one of: {', '.join(ws.config.record_types)})")
    for option, value in (("--form", args.form), ("--corrects", args.corrects)):
        known = ws.by_id if option == "--form" else {*ws.records_by_id, *ws.disposed_ids}  # as QMS085 reads it
        if value is not None and value not in known:
            raise QmsError(f"{option} {value} does not exist")
    procedure = ws.by_id.get(record_type.procedure)
    owner = args.owner or (procedure.owner if procedure else "quality-manager")
    if owner not in ws.config.roles:
        raise QmsError(f"unknown role '{owner}' (use one of: {', '.join(ws.config.roles)})")
    title = " ".join(args.title.split())
    record_id = next_record_id(ws, record_type)
    rel = f"{record_type.folder}/{record_id}-{slug(title)}.md"
    if os.path.lexists(os.path.join(ws.root, rel)):
        raise QmsError(f"{rel} already exists (choose another title)")
    lines = ["---", f"id: {record_id}", f"title: {json.dumps(title, ensure_ascii=False)}", f"type: {record_type.name}",
             f"date: {(args.date or ws.today).isoformat()}", f"owner: {owner}",
             f"procedure: {record_type.procedure}"]
    lines += [f"form: {args.form}"] if args.form else []
    lines += [f"corrects: {args.corrects}"] if args.corrects else []
    lines += ["---", f"# {heading_text(title)}", "", "Record what happened, what was found and what was done.", ""]
    guard(ws, author(ws), {rel: "\n".join(lines)})
    write(ws, {rel: "\n".join(lines)})
    until = retain_until(args.date or ws.today, record_type.retention_years)
    print(f"created {rel}: {record_id} ({record_type.name}), retained until {until}; fill it in, then commit: "
          "once committed it cannot change")
    return EXIT_CLEAN


def register_rows(ws: Workspace, due_only: bool) -> list[dict[str, object]]:
    """The records register in id order, with the end of retention and whether it has passed (`due`)."""
    rows: list[dict[str, object]] = []
    for rec in sorted(ws.records, key=lambda r: r.id):
        record_type = ws.config.record_types.get(rec.type)
        until = retain_until(rec.date, record_type.retention_years) if record_type else None
        due = until is not None and until <= ws.today
        if due or not due_only:
            rows.append({"id": rec.id, "title": rec.title, "type": rec.type, "date": rec.date.isoformat(),
                         "owner": rec.owner, "procedure": rec.procedure,
                         "retain_until": until.isoformat() if until else None, "due": due, "path": rec.path})
    return rows


def register_list(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    rows = register_rows(ws, args.due)
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(sheet.rows(rows))
    else:
        print(f"{'ID':<9} {'DATE':<10}  {'RETAIN UNTIL':<12}  {'DUE':<3}  TITLE")
        for row in rows:
            print(f"{row['id']:<9} {row['date']:<10}  {row['retain_until'] or '-':<12}  {'yes' if row['due'] else '':<3}"
                  f"  {row['title']}")
    return EXIT_CLEAN


def log_rows(root: str) -> dict[str, list[str]]:
    """The disposition log: its last line for each record id (the fields of LOG_HEADER)."""
    path = os.path.join(root, DISPOSITION_LOG)
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as handle:
        text, _problem = read_log(handle.read(), DISPOSITION_LOG)  # reading only: the rules report the problem
    return {row[0]: row for row in rows_of(text) if row[0] != "id"}


def dispose_record(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _dispose(args, ws)


def _dispose(args: argparse.Namespace, ws: Workspace) -> int:
    """Disposal is judged today, never as of another date: a destructive command has no --as-of."""
    rec = record(ws, args.id)
    person = actor(ws)
    reason = " ".join(args.reason.split())
    if not reason:
        raise QmsError("--reason is empty (say why the record is disposed of)")
    record_type = ws.config.record_types.get(rec.type)
    if record_type is None:
        raise QmsError(f"{rec.path}: unknown record type '{rec.type}' (run qms check)")
    until = retain_until(rec.date, record_type.retention_years)
    if until > clock.today():
        raise QmsError(f"{rec.id} must be retained until {until} ({record_type.retention_years} years for "
                       f"{rec.type} records); it cannot be disposed of before then")
    attachments = sorted({link.resolved for link in rec.links if link.resolved in ws.files
                          and link.resolved.startswith("records/") and not link.resolved.endswith(".md")})
    removed = [rec.path, *attachments]
    at = now()
    log_path = os.path.join(ws.root, DISPOSITION_LOG)
    existing = ""
    if os.path.exists(log_path):
        with open(log_path, "rb") as handle:
            existing, problem = read_log(handle.read(), DISPOSITION_LOG)
        if problem is not None:  # appending to it would write the replaced bytes back
            raise QmsError(problem.text(), EXIT_FINDINGS)
        if existing and not existing.endswith("\n"):
            existing += "\n"  # a row appended to the last line would be part of it
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not existing:
        writer.writerow(LOG_HEADER)
    for path in removed:
        writer.writerow([rec.id, path, logged_title(rec.title), rec.type, rec.date.isoformat(), until.isoformat(), at,
                         person.name, person.email, reason])
    files: dict[str, str | None] = {DISPOSITION_LOG: existing + buffer.getvalue(), **{path: None for path in removed}}
    must_sign = guard(ws, person, files, args.commit)
    previous = write(ws, files)
    for path in removed:
        print(f"{path}: removed ({rec.id}, retained until {until})")
    print(f"{DISPOSITION_LOG}: appended disposal of {rec.id} by {person.name} at {at}: {reason}")
    for item in ws.items():
        if item.path not in removed and (any(link.resolved in removed for link in item.links)
                                         or (isinstance(item, Record) and item.corrects == rec.id)):
            print(f"{item.path}: {item.id} refers to {rec.id}, which is now disposed of: the reference stays, as "
                  "records never change, and the disposition log accounts for it")
    if args.commit:
        commit(ws, previous, f"Dispose of record {rec.id}",
               {"Disposed-by": f"{person.name} <{person.email}>", "Record": rec.id, "Reason": reason},
               sign=must_sign)
    return EXIT_CLEAN


