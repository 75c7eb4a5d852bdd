"""`qms adopt --facts FILE`: record, in one commit by the administrator, the approvals imported drafts had before
the QMS lived in Git, and start verification there (verify_from set to the commit before it)."""

from __future__ import annotations

import argparse
import csv
import os
from datetime import date, datetime, timezone
from typing import Any

from ..errors import EXIT_CLEAN, EXIT_USAGE, QmsError
from ..gitlog import git
from ..model import clock
from ..model.config import CONFIG_FILE
from ..model.document import Document
from ..model.fingerprint import fingerprint
from ..model.state import required_roles
from ..model.transition import ADOPTION_TRAILER, CONFIG_TRAILER
from ..model.workspace import Workspace
from ..model.writer import edited_front_matter, edited_yaml
from .common import add_common
from .control import judge_history
from .writing import actor, commit, document, editing, guard, write

EXAMPLE = """example (adoption.csv: one row per approval the document had before it was in Git):
  id,email,role,at,effective
  SOP-013,quality@example.com,quality-manager,2024-03-01,2024-03-15
  SOP-013,production@example.com,production-manager,2024-03-02,2024-03-15

  qms adopt --facts adoption.csv
"""
COLUMNS = ("id", "email", "role", "at", "effective")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("adopt", help="record approvals made before the QMS lived in Git (administrator)",
                                 epilog=EXAMPLE)
    parser.add_argument("--facts", required=True, metavar="FILE", help="CSV with columns id, email, role, at "
                        "(YYYY-MM-DD or a UTC date-time) and effective (YYYY-MM-DD): who approved, in which role, "
                        "when, and from when the document was in force")
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _adopt(args, ws)


def _adopt(args: argparse.Namespace, ws: Workspace) -> int:
    git.require_root(ws.root)
    head = git.head_or_empty(ws.root)
    if head == git.EMPTY_TREE:
        raise QmsError("nothing is committed yet: commit qms.yml and the imported drafts first, then adopt them",
                       EXIT_USAGE)
    person = actor(ws)
    if not ws.config.may_administer(person.email):
        raise QmsError(f"{person.name} holds no administering role ({', '.join(ws.config.administrators or ())}): "
                       "adoption changes verify_from in qms.yml, which only an administrator may do", EXIT_USAGE)
    if ws.config.verify_from:  # moving verify_from ends the verification of what came before: never over a finding
        unresolved = [f for f in judge_history(ws.root, ws.config, ws.config.verify_from).findings
                      if f.severity == "error"]
        if unresolved:
            raise QmsError("refused, and nothing was written: adopting moves verify_from, so history since "
                           f"{ws.config.verify_from[:12]} would no longer be verified, and qms verify reports:\n"
                           + "\n".join(f.text() for f in unresolved[:20])
                           + "\n(resolve these first; adoption never hides a finding)", EXIT_USAGE)
    facts = _facts(args.facts)
    files: dict[str, str | None] = {}
    trailers = []
    for doc_id, rows in facts.items():
        doc = document(ws, doc_id)
        files[doc.path], line = _adopted_text(ws, doc, rows, args.facts)
        trailers.append(line)
    files[CONFIG_FILE] = edited_yaml(os.path.join(ws.root, CONFIG_FILE), lambda data: _verify_from(data, head))
    must_sign = guard(ws, person, files, committing=True)
    previous = write(ws, files)
    for doc_id in facts:
        print(f"adopted {doc_id}: {trailers[list(facts).index(doc_id)]}")
    print(f"{CONFIG_FILE}: verify_from {ws.config.verify_from or '(none)'} -> {head[:12]}")
    commit(ws, previous, f"Adopt {len(facts)} document(s) approved before the QMS lived in Git", {
        CONFIG_TRAILER: f"verify_from moves to {head[:12]}: history starts with this adoption of "
                        f"{', '.join(facts)}, whose approvals were made before the QMS lived in Git",
        ADOPTION_TRAILER: "; ".join(trailers),
    }, sign=must_sign)
    return EXIT_CLEAN


def _facts(path: str) -> dict[str, list[dict[str, str]]]:
    """The facts file's rows, grouped by document id, in order."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise QmsError(f"{path}: cannot be read: {exc} (a CSV file with columns {', '.join(COLUMNS)})",
                       EXIT_USAGE) from None
    if not rows or any(column not in rows[0] for column in COLUMNS):
        raise QmsError(f"{path}:1: needs the columns {', '.join(COLUMNS)} and one row per approval", EXIT_USAGE)
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault((row["id"] or "").strip(), []).append({k: (v or "").strip() for k, v in row.items() if k})
    return grouped


def _adopted_text(ws: Workspace, doc: Document, rows: list[dict[str, str]], path: str) -> tuple[str, str]:
    """The document approved as the facts say, and the trailer line that states them."""
    if doc.status != "draft" or doc.approvals:
        raise QmsError(f"{doc.id} is {doc.status}{' with approvals' if doc.approvals else ''}: only drafts without "
                       "approvals are adopted (approvals made in Git are given with qms approve)", EXIT_USAGE)
    effective = {_date(row["effective"], path, "effective") for row in rows}
    if len(effective) != 1:
        raise QmsError(f"{path}: {doc.id} has more than one effective date (give the same date on each row)",
                       EXIT_USAGE)
    day = effective.pop()
    signed = fingerprint(doc.id, doc.title, doc.type, doc.revision, day, doc.body)
    approvals = []
    for row in rows:
        listed = ws.config.people.get(row["email"].lower())
        if listed is None:
            raise QmsError(f"{path}: {row['email']} is not listed in qms.yml (an administrator lists the approver, "
                           "under the role they held, before adopting)", EXIT_USAGE)
        approvals.append({"name": listed.name, "email": listed.email, "role": row["role"], "meaning": "approval",
                          "at": clock.stamp(_moment(row["at"], path)), "fingerprint": signed})
    missing = [role for role in required_roles(doc, ws.config) if role not in {row["role"] for row in rows}]
    if missing:
        raise QmsError(f"{path}: {doc.id} needs approval by {', '.join(missing)} as well (its type requires it)",
                       EXIT_USAGE)

    def apply(data: Any) -> None:
        data["status"] = "approved"
        if "effective" in data:
            data["effective"] = day
        else:
            data.insert(list(data).index("status") + 1, "effective", day)
        data["approvals"] = approvals

    text = edited_front_matter(os.path.join(ws.root, doc.path), apply)
    who = ", ".join(f"{a['name']} ({a['role']}) {a['at']}" for a in approvals)
    return text, f"{doc.id} revision {doc.revision} approved by {who}, effective {day}"


def _verify_from(data: Any, head: str) -> None:
    data["verify_from"] = head


def _date(text: str, path: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QmsError(f"{path}: {what} '{text}' is not a date YYYY-MM-DD", EXIT_USAGE) from None


def _moment(text: str, path: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise QmsError(f"{path}: at '{text}' is not a date or a UTC date-time (2024-03-01 or "
                       "2024-03-01T10:00:00Z)", EXIT_USAGE) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment > clock.now():
        raise QmsError(f"{path}: at {text} is in the future: an adopted approval was made before today", EXIT_USAGE)
    return moment
