"""Faults: concurrent writers, a killed writer, a stray temporary file, a QMS that is not a repository's root."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from gitrepo import VENV_BIN, Repo
from helpers import baseline

from qms.model.document import parse_document

SOP1 = "procedures/sop/SOP-001-nonconformity.md"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt", no_verify=True)
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", "Quarantine first.", check=True)
    repo.edit(SOP1, "Record it on", "Quarantine it. Record it on")
    repo.commit("Revise", no_verify=True)
    return repo


def test_two_approvals_at_once_lose_no_signature(repo: Repo) -> None:
    """Two approvers sign the same file at the same moment: the write lock serialises them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "QMS_"))}
    env.update(repo.env, QMS_NOW=repo.clock.strftime("%Y-%m-%dT%H:%M:%SZ"))
    processes = []
    for name, email, extra in (("Pat Production", "production@example.com", ["--effective", "2026-04-01"]),
                               ("Dana Quality", "quality@example.com", [])):
        processes.append(subprocess.Popen(
            [os.path.join(VENV_BIN, "qms"), "approve", "SOP-001", *extra], cwd=repo.root, text=True,
            env=dict(env, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE))
    results = [process.communicate(timeout=60) + (process.returncode,) for process in processes]
    doc = parse_document(repo.read(SOP1), SOP1).item
    assert doc is not None
    signed = {a.email for a in doc.approvals}
    # Whichever ran second either kept the first signature or failed plainly; no signature silently vanished.
    for (out, err, code), email in zip(results, ("production@example.com", "quality@example.com")):
        assert code == 0 and email in signed or code != 0 and "Traceback" not in err, (out, err)
    assert len(signed) == sum(code == 0 for _out, _err, code in results)


def test_a_writer_killed_mid_write_leaves_the_file_whole(repo: Repo) -> None:
    """kill -9 between writing the temporary file and renaming it: the document is untouched, the temporary
    file is ignored by Git and reported by qms check."""
    before = repo.read(SOP1)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "QMS_"))}
    env.update(repo.env, QMS_NOW=repo.clock.strftime("%Y-%m-%dT%H:%M:%SZ"), GIT_AUTHOR_NAME="Pat Production",
               GIT_AUTHOR_EMAIL="production@example.com")
    stall = ("import os, sys, time\nfrom qms.model import writer\nreal = os.replace\n"
             "def slow(a, b):\n    if str(b).endswith('.md'):\n        print('ready', flush=True)\n        time.sleep(60)\n"
             "    real(a, b)\n"
             "writer.os.replace = slow\nfrom qms.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    process = subprocess.Popen([os.path.join(VENV_BIN, "python"), "-c", stall, "approve", "SOP-001", "--effective",
                                "2026-04-01"], cwd=repo.root, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert repo.read(SOP1) == before
    strays = list((repo.root / "procedures/sop").glob(".qms-*.tmp"))
    assert len(strays) == 1
    assert repo.status() == ""  # .gitignore keeps it out of Git
    result = repo.qms("check")
    assert f"procedures/sop/{strays[0].name}:1: QMS006 warning:" in result.stdout
    strays[0].unlink()
    assert "QMS006" not in repo.qms("check").stdout
    # the lock died with the killed process: the next writer is not blocked
    started = time.monotonic()
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", "2026-04-01", check=True)
    assert time.monotonic() - started < 30


def test_a_qms_in_a_subfolder_is_refused_by_every_view_alike(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "outer", tmp_path / "home")
    (repo.root / "sub").mkdir()
    baseline(repo.root / "sub")
    repo.commit("Add a QMS in a subfolder", no_verify=True)
    messages = set()
    for args in (("verify",), ("check", "--staged"), ("check", "--base", "HEAD"), ("history", "SOP-001"),
                 ("audit", "--out", str(tmp_path / "pack"))):
        result = repo.run(os.path.join(VENV_BIN, "qms"), args[0], "-C", "sub", *args[1:], check=False)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        messages.add(result.stderr.strip())
    assert len(messages) == 1 and "the QMS must be its root" in messages.pop()
