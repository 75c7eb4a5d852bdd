"""Training at scale: `qms check` and `qms training` on a QMS with 200 people and 20,000 committed training records,
against `qms check` on the same QMS without them (target: within 3x)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from qms.model.fingerprint import fingerprint

from . import measure, synthetic

PEOPLE, PER_PERSON = 200, 100  # 20,000 training records: each person trained on 100 documents


def _git(root: str, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **(env or {})})


def _config(project: str) -> str:
    """The starter qms.yml with a staff role of PEOPLE people who must be trained on the first PER_PERSON
    documents."""
    with open(os.path.join(project, "qms.yml"), encoding="utf-8") as handle:
        text = handle.read()
    text = re.sub(r"\ntraining:\n(  .*\n|\s*\n)*", "\n", text)
    staff = "".join(f"      - {{name: Staff {n}, email: staff{n}@example.com}}\n" for n in range(PEOPLE))
    text = text.replace("\nroles:\n", f"\nroles:\n  staff:\n    title: Staff\n    people:\n{staff}    approves: []\n", 1)
    return text + "training:\n  grace_days: 30\n  trainers: [quality-manager]\n  required:\n" \
        f"    - {{roles: [staff], documents: [{', '.join(d[1] for d in synthetic.plan(PER_PERSON))}]}}\n"


def make(root: str, docs: int, project: str, with_records: bool) -> None:
    """A Git repository: `docs` effective documents committed by the administrator; with records, then one
    commit per person adding their PER_PERSON read-and-understood records, made as that person."""
    os.makedirs(root)
    generated = synthetic.generate(root, docs, project)
    with open(os.path.join(root, "qms.yml"), "w", encoding="utf-8") as handle:
        handle.write(_config(project))
    _git(root, "init", "-q", "-b", "main")
    admin = {"GIT_AUTHOR_NAME": "Dana Quality", "GIT_AUTHOR_EMAIL": "quality@example.com",
             "GIT_COMMITTER_NAME": "Dana Quality", "GIT_COMMITTER_EMAIL": "quality@example.com",
             "GIT_AUTHOR_DATE": "2026-08-01T09:00:00Z", "GIT_COMMITTER_DATE": "2026-08-01T09:00:00Z"}
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-verify", "-m", "Synthetic QMS", env=admin)
    if not with_records:
        return
    folder = os.path.join(root, "records", "training")
    os.makedirs(folder, exist_ok=True)
    trained = generated[:PER_PERSON]
    number = 0
    for person in range(PEOPLE):
        email = f"staff{person}@example.com"
        for doc in trained:
            number += 1
            print_ = fingerprint(doc.id, doc.title, doc.type, str(doc.revision), doc.effective, doc.body)
            with open(os.path.join(folder, f"TRN-{number:03d}.md"), "w", encoding="utf-8") as handle:
                handle.write(f"---\nid: TRN-{number:03d}\ntitle: \"Read and understood: {doc.id}\"\ntype: training\n"
                             "date: 2026-09-01\nowner: quality-manager\nprocedure: SOP-001\ntraining:\n"
                             f"  document: {doc.id}\n  revision: {doc.revision}\n  fingerprint: \"{print_}\"\n"
                             f"  method: read-and-understood\n  trainee: {{name: Staff {person}, email: {email}}}\n"
                             f"---\n# Read and understood: {doc.id}\n\nRead and understood.\n")
        who = {"GIT_AUTHOR_NAME": f"Staff {person}", "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": f"Staff {person}",
               "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": "2026-09-01T09:00:00Z",
               "GIT_COMMITTER_DATE": "2026-09-01T09:00:00Z"}
        _git(root, "add", "records")
        _git(root, "commit", "-q", "--no-verify", "-m", f"Training of staff {person}", env=who)


def bench_training(base: str, docs: int, project: str, runs: int, qms: list[str]) -> None:
    without, with_records = base + "-without-records", base + "-with-records"
    make(without, docs, project, False)
    make(with_records, docs, project, True)
    try:
        _measure(without, with_records, docs, runs, qms)
    finally:
        shutil.rmtree(without)
        shutil.rmtree(with_records)


def _measure(without: str, with_records: str, docs: int, runs: int, qms: list[str]) -> None:
    for root in (without, with_records):  # history caches built once, as after the first run of the hook
        measure.run([*qms, "check", "-C", root])
    results = measure.compare({
        "qms check, no training records": lambda: measure.run([*qms, "check", "-C", without]),
        "qms check, 20,000 training records": lambda: measure.run([*qms, "check", "-C", with_records]),
        "qms training, 20,000 training records": lambda: measure.run([*qms, "training", "-C", with_records]),
    }, runs)
    measure.report(f"training: {docs} documents, {PEOPLE} people, {PEOPLE * PER_PERSON} records", results,
                   "qms check, no training records",
                   {"qms check, 20,000 training records": 3.0, "qms training, 20,000 training records": 3.0})


if __name__ == "__main__":
    import tempfile

    from .__main__ import PROJECT, qms_command

    with tempfile.TemporaryDirectory(prefix="qms-bench-training-") as folder:
        bench_training(os.path.join(folder, "qms"), int(sys.argv[1]) if len(sys.argv) > 1 else 1000, PROJECT,
                       int(sys.argv[2]) if len(sys.argv) > 2 else 3, qms_command())
