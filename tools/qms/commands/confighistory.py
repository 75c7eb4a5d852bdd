"""`qms config-history`: every change to qms.yml, who made it and why, and whether it came into force."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import EXIT_CLEAN
from ..gitlog import git
from ..gitlog.trail import ConfigChange, config_changes
from .common import add_common, load, require_history
from . import established
from .control import judge_history

EXAMPLE = """examples:
  qms config-history
  qms config-history --format json
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("config-history", help="list every change to qms.yml, with its author and why",
                                 epilog=EXAMPLE)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_common(parser, main, as_of=False)


def rows(changes: list[ConfigChange]) -> list[dict[str, object]]:
    """Each change as a plain dict (the JSON form, also used by the audit pack)."""
    return [{"commit": c.act.sha, "date": c.act.committed_at.isoformat(),
             "author": f"{c.act.author_name} <{c.act.author_email}>", "why": c.why, "changed": list(c.changed),
             "in_force": c.in_force, "verify_from": {"before": c.verify_from[0], "after": c.verify_from[1]},
             "problems": [f"{f.code} {f.message}" for f in c.problems]} for c in changes]


def main(args: argparse.Namespace) -> int:
    root, config = load(args)
    require_history(root)
    judged = judge_history(root, config, established.judged_after(root, config))
    table = rows(config_changes(judged.history.transitions, judged.history.configs, judged.findings))
    if args.format == "json":
        json.dump({"changes": table}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    print(f"qms.yml: {len(table)} changes")
    for row in table:
        state = "in force" if row["in_force"] else "not in force"
        print(f"\n{str(row['commit'])[:12]}  {str(row['date'])[:10]}  {row['author']}  ({state})")
        print(f"  why:     {row['why'] or '(no Config-Change trailer)'}")
        print(f"  changed: {', '.join(row['changed']) or '(comments or layout only)'}")  # type: ignore[arg-type]
        for problem in row["problems"]:  # type: ignore[attr-defined]
            print(f"  problem: {problem}")
    return EXIT_CLEAN
