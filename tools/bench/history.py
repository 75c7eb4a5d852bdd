"""The history index against one raw `git log --name-status` pass and against per-document `git log` calls."""

from __future__ import annotations

import os
import shutil
import random
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta

from . import measure, synthetic

START = 1767225600  # 2026-01-01T00:00:00Z


def _blob(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"data %d\n" % len(data) + data + b"\n"


def make_history(root: str, count: int, commits: int, project: str, seed: int = 11) -> None:
    """A repository of `count` documents and `commits` commits of honest revising and approving, via fast-import."""
    rng = random.Random(seed)
    docs = synthetic.documents(count, rng)
    stream = bytearray()
    admin = b"Ada Admin <admin@example.com>"
    stream += b"commit refs/heads/main\nmark :1\nauthor %s %d +0000\ncommitter %s %d +0000\n" % (
        admin, START, admin, START)
    stream += _blob("Adopt the QMS")
    with open(os.path.join(project, "qms.yml"), encoding="utf-8") as config:  # verify_from names no commit here
        text = "".join(line for line in config if not line.startswith("verify_from:"))
        stream += b"M 100644 inline qms.yml\n" + _blob(text)
    for doc in docs:
        stream += b"M 100644 inline " + doc.path.encode() + b"\n" + _blob(synthetic.render(doc))
    for number in range(2, commits + 1):
        index = rng.randrange(count)
        doc = docs[index]
        if doc.status == "approved":
            doc = synthetic.draft_of(doc, rng)
            who, message = synthetic.AUTHOR, f"Revise {doc.id} to revision {doc.revision}"
        else:
            signer = len(doc.signed_by)
            name, email, _role = synthetic.APPROVERS[doc.type][signer]
            at = f"{date(2026, 1, 1) + timedelta(seconds=number * 600):%Y-%m-%d}T09:00:00Z"
            effective = doc.effective or date(2026, 1, 1) + timedelta(seconds=number * 600, days=7)
            doc = replace(doc, effective=effective, signed_by=doc.signed_by + (signer,),
                          signed_at=doc.signed_at + (at,))
            if len(doc.signed_by) == len(synthetic.APPROVERS[doc.type]):
                doc = replace(doc, status="approved")
            who, message = (name, email), f"Approve {doc.id} revision {doc.revision}"
        docs[index] = doc
        person = f"{who[0]} <{who[1]}>".encode()
        when = START + number * 600
        stream += b"commit refs/heads/main\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\n" % (
            number, person, when, person, when)
        stream += _blob(message) + b"from :%d\n" % (number - 1)
        stream += b"M 100644 inline " + doc.path.encode() + b"\n" + _blob(synthetic.render(doc))
    subprocess.run(["git", "init", "-q", "-b", "main", root], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)


def make_history_apart(root: str, count: int, commits: int, project: str) -> None:
    """make_history in a process of its own, so that the benchmark's own memory stays small: a measured
    command is forked from it, and its peak memory would otherwise start at the benchmark's."""
    script = ("import sys; from tools.bench.history import make_history; "
              "make_history(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])")
    subprocess.run([sys.executable, "-c", script, root, str(count), str(commits), project], cwd=project, check=True)


INDEX_SCRIPT = "import sys; from qms.gitlog.index import build; build(sys.argv[1], cache_versions=sys.argv[2] == 'warm').transitions"
PER_DOCUMENT = """import subprocess, sys
for path in sys.stdin.read().split():
    subprocess.run(["git", "log", "-1", "--format=%H %aI", "--", path], cwd=sys.argv[1], check=True,
                   stdout=subprocess.DEVNULL)
"""


def bench_history(root: str, runs: int, documents: int) -> None:
    paths = "\n".join(os.path.relpath(os.path.join(folder, name), root) for folder, _d, names in
                      os.walk(os.path.join(root, "procedures")) for name in names).encode()
    commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.strip()
    floor = "floor: git log --name-status (one pass)"
    measure.run([sys.executable, "-c", INDEX_SCRIPT, root, "warm"])  # fills the cache for the warm runs
    synthetic.write_site_config(root)

    def cold() -> measure.Sample:  # neither reads nor writes the cache
        return measure.run([sys.executable, "-c", INDEX_SCRIPT, root, "cold"])

    exports = iter(range(1_000_000))

    def export() -> measure.Sample:  # warm, like the manual build: writes the edition into a new folder each run
        out = os.path.join(root, f".bench-export-{next(exports)}")
        sample = measure.run([os.path.join(os.path.dirname(sys.executable), "qms"), "export", out], cwd=root,
                             ok=(0, 1))
        shutil.rmtree(out, ignore_errors=True)
        return sample

    results = measure.compare({
        floor: lambda: measure.run(["git", "log", "--name-status", "--format=%H %an %ae %aI"], cwd=root),
        "qms export (the edition as Markdown, warm)": export,
        "history index, cached by blob id (warm)": lambda: measure.run([sys.executable, "-c", INDEX_SCRIPT, root,
                                                                          "warm"]),
        "history index, no cache (cold)": cold,
    }, runs)
    results.update(measure.compare({
        f"per-document git log -1 ({documents} calls)": lambda: measure.run(
            [sys.executable, "-c", PER_DOCUMENT, root], stdin=paths),
    }, 1))
    measure.report(f"history index: {documents} documents, {commits} commits", results, floor,
                   {"history index, cached by blob id (warm)": 3.0, "qms export (the edition as Markdown, warm)": 3.0})
    exported, warm = (results[name].median for name in ("qms export (the edition as Markdown, warm)",
                                                         "history index, cached by blob id (warm)"))
    print(f"  qms export against the warm history index: {exported / warm:.2f}x (target <= 3x: "
          f"{'met' if exported <= 3 * warm else 'MISSED'}); against the git log floor: "
          f"{exported / results[floor].median:.2f}x (target <= 3x: "
          f"{'met' if exported <= 3 * results[floor].median else 'MISSED'})")
    per_doc = results[f"per-document git log -1 ({documents} calls)"].median
    for name in ("history index, cached by blob id (warm)", "history index, no cache (cold)"):
        speedup = per_doc / results[name].median
        print(f"  {name}: {speedup:.1f}x faster than per-document git log (target >= 20x: "
              f"{'met' if speedup >= 20 else 'MISSED'}); peak {results[name].peak_mb:.0f} MB (target < 500 MB)")


BRANCH = 50  # commits on the branch CI judges


def bench_branch(root: str, runs: int) -> None:
    """CI and verify on the last BRANCH commits (a branch's worth), warm, against `git log --raw` over all of
    history (what the ledger at the branch's start is made from) and over the branch alone."""
    qms = os.path.join(os.path.dirname(sys.executable), "qms")
    base = f"HEAD~{BRANCH}"
    for command in (["check", "--base", base], ["verify", "--since", base]):  # fill the caches for the warm runs
        measure.run([qms, *command], cwd=root, ok=(0, 1))
    floor = "floor: git log --raw (all history, one pass)"
    results = measure.compare({
        floor: lambda: measure.run(["git", "log", "--raw", "--no-abbrev"], cwd=root),
        f"git log --raw ({BRANCH} commits)": lambda: measure.run(["git", "log", "--raw", "--no-abbrev",
                                                                  f"{base}..HEAD"], cwd=root),
        f"qms verify --since HEAD~{BRANCH} (warm)": lambda: measure.run([qms, "verify", "--since", base], cwd=root,
                                                                       ok=(0, 1)),
        f"qms check --base HEAD~{BRANCH} (warm, with the whole tree)": lambda: measure.run(
            [qms, "check", "--base", base], cwd=root, ok=(0, 1)),
    }, runs)
    measure.report(f"a {BRANCH}-commit branch", results, floor,
                   {f"qms verify --since HEAD~{BRANCH} (warm)": 3.0,
                    f"qms check --base HEAD~{BRANCH} (warm, with the whole tree)": 3.0})
