"""What the commands that write share: one writer at a time, who is acting, which document, a pre-flight
judgement of the exact change by the rules the hook runs, writing it, and committing when asked."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
from collections.abc import Iterator, Mapping, Sequence

from .. import rules
from ..errors import EXIT_FINDINGS, EXIT_USAGE, QmsError
from ..gitlog import git
from ..gitlog.signing import signing_keys
from ..gitlog.staged import proposed_transitions, staged_act
from ..model import clock
from ..model.config import Config, Person, load_config
from ..model.disposal import rows as log_rows
from ..model.document import Document, Record
from ..model.finding import Finding
from ..model.keys import describe
from ..model.transition import DISPOSITION_LOG
from ..model.workspace import Workspace
from ..model.writer import atomic_write, atomic_write_bytes
from . import established
from .common import find_root, refuse_shallow, today, workspace_on
from .control import history_ledger, judge_change


def add_commit_option(parser: argparse.ArgumentParser) -> None:
    """The --commit flag every writing command takes."""
    parser.add_argument("--commit", action="store_true", help="commit the change (default: leave it for you to "
                        "review and commit)")


@contextlib.contextmanager
def editing(args: argparse.Namespace) -> Iterator[Workspace]:
    """The workspace, read while this process holds the repository's write lock: two write commands never
    interleave, so neither loses the other's change (the lock dies with the process, even on kill -9)."""
    root = find_root(args.directory)
    folder = git.git_dir(root) if git.is_repository(root) else root
    with open(os.path.join(folder, "qms-write.lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            ws = workspace_on(root, load_config(root), today(args))
            refuse_shallow(ws)
            yield ws
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def actor(ws: Workspace) -> Person:
    """The person in qms.yml matching the Git identity (git config user.email)."""
    name, email = git.identity(ws.root)
    person = ws.config.people.get(email.lower())
    if person is None:
        raise QmsError(f"{email} ({name}) is not listed under any role in qms.yml (ask the QMS administrator to "
                       "add you, or set git config user.email to the address listed there)")
    return person


def author(ws: Workspace) -> Person:
    """Who a change that needs no role (a draft, a revision, a new record) is made by: the Git identity; nobody
    outside a Git repository, where no change is judged as a commit."""
    return Person(*git.identity(ws.root)) if git.is_repository(ws.root) else Person("", "")


def document(ws: Workspace, doc_id: str, problems_allowed: bool = False) -> Document:
    """The document with `doc_id`, or a clear error; one with errors to fix first only if `problems_allowed`."""
    found = ws.by_id.get(doc_id)
    if found is None:
        unreadable = [path for path in ws.unreadable if os.path.basename(path).startswith(doc_id + "-")]
        hint = f"; {unreadable[0]} cannot be read: run qms check" if unreadable else " (qms list shows the ids)"
        raise QmsError(f"no document {doc_id}{hint}")
    errors = [f for f in ws.findings if f.path == found.path and f.severity == "error"]
    if errors and not problems_allowed:
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
    return clock.stamp(clock.now())


def guard(ws: Workspace, person: Person, files: dict[str, str | None], committing: bool = False) -> bool:
    """Refuse, before anything is written, a change the hook would reject: the same transition rules on the
    change as the next commit by `person`, and the rules on the tree as it would be (new errors only). When the
    command will commit a change that must be signed, refuse too if Git's signing key is not one of `person`'s.
    Return whether the commit must be signed (by the qms.yml in force at HEAD)."""
    findings, config = refusals(ws, person, files)
    if findings:
        raise QmsError("refused, and nothing was written: the change would be rejected by the document-control "
                       "rules:\n" + "\n".join(f.text() for f in sorted(set(findings))), EXIT_FINDINGS)
    if committing and config.signed_approvals:
        _own_key(ws, person, config)
    return config.signed_approvals


def refusals(ws: Workspace, person: Person, files: dict[str, str | None]) -> tuple[list[Finding], Config]:
    """The errors the hook would report about writing `files` as the next commit by `person` (the transition
    rules on the change, and the rules on the tree as it would be: new errors only), and the qms.yml in force."""
    findings: list[Finding] = []
    config = ws.config
    after = ws.with_files(files)
    if git.is_repository(ws.root):
        ledger = history_ledger(ws.root)
        act = staged_act(ws.root, clock.now(), established.config_at(ws.root), (person.name, person.email))
        config = act.config or ws.config
        encoded = {path: text.encode("utf-8") if text is not None else None for path, text in files.items()}
        log = files.get(DISPOSITION_LOG)
        if log is not None:  # disposals not committed yet are part of the change the log states (qms dispose twice)
            named = {row[1] for row in log_rows(log) if len(row) > 1}
            encoded = {**{path: None for path in sorted(named) if path.startswith("records/")
                          and not os.path.lexists(os.path.join(ws.root, path))}, **encoded}
        parsed: dict[str, Document | Record] = {doc.path: doc for doc in after.documents if doc.path in files}
        parsed.update((record.path, record) for record in after.records if record.path in files)
        transitions = proposed_transitions(ws.root, act, encoded, parsed)  # each new file parsed once
        findings += [f for f in judge_change(ws.root, ws.config, transitions, ledger) if f.severity == "error"]
    before = {(f.code, f.path, f.message) for f in rules.errors(rules.run(ws))}
    findings += [f for f in rules.errors(rules.run(after)) if (f.code, f.path, f.message) not in before]
    return findings, config


def _own_key(ws: Workspace, person: Person, config: Config) -> None:
    """Refuse to sign with a key that qms.yml does not register to `person`."""
    mine = config.keys_of(person.email)
    configured = signing_keys(ws.root)
    if not configured or not configured & mine:
        found = ", ".join(sorted(describe(key) for key in configured)) or "no readable key"
        listed = ", ".join(sorted(describe(key) for key in mine)) or "none"
        raise QmsError(f"refused, and nothing was written: qms.yml requires signatures, and Git is set to sign with "
                       f"{found}, which is not a key qms.yml registers to {person.email} (registered: {listed}) "
                       "(set git config gpg.format and user.signingkey to your own key, and ask an administrator "
                       "to list it under your signing_keys)", EXIT_USAGE)


Previous = dict[str, bytes | None]  # path -> its bytes before a command wrote it (None: it did not exist)


def write(ws: Workspace, files: dict[str, str | None]) -> Previous:
    """Write each file atomically (None: remove it); return what each path held before, so that a commit that
    cannot be made can put the working tree back."""
    previous: Previous = {}
    for path, text in files.items():
        full = os.path.join(ws.root, path)
        previous[path] = _bytes(full)
        if text is None:
            os.remove(full)
        else:
            os.makedirs(os.path.dirname(full), exist_ok=True)
            atomic_write(full, text)
    return previous


def _bytes(full: str) -> bytes | None:
    if not os.path.lexists(full):
        return None
    with open(full, "rb") as handle:
        return handle.read()


def _put_back(ws: Workspace, previous: Previous) -> None:
    """Return each path to the bytes it held before the command wrote it."""
    for path, data in previous.items():
        full = os.path.join(ws.root, path)
        if data is None:
            if os.path.lexists(full):
                os.remove(full)
        else:
            os.makedirs(os.path.dirname(full), exist_ok=True)
            atomic_write_bytes(full, data)


def commit(ws: Workspace, previous: Previous, subject: str, trailers: Mapping[str, str | Sequence[str]],
           sign: bool = False) -> str:
    """Commit exactly the paths `write` wrote (added, changed or removed) with `subject` and trailers (a list of
    values is one trailer line each); return the new commit.

    If the commit cannot be made (a hook rejects it, signing fails), the working tree and the index are put back
    as they were before the command ran, and the error carries everything Git and its hooks printed.
    """
    paths = list(previous)
    saved = git.index_entries(ws.root, paths)
    lines = [f"{key}: {value}" for key, values in trailers.items()
             for value in ([values] if isinstance(values, str) else values)]
    message = subject + "\n\n" + "\n".join(lines) + "\n"
    try:
        git.run(["add", "-A", "--", *paths], ws.root)
        git.run(["commit", "--quiet", *(["-S"] if sign else []), "-m", message, "--", *paths], ws.root)
    except git.GitError as exc:
        git.restore_index_entries(ws.root, paths, saved)
        _put_back(ws, previous)
        raise QmsError(f"{exc.output or exc.message}\nnot committed, and nothing was changed: the working tree and "
                       "the index are as they were before this command ran (fix what is reported above, then run "
                       "it again)", EXIT_FINDINGS) from None
    sha = git.text(["rev-parse", "--short", "HEAD"], ws.root)
    print(f"committed {sha}: {subject}")
    return sha
