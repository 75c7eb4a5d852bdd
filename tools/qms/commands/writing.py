"""What the commands that write share: who is acting, which document, and committing when asked."""

from __future__ import annotations

import argparse
import os
from datetime import datetime, timezone

from ..errors import QmsError
from ..gitlog import git
from ..model.config import Person
from ..model.document import Document, Record
from ..model.workspace import Workspace


def add_commit_option(parser: argparse.ArgumentParser) -> None:
    """The --commit flag every writing command takes."""
    parser.add_argument("--commit", action="store_true", help="commit the change (default: leave it for you to "
                        "review and commit)")


def actor(ws: Workspace) -> Person:
    """The person in qms.yml matching the Git identity (git config user.email)."""
    name, email = git.identity(ws.root)
    person = ws.config.people.get(email.lower())
    if person is None:
        raise QmsError(f"{email} ({name}) is not listed under any role in qms.yml (ask the QMS administrator to "
                       "add you, or set git config user.email to the address listed there)")
    return person


def document(ws: Workspace, doc_id: str) -> Document:
    """The document with `doc_id`, or a clear error."""
    found = ws.by_id.get(doc_id)
    if found is None:
        unreadable = [path for path in ws.unreadable if os.path.basename(path).startswith(doc_id + "-")]
        hint = f"; {unreadable[0]} cannot be read: run qms check" if unreadable else " (qms list shows the ids)"
        raise QmsError(f"no document {doc_id}{hint}")
    errors = [f for f in ws.findings if f.path == found.path and f.severity == "error"]
    if errors:
        raise QmsError(f"{found.path} has problems to fix first:\n" + "\n".join(f.text() for f in errors))
    return found


def record(ws: Workspace, record_id: str) -> Record:
    """The record with `record_id`, or a clear error."""
    found = ws.records_by_id.get(record_id)
    if found is None:
        raise QmsError(f"no record {record_id} (qms records shows the ids)")
    return found


def now() -> str:
    """The current UTC time as written in approvals: 2026-02-20T10:31:00Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def commit(ws: Workspace, paths: list[str], subject: str, trailers: dict[str, str], sign: bool = False) -> str:
    """Commit exactly `paths` (added, changed or removed) with `subject` and trailers; return the new commit."""
    git.run(["add", "-A", "--", *paths], ws.root)
    message = subject + "\n\n" + "\n".join(f"{key}: {value}" for key, value in trailers.items()) + "\n"
    git.run(["commit", "--quiet", *(["-S"] if sign else []), "-m", message, "--", *paths], ws.root)
    sha = git.text(["rev-parse", "--short", "HEAD"], ws.root)
    print(f"committed {sha}: {subject}")
    return sha
