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
from ..model.ledger import Ledger
from ..model.workspace import Workspace, scan
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


def open_workspace(args: argparse.Namespace) -> Workspace:
    """Find the root, load qms.yml and read every document and record: as they are in the folder, or, with an
    --as-of date before today in a Git repository, as they were committed then (gitlog.snapshot)."""
    root = find_root(args.directory)
    return workspace_on(root, load_config(root), today(args))


def is_snapshot(root: str, day: date) -> bool:
    """Whether the QMS judged on `day` is the one committed then (a past day, with the history to say), not the
    folder."""
    return day < clock.today() and git.is_root(root) and git.head_or_empty(root) != git.EMPTY_TREE \
        and not git.is_shallow(root)


def workspace_on(root: str, config: Config, day: date, history: Ledger | None = None) -> Workspace:
    """The QMS to judge on `day`: the folder, unless `day` is past and history can say how the QMS stood then.
    `history`: what history established at HEAD, when the caller has it already (else it is read)."""
    if is_snapshot(root, day):
        commit = snapshot.commit_on(root, config, day)
        if commit is None:
            return Workspace(root, config, day)
        there = established.at(root, commit)
        ws = snapshot.workspace_at(root, commit, there.config or config, day, there.ledger)
        print(f"as of {day}: the QMS as committed in {(ws.commit or '')[:12]}, judged on that day", file=sys.stderr)
        return ws
    return scan(root, config, day, history=control.established_history(root) if history is None else history)


def load(args: argparse.Namespace) -> tuple[str, Config]:
    """The root and its configuration, without reading documents."""
    root = find_root(args.directory)
    return root, load_config(root)
