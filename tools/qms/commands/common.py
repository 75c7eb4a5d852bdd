"""What every command needs: the QMS root, its configuration, the date to judge by, the workspace."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date

from ..errors import EXIT_USAGE, QmsError
from ..gitlog import git, snapshot
from ..model import clock
from ..model.config import CONFIG_FILE, Config, load_config
from ..model.finding import Finding
from ..model.ledger import Ledger
from ..model.transition import made_on_force, parsed_config
from ..model.workspace import Workspace, scan
from ..rules import verdict
from . import control, established


def find_root(start: str) -> str:
    """The nearest folder at or above `start` that holds qms.yml."""
    if not os.path.isdir(start):
        raise QmsError(f"cannot change to '{start}': no such folder (check the -C DIR you gave)", EXIT_USAGE)
    folder = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(folder, CONFIG_FILE)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            raise QmsError(f"QMS090 no {CONFIG_FILE} in {start} or any parent folder (run qms inside a QMS "
                           "repository, or pass -C DIR)", EXIT_USAGE)
        folder = parent


def parse_date(text: str) -> date:
    """An argparse type for YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def add_common(parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int],
               as_of: bool = True) -> None:
    """Options every command takes, and the function that runs it. Commands that write take no --as-of: what
    they do is judged at the time they do it."""
    parser.set_defaults(handler=handler, as_of=None)
    parser.add_argument("-C", dest="directory", default=".", metavar="DIR",
                        help="run as if started in DIR (default: the current folder)")
    if as_of:
        parser.add_argument("--as-of", type=parse_date, metavar="YYYY-MM-DD",
                            help="judge effective dates and reviews as of this date (default: today, UTC)")


def today(args: argparse.Namespace) -> date:
    """The date the command judges by."""
    chosen: date | None = args.as_of
    return chosen or clock.today()


def open_workspace(args: argparse.Namespace, shallow: bool = False) -> Workspace:
    """Find the root, load qms.yml and read every document and record: as they are in the folder, or, with an
    --as-of date before today in a Git repository, as they were committed then (gitlog.snapshot). A view whose
    answer rests on history refuses a shallow clone with QMS137, unless it reports findings (`shallow`)."""
    root = find_root(args.directory)
    ws = workspace_on(root, load_config(root), today(args))
    if not shallow:
        refuse_shallow(ws)
    return ws


def refuse_shallow(ws: Workspace) -> None:
    """Refuse to answer from a shallow clone, whose history cannot say what is in force, who was trained on
    what, or which qms.yml holds: with the finding every view reports (QMS137)."""
    for finding in ws.findings:
        if finding.code == "QMS137":
            raise QmsError(finding.text(), EXIT_USAGE)


def is_snapshot(root: str, day: date) -> bool:
    """Whether the QMS judged on `day` is the one committed then (a past day, with the history to say), not the
    folder."""
    return day < clock.today() and git.is_root(root) and git.head_or_empty(root) != git.EMPTY_TREE \
        and not git.is_shallow(root)


def history_findings(root: str) -> list[Finding]:
    """Whether history can answer for the QMS at `root`, asked the same way by every view: a QMS in a subfolder of
    a Git repository is refused (git.require_root); a shallow clone is QMS137; outside Git nothing is said (the
    folder is judged by itself)."""
    return history_head(root)[0]


def history_head(root: str) -> tuple[list[Finding], str | None]:
    """history_findings, and HEAD's commit where history can answer for the folder (None outside Git, before the
    first commit, or in a shallow clone)."""
    found = git.layout(root)
    if found is None:
        return [], None
    _git_dir, top, shallow = found
    git.require_root(root, top)
    head = git.head_or_empty(root)
    if head == git.EMPTY_TREE:
        return [], None
    if shallow:
        return [control.shallow_finding()], None
    return [], head


def require_history(root: str) -> None:
    """Refuse, with the words every view uses, to answer from anything but the whole history of a repository
    whose root is the QMS."""
    git.require_root(root)
    for finding in history_findings(root):
        raise QmsError(finding.text(), EXIT_USAGE)


def config_in_force(root: str, working: Config, head: str | None = None) -> tuple[Config, list[Finding]]:
    """The qms.yml the folder is judged by: the one in force at HEAD (established.py: a change that was not
    authorised never comes into force), or, where the working qms.yml has changes not committed yet, the working
    one when your Git identity administers it (the next commit brings it into force, as the hook judges it).
    With a warning (QMS153) where the working qms.yml says something that is not in force: the error is the
    change itself (QMS150 in the hook, CI and verify). `head`: HEAD's commit, where the caller has it."""
    head = head or git.head_or_empty(root)
    if head == git.EMPTY_TREE:
        return working, []
    in_force = established.config(root, head)
    if in_force is None or in_force == working:
        return working, []
    committed = git.read_blobs(root, [f"{head}:{CONFIG_FILE}"]).get(f"{head}:{CONFIG_FILE}")
    with open(os.path.join(root, CONFIG_FILE), "rb") as handle:
        edited = handle.read() != committed
    if edited:
        try:
            email = git.identity(root)[1]
        except QmsError:
            email = ""
        if email and in_force.may_administer(email) and made_on_force(in_force, parsed_config(
                committed.decode("utf-8", errors="replace") if committed else None)):
            return working, []  # an administrator's change on the qms.yml in force (QMS154 otherwise)
        return in_force, [Finding(CONFIG_FILE, 1, "QMS153", f"the changes to {CONFIG_FILE} not committed yet do not "
                                  f"come into force: {email or 'your Git identity'} does not administer it, so "
                                  f"everything is judged by the {CONFIG_FILE} in force",
                                  "ask an administrator to make the change, or undo it", "warning")]
    return in_force, [Finding(CONFIG_FILE, 1, "QMS153", f"{CONFIG_FILE} as committed is not in force: a change to it "
                              "was not made by an administrator (qms config-history and qms verify name the commit, "
                              f"QMS150), so everything is judged by the {CONFIG_FILE} in force before it",
                              "revert the change, or have an administrator make it", "warning")]


def workspace_on(root: str, config: Config, day: date, history: Ledger | None = None) -> Workspace:
    """The QMS to judge on `day`: the folder, unless `day` is past and history can say how the QMS stood then,
    judged by the qms.yml in force (config_in_force; `config` is the working one). `history`: what history
    established at HEAD, when the caller has it already (else it is read)."""
    known = history_head(root)
    if not known[0] and is_snapshot(root, day):
        commit = snapshot.commit_on(root, config, day)
        if commit is None:
            return Workspace(root, config, day)
        there = established.at(root, commit)
        ws = snapshot.workspace_at(root, commit, there.config or config, day, there.ledger)
        print(f"as of {day}: the QMS as committed in {(ws.commit or '')[:12]}, judged on that day", file=sys.stderr)
        return ws
    config, problems, head = judged_by(root, config, known)
    if history is None:
        history = established.at(root, head).ledger if head is not None else Ledger()
    ws = scan(root, config, day, history=history)
    ws.findings.extend(problems)
    return ws


def judged_by(root: str, config: Config, known: tuple[list[Finding], str | None] | None = None
              ) -> tuple[Config, list[Finding], str | None]:
    """What the folder is judged by: the qms.yml in force (config_in_force; `config` is the working one), and
    HEAD's commit where history can answer for it; with the findings of asking (history_head, QMS153). `known`:
    history_head, where the caller has it."""
    problems, head = known or history_head(root)
    if head is not None:
        config, problems = config_in_force(root, config, head)
    return config, problems, head


def judged_folder(root: str, config: Config, day: date, strict: bool = False,
                  known: tuple[list[Finding], str | None] | None = None) -> verdict.Verdict:
    """What the rules say of the folder on `day` (rules.run over workspace_on's workspace, with its findings),
    judged again only where the folder or history changed since the last time (rules.verdict). Not for a past
    day, which judges a snapshot (workspace_on). `known`: history_head, where the caller has it."""
    config, problems, head = judged_by(root, config, known)
    there = established.at(root, head) if head is not None else None
    found = verdict.judge(root, config, day, there.ledger if there else Ledger(), head,
                          there.since if there else None, strict)
    extra = [f.as_error() if strict else f for f in problems]
    return verdict.Verdict(sorted(set(found.findings) | set(extra)), found.documents, found.records, found.read)


def load(args: argparse.Namespace) -> tuple[str, Config]:
    """The root and the configuration in force there (in_force_config), without reading documents."""
    root = find_root(args.directory)
    return root, in_force_config(root, load_config(root))


def in_force_config(root: str, working: Config) -> Config:
    """The qms.yml the QMS at `root` is judged by (config_in_force), where history can say; else the working one
    (`working`). A change that was not authorised, such as a move of verify_from, never narrows what is judged."""
    if not git.is_repository(root) or history_findings(root):
        return working
    return config_in_force(root, working)[0]
