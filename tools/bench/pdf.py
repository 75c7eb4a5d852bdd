"""The controlled PDFs: every document's PDF rendered from cold against plain mkdocs-material building the same
pages (target: within 2x); a rebuild after one document changes (target: one PDF rendered); the whole starter
manual as one PDF (target: under 15 s)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date

from . import measure

MKDOCS = """site_name: Synthetic QMS
docs_dir: procedures
theme:
  name: material
  font: false
  features: [navigation.prune, navigation.top, search.highlight]
plugins:
  - search
  - qms: {pdf: false}
"""
PLAIN = "plain mkdocs-material building the qms export (no PDFs)"
COLD = "qms pdf of every document, from cold (no cache)"
MANUAL = ("import sys; from datetime import date; from qms.mkdocs import edition; from qms.pdf import build; "
          "build.manual(edition.make(sys.argv[1], edition.Options(date.today())))")
AUTHOR = ("Alex Author", "author@example.com")
APPROVER = ("Pat Production", "production@example.com")  # approves work instructions alone (synthetic.APPROVERS)


def bench_pdf(repository: str, project: str, runs: int, qms: list[str]) -> None:
    """Measure the PDFs of the synthetic QMS in `repository` (changed by one revision), and the starter's manual."""
    runs = max(1, min(runs, 3))
    ids = sorted(_in_force(repository))
    exported = _export(repository, qms)
    mkdocs = os.path.join(os.path.dirname(sys.executable), "mkdocs")
    caches = tempfile.mkdtemp(prefix="qms-bench-pdf-")
    out = os.path.join(caches, "out")
    counter = iter(range(1_000_000))

    def cold() -> measure.Sample:
        os.environ["QMS_PDF_CACHE"] = os.path.join(caches, f"cold-{next(counter)}")
        return measure.run([*qms, "pdf", *ids, "--out", out], cwd=repository)

    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    results = measure.compare({PLAIN: lambda: measure.run([mkdocs, "build", "-q", "-f", os.path.join(exported,
                                                                                              "mkdocs.yml")]),
                               COLD: cold}, runs)
    pages = sum(1 for _f, _d, names in os.walk(os.path.join(exported, "site")) for n in names if n == "index.html")
    measure.report(f"controlled PDFs: {len(ids)} documents against plain mkdocs-material building {pages} pages "
                   f"({os.cpu_count()} CPUs)", results, PLAIN, {COLD: 2.0})
    print(f"  {results[COLD].median / len(ids) * 1000:.0f} ms per document's PDF, wall time")

    cache = os.environ["QMS_PDF_CACHE"]  # the last cold run's: every document's PDF
    before = set(os.listdir(cache))
    changed = _revise_one(repository, qms)
    start = time.perf_counter()
    result = subprocess.run([*qms, "pdf", *ids, "--out", out], cwd=repository, capture_output=True, text=True,
                            check=False)
    seconds = time.perf_counter() - start
    reported = re.search(r"\((\d+) rendered, (\d+) from the cache\)", result.stderr)
    entries = set(os.listdir(cache)) - before
    print(f"\nrebuild after one document changed ({changed} revised and approved): {seconds:.1f} s; "
          f"{reported.group(1) if reported else '?'} rendered by qms pdf's count, {len(entries)} new in the cache "
          f"({', '.join(sorted(e.split('.')[0] for e in entries))}); target exactly 1: "
          f"{'met' if len(entries) == 1 and reported and reported.group(1) == '1' else 'MISSED'}")

    def manual() -> measure.Sample:
        os.environ["QMS_PDF_CACHE"] = os.path.join(caches, f"manual-{next(counter)}")
        return measure.run([sys.executable, "-c", MANUAL, project])

    whole = measure.compare({"the starter's whole manual as one PDF, from cold": manual}, runs)
    seconds = next(iter(whole.values())).median
    print(f"\nthe starter's whole manual as one PDF (edition and rendering, from cold): {seconds:.1f} s "
          f"(target < 15 s: {'met' if seconds < 15 else 'MISSED'})")
    os.environ.pop("QMS_PDF_CACHE", None)
    shutil.rmtree(caches, ignore_errors=True)
    shutil.rmtree(exported, ignore_errors=True)


def _in_force(repository: str) -> set[str]:
    """The ids of the synthetic documents (every one has an approved first revision, so each is in force)."""
    found = set()
    for folder, _dirs, names in os.walk(os.path.join(repository, "procedures")):
        found |= {name[:-3] for name in names if name.endswith(".md")}
    return found


def _export(repository: str, qms: list[str]) -> str:
    """The edition as plain Markdown pages without PDFs (qms export), for plain mkdocs-material to build."""
    config = os.path.join(repository, "mkdocs.yml")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(MKDOCS)
    exported = os.path.join(repository, ".bench-pdf-export")
    shutil.rmtree(exported, ignore_errors=True)
    measure.run([*qms, "export", exported], cwd=repository, ok=(0, 1))
    os.remove(config)
    return exported


def _revise_one(repository: str, qms: list[str]) -> str:
    """Revise one approved work instruction and approve the new revision, effective today, each step committed by
    its author; the document's id."""
    folder = os.path.join(repository, "procedures", "work-instructions")
    path = next(os.path.join(folder, name) for name in sorted(os.listdir(folder))
                if "status: approved" in open(os.path.join(folder, name), encoding="utf-8").read())
    doc_id = os.path.basename(path)[:-3]

    def as_(person: tuple[str, str], *command: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_NAME": person[0], "GIT_AUTHOR_EMAIL": person[1],
               "GIT_COMMITTER_NAME": person[0], "GIT_COMMITTER_EMAIL": person[1]}
        subprocess.run(["git", "config", "user.name", person[0]], cwd=repository, check=True)
        subprocess.run(["git", "config", "user.email", person[1]], cwd=repository, check=True)
        subprocess.run(list(command), cwd=repository, env=env, check=True, capture_output=True)

    as_(AUTHOR, *qms, "revise", doc_id, "--change", "Measure the part twice.")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\nMeasure the part twice.\n")
    as_(AUTHOR, "git", "commit", "-q", "--no-verify", "-am", f"Revise {doc_id}")
    as_(APPROVER, *qms, "approve", doc_id, "--effective", date.today().isoformat(), "--commit")
    return doc_id
