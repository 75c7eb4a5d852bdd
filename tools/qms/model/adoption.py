"""What the administrator states when adopting documents: the approvals each had before the QMS lived in Git (who,
in which role, when) and the day it came into force. Stated in a CSV file or on the command line, read and checked
once into typed facts; every problem is a QMS175 finding that names where it was stated. Pure: the command reads
the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from .finding import Finding

COLUMNS = ("id", "email", "role", "at", "effective")
APPROVAL_FORM = "ID:EMAIL:ROLE:AT"  # --approval SOP-013:quality@example.com:quality-manager:2024-03-01
EFFECTIVE_FORM = "ID:DATE"  # --effective SOP-013:2024-03-15


@dataclass(frozen=True)
class Stated:
    """One approval as the administrator states it, and where they stated it (a file and row, or an option)."""

    doc_id: str
    email: str
    role: str
    at: datetime
    path: str
    line: int


@dataclass(frozen=True)
class Facts:
    """Everything stated about one document: its approvals, in the order given, and its effective date."""

    doc_id: str
    approvals: tuple[Stated, ...]
    effective: date

    @property
    def path(self) -> str:
        return self.approvals[0].path

    @property
    def line(self) -> int:
        return self.approvals[0].line


def problem(path: str, line: int, message: str, hint: str) -> Finding:
    """A fact that cannot be used, where it was stated."""
    return Finding(path, line, "QMS175", message, hint)


def from_csv(text: str, path: str, now: datetime) -> tuple[list[Facts], list[Finding]]:
    """The facts of a CSV file (columns id, email, role, at, effective; one row per approval), and every problem
    in it. A document's rows must give one effective date."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        return [], [problem(path, reader.line_num, f"not a CSV file: {exc}", "save it as CSV (comma-separated)")]
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
    if missing or not rows:
        return [], [problem(path, 1, f"needs the columns {', '.join(COLUMNS)} and one row per approval"
                            + (f" (missing: {', '.join(missing)})" if missing else " (it has no rows)"),
                            f"first line: {','.join(COLUMNS)}")]
    stated: list[Stated] = []
    days: dict[str, list[tuple[str, int, str]]] = {}
    problems: list[Finding] = []
    for line, row in rows:
        cells = {column: (row.get(column) or "").strip() for column in COLUMNS}
        found = _approval(cells["id"], cells["email"], cells["role"], cells["at"], path, line, now)
        if isinstance(found, Finding):
            problems.append(found)
            continue
        stated.append(found)
        days.setdefault(found.doc_id, []).append((cells["effective"], line, path))
    return _grouped(stated, days, problems, "give the same effective date on each of its rows")


def from_options(approvals: Sequence[str], effective: Sequence[str], now: datetime) -> tuple[list[Facts], list[Finding]]:
    """The facts given as `--approval ID:EMAIL:ROLE:AT` (repeated, one per approval) and `--effective ID:DATE` (one
    per document), and every problem with them; an option's n-th use is reported as `--approval:n`."""
    stated: list[Stated] = []
    problems: list[Finding] = []
    for number, value in enumerate(approvals, 1):
        parts = [part.strip() for part in value.split(":", 3)]  # AT is last: a date-time's own colons stay in it
        if len(parts) < 4 or not all(parts):
            problems.append(problem("--approval", number, f"'{value}' is not {APPROVAL_FORM}",
                                    "e.g. --approval SOP-013:quality@example.com:quality-manager:2024-03-01"))
            continue
        found = _approval(parts[0], parts[1], parts[2], parts[3], "--approval", number, now)
        if isinstance(found, Finding):
            problems.append(found)
        else:
            stated.append(found)
    days: dict[str, list[tuple[str, int, str]]] = {}
    for number, value in enumerate(effective, 1):
        doc_id, _colon, day = (part.strip() for part in value.partition(":"))
        if not doc_id or not day:
            problems.append(problem("--effective", number, f"'{value}' is not {EFFECTIVE_FORM}",
                                    "e.g. --effective SOP-013:2024-03-15"))
        elif doc_id not in {approval.split(":", 1)[0].strip() for approval in approvals}:
            problems.append(problem("--effective", number, f"{doc_id} has an effective date but no --approval",
                                    f"state who approved it: --approval {doc_id}:{APPROVAL_FORM[3:]}"))
        else:
            days.setdefault(doc_id, []).append((day, number, "--effective"))
    return _grouped(stated, days, problems, "give one --effective per document")


def _approval(doc_id: str, email: str, role: str, at: str, path: str, line: int,
              now: datetime) -> Stated | Finding:
    if not doc_id or not email or not role:
        empty = [name for name, value in (("id", doc_id), ("email", email), ("role", role)) if not value]
        return problem(path, line, f"no {' or '.join(empty)}", "each approval names the document, the approver's "
                       "email and the role they approved in")
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return problem(path, line, f"at '{at}' is not a date or a UTC date-time", "e.g. 2024-03-01 or "
                       "2024-03-01T10:00:00Z")
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    if moment > now:
        return problem(path, line, f"at {at} is in the future", "an adopted approval was made before today: "
                       "give the day it was made")
    return Stated(doc_id, email, role, moment, path, line)


def _grouped(stated: list[Stated], days: dict[str, list[tuple[str, int, str]]], problems: list[Finding],
             hint: str) -> tuple[list[Facts], list[Finding]]:
    """The approvals grouped by document, in the order first stated, each with its one effective date."""
    facts = []
    for doc_id in dict.fromkeys(item.doc_id for item in stated):
        approvals = tuple(item for item in stated if item.doc_id == doc_id)
        given = days.get(doc_id, [])
        if not given:
            problems.append(problem(approvals[0].path, approvals[0].line, f"{doc_id} has no effective date",
                                    f"add --effective {doc_id}:YYYY-MM-DD" if approvals[0].path == "--approval" else
                                    "fill in the effective column"))
            continue
        if len({day for day, _line, _path in given}) > 1:
            problems.append(problem(given[1][2], given[1][1], f"{doc_id} has more than one effective date", hint))
            continue
        day, line, path = given[0]
        try:
            facts.append(Facts(doc_id, approvals, date.fromisoformat(day)))
        except ValueError:
            problems.append(problem(path, line, f"effective '{day}' is not a date", "e.g. 2024-03-15 (YYYY-MM-DD)"))
    return facts, problems
