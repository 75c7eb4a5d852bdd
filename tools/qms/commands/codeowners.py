"""`qms codeowners`: write CODEOWNERS from qms.yml, so that the Git host requests review from the right approvers."""

from __future__ import annotations

import argparse
import os

from ..errors import EXIT_CLEAN
from ..model.codeowners import GITHUB, GITLAB, codeowners
from ..model.writer import atomic_write
from .common import add_common, open_workspace

EXAMPLE = """examples:
  qms codeowners             write .github/CODEOWNERS
  qms codeowners --gitlab    write .gitlab/CODEOWNERS
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("codeowners", help="write CODEOWNERS from qms.yml: each document folder asks for "
                                 "review by the people whose roles approve its type", epilog=EXAMPLE)
    parser.add_argument("--gitlab", action="store_true", help=f"write {GITLAB} instead of {GITHUB}")
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    path = GITLAB if args.gitlab else GITHUB
    text = codeowners(ws.config, ws.documents)
    full = os.path.join(ws.root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    atomic_write(full, text)
    rules = sum(1 for line in text.splitlines() if line.startswith("/"))
    unowned = sum(1 for line in text.splitlines() if line.endswith("nobody with a handle"))
    print(f"wrote {path}: {rules} rule(s)" + (f"; {unowned} pattern(s) have nobody with a handle in qms.yml (add "
                                               "`handle: @name` to those people)" if unowned else ""))
    return EXIT_CLEAN
