"""`make bench`: generate a synthetic QMS and measure the qms tools against floors, in one run."""

from __future__ import annotations

import argparse
import random
import os
import sys
import tempfile
from collections.abc import Sequence

import shutil

from . import history, hook, importing, manual, measure, pdf, synthetic, training

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))


def qms_command() -> list[str]:
    """The installed `qms` console script of this interpreter."""
    script = os.path.join(os.path.dirname(sys.executable), "qms")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "qms.cli"]


def bench_check(root: str, runs: int) -> None:
    qms = qms_command()
    results = measure.compare({
        "floor: read files + PyYAML CSafeLoader": lambda: measure.run([sys.executable, os.path.join(HERE,
                                                                       "floor_parse.py"), root]),
        "qms check": lambda: measure.run([*qms, "check", "-C", root, "--as-of", "2026-11-23"]),
    }, runs)
    measure.report("qms check on the whole QMS", results, "floor: read files + PyYAML CSafeLoader",
                   {"qms check": 3.0})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--docs", type=int, default=1000, help="documents in the synthetic QMS (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each measurement (default 5)")
    parser.add_argument("--commits", type=int, default=10000, help="commits in the synthetic history (default 10000)")
    parser.add_argument("--only", default="check,hook,history,manual,pdf",
                        help="comma-separated parts to run (default: check,hook,history,manual,pdf; also: training, "
                        "200 people and 20,000 training records; import, qms import of --docs Markdown files and "
                        "of --docs/10 Word files)")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as root:
        docs = synthetic.generate(root, args.docs, PROJECT)
        sizes = [os.path.getsize(os.path.join(folder, name)) for folder, _d, names in
                 os.walk(os.path.join(root, "procedures")) for name in names]
        print(f"synthetic QMS: {len(sizes)} documents, median file {sorted(sizes)[len(sizes) // 2] / 1024:.1f} KB, "
              f"{args.runs} runs per measurement, medians")
        if "check" in parts:
            bench_check(root, args.runs)
        if "import" in parts:
            importing.bench_import(root + "-import", args.docs, PROJECT, args.runs, qms_command())
        if "training" in parts:
            training.bench_training(root + "-training", args.docs, PROJECT, args.runs, qms_command())
        if parts & {"history", "manual", "pdf"}:
            repository = os.path.join(os.path.dirname(root), os.path.basename(root) + "-history")
            history.make_history_apart(repository, args.docs, args.commits, PROJECT)
            if "history" in parts:
                history.bench_history(repository, args.runs, args.docs)
                history.bench_branch(repository, args.runs)
            if "manual" in parts:
                manual.bench_manual(repository, PROJECT, max(1, min(args.runs, 3)))
            if "pdf" in parts:  # last: it commits a new revision of one document
                pdf.bench_pdf(repository, PROJECT, args.runs, qms_command())
            shutil.rmtree(repository)
        if "hook" not in parts:
            return 0
        hook.make_repository(root, PROJECT)  # every document approved and committed, then the next revision begun
        synthetic_draft = _draft(root, docs[1])
        hook.git(root, "commit", "-q", "--no-verify", "-am", "Start the next revision")
        hook.stage_change(root, synthetic_draft)
        starter = os.path.join(os.path.dirname(root), os.path.basename(root) + "-starter")
        os.makedirs(starter)
        for name in ("qms.yml", "procedures", "records"):
            source = os.path.join(PROJECT, name)
            (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, os.path.join(starter, name))
        hook.make_repository(starter, PROJECT)
        hook.stage_change(starter, STARTER_DRAFT)
        hook.bench_hook("starter QMS", starter, STARTER_DRAFT, qms_command(), args.runs)
        hook.bench_hook(f"{args.docs} documents", root, synthetic_draft, qms_command(), args.runs)
        shutil.rmtree(starter)
    return 0


STARTER_DRAFT = "procedures/work-instructions/WI-004-packaging-and-preservation-of-finished-parts.md"


def _draft(root: str, doc: synthetic.Doc) -> str:
    """Start the next revision of `doc` as a draft, so that editing it is a legitimate change; its path."""
    draft = synthetic.draft_of(doc, random.Random(3))
    with open(os.path.join(root, draft.path), "w", encoding="utf-8") as handle:
        handle.write(synthetic.render(draft))
    return draft.path


if __name__ == "__main__":
    raise SystemExit(main())
