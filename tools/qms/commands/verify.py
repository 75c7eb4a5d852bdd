"""`qms verify`: walk all of history and report every approval or change that does not hold up."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, QmsError
from ..gitlog import git
from ..gitlog.index import HistoryIndex
from ..gitlog.trail import ConfigChange, config_changes
from ..model.config import Config
from .common import add_common, history_findings, load
from . import established
from .control import judge_history, judge_range
from .history import adopted_approvals


def moves(root: str, changes: list[ConfigChange]) -> list[str]:
    """What each move of verify_from (a configuration change like any other) leaves out of verification."""
    notes = []
    for change in changes:
        before, after = change.verify_from
        if after is None or after == before or git.commit_id(root, after) is None:
            continue
        skipped = git.text(["rev-list", "--count", after, *([f"^{before}"] if before and
                                                            git.commit_id(root, before) else [])], root)
        plural = "" if skipped == "1" else "s"
        state = "" if change.in_force else " (not in force: see qms config-history)"
        notes.append(f"verify_from was moved from {before[:12] if before else 'the start of history'} to "
                     f"{after[:12]} by {change.act.author_name} <{change.act.author_email}> in commit "
                     f"{change.act.short}{state}: {skipped} commit{plural} up to it are no longer verified")
    return notes

def adoptions(root: str, config: Config, history: HistoryIndex) -> list[str]:
    """What each adoption (qms adopt) took as stated rather than verified: the approvals it added to the documents
    it adopted (the same answer qms history and the audit pack label "adopted")."""
    stated = adopted_approvals(root, config, history.transitions).stated
    return [f"commit {act.short} by {act.author_name} <{act.author_email}> adopted {', '.join(sorted(stated[act.sha]))}"
            ": their approvals were made before the QMS lived in Git, as the administrator stated, and are not "
            "verified" for act in history.acts if act.sha in stated]


EXAMPLE = """examples:
  qms verify
  qms verify --since 635b1fa      start from the commit where the QMS was adopted
  qms verify --format json
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("verify", help="verify every approval and change in the Git history",
                                 epilog=EXAMPLE)
    parser.add_argument("--since", metavar="REF", help="verify only commits after REF (default: verify_from in "
                        "qms.yml, else all history)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    root, config = load(args)
    git.require_root(root)
    since = args.since or established.judged_after(root, config)
    shallow = history_findings(root)  # QMS137: verify_from may lie beyond what a shallow clone holds
    if since and not shallow and git.commit_id(root, since) is None:
        raise QmsError(f"unknown commit '{since}' (--since or verify_from in qms.yml)", EXIT_USAGE)
    judged = judge_range(root, config, since) if args.since else judge_history(root, config, since)
    findings = sorted(set(judged.findings))
    notes = [] if args.since or shallow else moves(root, config_changes(judged.history.transitions, judged.history.configs,
                                                            judged.findings)) + adoptions(root, config, judged.history)
    if args.format == "json":
        json.dump({"findings": [f.as_dict() for f in findings], "commits": judged.acts,
                   "since": since, "notes": notes}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for finding in findings:
            print(finding.text())
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        scope = "all history" if not since else f"since {since}" if args.since or config.verify_from else \
            f"after the first commit, {since[:12]}, which adopted the QMS (no verify_from)"
        print(f"qms verify: {judged.acts} commits ({scope}): {len(findings)} findings", file=sys.stderr)
    return EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_CLEAN
