"""`qms check`: run every rule and print one line per finding."""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, QmsError
from ..model.config import load_config
from ..model.finding import Finding
from ..model.workspace import Workspace
from ..rules import errors, run
from . import control
from ..rules.verdict import Verdict
from .common import add_common, find_root, history_head, is_snapshot, judged_folder, today, workspace_on

EXAMPLE = """examples:
  qms check                      check the whole QMS
  qms check procedures/sop       report only findings under procedures/sop
  qms check --strict --format json
  qms check --staged             what the pre-commit hook runs
  qms check --base origin/main   what CI runs on a pull request
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("check", help="check documents and records against the document-control rules",
                                 epilog=EXAMPLE)
    parser.add_argument("paths", nargs="*", metavar="PATH", help="report only findings for these files or folders")
    parser.add_argument("--strict", action="store_true", help="treat warnings (such as overdue reviews) as errors")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--staged", action="store_true",
                       help="also check the staged change as the next commit by your Git identity (pre-commit)")
    scope.add_argument("--base", metavar="REF",
                       help="also check every commit since the merge-base with REF, each by its author (CI)")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    root = find_root(args.directory)
    config = load_config(root)  # the working qms.yml: workspace_on reads the one in force, once
    if is_snapshot(root, today(args)):
        if args.staged or args.base:
            raise QmsError(f"--as-of {args.as_of} is past, so it shows the QMS as committed then; --staged and "
                           "--base judge changes made now (drop --as-of, or use a date from today on)", EXIT_USAGE)
        ws = workspace_on(root, config, today(args))
        folder = Verdict(run(ws, args.strict), len(ws.documents), len(ws.records))
        judged: list[Finding] = []
    elif args.base:  # the tree is read against the ledger the branch's walk ends with: HEAD's, never read twice
        branch = control.judge_branch(root, config, args.base)
        judged = branch.findings
        ws = workspace_on(root, config, today(args), branch.ledger)
        folder = Verdict(run(ws, args.strict), len(ws.documents), len(ws.records))
    else:
        problems, head = history_head(root)
        judged = control.judge_staged(root, config, head) if args.staged and not problems else []
        folder = judged_folder(root, config, today(args), args.strict, (problems, head))
    findings = merge(folder.findings, [f.as_error() if args.strict else f for f in judged])
    shallow = [f for f in findings if f.code == "QMS137"]
    if shallow:  # nothing that rests on history (training, in force, who signed) can be judged: say only that
        findings = shallow[:1]
    if args.paths:
        wanted = [_relative(root, path) for path in args.paths]
        findings = [f for f in findings if any(_within(f.path, path) for path in wanted)]
    failed = any(True for _ in errors(findings))
    if args.format == "json":
        summary = {"documents": folder.documents, "records": folder.records,
                   "errors": sum(1 for _ in errors(findings)), "warnings": sum(f.severity == "warning" for f in findings)}
        json.dump({"findings": [f.as_dict() for f in findings], "summary": summary}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for finding in findings:
            print(finding.text())
        _summary(findings, folder.documents, folder.records)
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def combined(ws: Workspace, changes: list[Finding], strict: bool = False) -> list[Finding]:
    """What check reports: the findings about the tree, and those about the change judged (`changes`)."""
    return merge(run(ws, strict=strict), [f.as_error() if strict else f for f in changes])


def merge(state: list[Finding], changes: list[Finding]) -> list[Finding]:
    """The findings about the tree and about the change together; where both name the same code at the same
    place (an approval the tree and the change both show as unauthorised), the change's finding stands."""
    seen = {(f.path, f.line, f.code) for f in changes if not f.commit}
    return sorted(set(changes) | {f for f in state if (f.path, f.line, f.code) not in seen})


def _summary(findings: list[Finding], documents: int, records: int) -> None:
    errors_count = sum(1 for _ in errors(findings))
    warnings = len(findings) - errors_count
    print(f"qms check: {documents} documents, {records} records: {errors_count} errors, {warnings} warnings",
          file=sys.stderr)


def _relative(root: str, path: str) -> str:
    absolute = os.path.abspath(path)
    return os.path.relpath(absolute, root).replace(os.sep, "/") if absolute.startswith(root) else path


def _within(finding_path: str, wanted: str) -> bool:
    return wanted in (".", finding_path) or finding_path.startswith(wanted.rstrip("/") + "/")
