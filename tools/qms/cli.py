"""The `qms` command: argparse wiring and the single error handler."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from . import __version__
from .errors import EXIT_INTERNAL, EXIT_USAGE, QmsError
from .model import cache

# Command name -> module under qms.commands. Only the module of the command being run is imported, so
# that `qms check` (the pre-commit hook) does not pay for the imports of every other command.
COMMANDS = {
    "check": "check", "new": "new", "list": "listing", "status": "listing", "revise": "revise",
    "approve": "approve", "obsolete": "obsolete", "review": "review", "record": "records", "records": "records",
    "dispose": "records", "history": "history", "diff": "diff", "verify": "verify", "audit": "audit",
    "config-history": "confighistory", "export": "export", "import": "importing", "adopt": "adopt",
    "withdraw": "withdraw", "pr": "pr", "inbox": "inbox", "codeowners": "codeowners", "pdf": "pdf",
    "train": "training", "training": "training",
}


class _Parser(argparse.ArgumentParser):
    """Keeps each command's example epilog as written; sub-commands are made of the same class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: with every command, or only with `command` when it names one."""
    top = _Parser(prog="qms", description="Document control for an ISO 9001 QMS in Git.",
                  usage="qms [-h] [--version] [-C DIR] COMMAND ...")
    top.add_argument("--version", action="version", version=f"qms {__version__}")
    top.add_argument("-C", dest="directory", metavar="DIR",
                     help="run as if started in DIR, as in git -C (also accepted after the command)")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    modules = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        importlib.import_module(f"{__package__}.commands.{name}").register(commands)
    return top


def leading_directories(arguments: list[str]) -> tuple[list[str], list[str]]:
    """The `-C DIR` options before the command, and the arguments after them. As in Git, each -C is taken
    relative to the one before it, and a command's own -C relative to them all."""
    folders: list[str] = []
    rest = list(arguments)
    while rest and (rest[0] == "-C" and len(rest) > 1 or rest[0].startswith("-C") and len(rest[0]) > 2):
        word = rest.pop(0)
        folders.append(rest.pop(0) if word == "-C" else word[2:])
    return folders, rest


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; print problems without a traceback; return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    folders, arguments = leading_directories(arguments)
    top = parser(next((word for word in arguments if not word.startswith("-")), None))
    try:
        args = top.parse_args(arguments)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    if folders and hasattr(args, "directory"):
        args.directory = os.path.normpath(os.path.join(*folders, args.directory or "."))
    if not getattr(args, "handler", None):
        top.print_help()
        return EXIT_USAGE
    try:
        with cache.settled():  # what the caches load stays out of the cyclic collector's walks
            return int(args.handler(args))
    except QmsError as exc:
        print(f"qms: {exc.message}" if not exc.message.startswith(("qms.yml:", "procedures/", "records/"))
              else exc.message, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("qms: interrupted; nothing was left half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the disk or the file system, not bad input and not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"qms: {where}{exc.strerror or exc} (check free space and permissions; nothing was left "
              "half-written)", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug, not bad input: say so and how to get the details
        if os.environ.get("QMS_DEBUG"):
            traceback.print_exc()
        print(f"qms: internal error: {type(exc).__name__}: {exc} (set QMS_DEBUG=1 for details and report it)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
