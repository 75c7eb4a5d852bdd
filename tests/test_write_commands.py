"""The commands that write: exactly what they change, comments and order kept, nothing half-written."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from gitrepo import Repo
from helpers import PROJECT, baseline

from qms.cli import main
from qms.model.document import parse_document

GOLDEN = PROJECT / "tests" / "golden"
SOP1 = "procedures/sop/SOP-001-nonconformity.md"
NCR1 = "records/ncr/NCR-001.md"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt")
    return repo


def state(repo: Repo, doc_id: str) -> str:
    import json

    rows = json.loads(repo.qms("list", "--format", "json", check=True).stdout)
    return next(row["state"] for row in rows if row["id"] == doc_id)


def test_revise_and_approve_keep_comments_and_key_order(repo: Repo) -> None:
    original = repo.read(SOP1)
    fingerprint = re.search(r"sha256:[0-9a-f]{64}", original)
    assert fingerprint is not None
    repo.write(SOP1, (GOLDEN / "revise-approve-before.md").read_text().replace("FP", fingerprint.group(0)))
    repo.commit("Comments")
    repo.become("author")
    assert repo.qms("revise", "SOP-001", "--change", "Quarantine first.", check=True).returncode == 0
    repo.edit(SOP1, "Record it on", "Quarantine the part, then record it on")
    repo.commit("Revise SOP-001")
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", "2026-12-01", "--commit", check=True)
    repo.become("quality-manager")
    repo.qms("approve", "SOP-001", "--commit", check=True)
    text = re.sub(r"sha256:[0-9a-f]{64}", "FP", repo.read(SOP1))
    text = re.sub(r"'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'", "'AT'", text)
    assert text == (GOLDEN / "revise-approve-after.md").read_text()
    assert repo.qms("check", "--base", "HEAD~4").returncode == 0


def test_interrupted_write_leaves_the_file_whole(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = repo.read(SOP1)
    monkeypatch.chdir(repo.root)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", repo.env["GIT_CONFIG_GLOBAL"])

    def power_cut(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", power_cut)
    assert main(["revise", "SOP-001", "--change", "New step."]) == 2
    assert "Input/output error (check free space and permissions; nothing was left half-written)" in \
        capsys.readouterr().err
    assert repo.read(SOP1) == before
    assert repo.status() == ""


def test_obsolete_with_successor(repo: Repo) -> None:
    repo.become("author")
    refused = repo.qms("obsolete", "FRM-001", "--reason", "Replaced.")
    assert refused.returncode == 2 and "holds no role" in refused.stderr
    repo.become("quality-manager")
    done = repo.qms("obsolete", "QM-001", "--reason", "Merged into the new manual.", "--superseded-by", "SOP-001",
                    "--date", "2026-05-01", check=True)
    assert "status approved -> obsolete from 2026-05-01" in done.stdout
    text = repo.read("procedures/manual/QM-001-quality-manual.md")
    assert "obsoleted: 2026-05-01\nreason: Merged into the new manual.\nsuperseded_by: SOP-001\n" in text
    assert "meaning: obsoletion" in text
    repo.git("add", "-A")
    assert repo.qms("check", "--staged", "--as-of", "2026-06-01").returncode == 1  # the scope (4.3) is gone
    assert "QMS070" in repo.qms("check", "--as-of", "2026-06-01").stdout
    assert state(repo, "QM-001") == "effective"  # in force until the day it is obsolete from
    listing = json.loads(repo.qms("list", "--format", "json", "--as-of", "2026-05-01", check=True).stdout)
    assert {row["id"]: row["state"] for row in listing}["QM-001"] == "obsolete"


def test_periodic_review_keeps_the_fingerprint(repo: Repo) -> None:
    repo.become("production-manager")
    before = parse_document(repo.read(SOP1), SOP1).item
    done = repo.qms("review", "SOP-001", "--note", "Still right.", "--commit", check=True)
    assert "periodic review of SOP-001 revision 2 by Pat Production" in done.stdout
    after = parse_document(repo.read(SOP1), SOP1).item
    assert before is not None and after is not None
    assert after.fingerprint == before.fingerprint and len(after.periodic_reviews) == 1
    assert after.periodic_reviews[0].note == "Still right."
    assert repo.qms("check", "--base", "HEAD~1").returncode == 0
    repo.become("author")
    assert repo.qms("review", "SOP-001").returncode == 2


def test_records_new_list_and_dispose(repo: Repo) -> None:
    repo.become("quality-manager")
    made = repo.qms("record", "new", "nonconformity", "Chipped edge", "--form", "FRM-001", "--date", "2015-03-01",
                    check=True)
    assert "NCR-002" in made.stdout and "retained until 2021-03-01" in made.stdout
    repo.commit("Record NCR-002")
    listing = repo.qms("records", "--due", "--format", "json", check=True).stdout
    assert '"NCR-002"' in listing and '"NCR-001"' not in listing
    refused = repo.qms("dispose", "NCR-001", "--reason", "Too early.")
    assert refused.returncode == 2 and "retained until 2032-03-01" in refused.stderr
    done = repo.qms("dispose", "NCR-002", "--reason", "Retention of 6 years ended.", "--commit", check=True)
    assert "records/ncr/NCR-002-chipped-edge.md: removed" in done.stdout
    log = repo.read("records/disposition-log.csv")
    assert log.startswith("id,path,title,type,date,retain_until,disposed_at,name,email,reason\nNCR-002,")
    assert repo.qms("check", "--base", "HEAD~1").returncode == 0
    again = repo.qms("record", "new", "nonconformity", "Next one", check=True)
    assert "NCR-003" in again.stdout  # a disposed id is never reused


def test_a_commit_the_hook_refuses_shows_why_and_leaves_tree_and_index_as_they_were(tmp_path: Path) -> None:
    """qms approve --commit, rejected by the pre-commit hook (a problem elsewhere in the tree that someone committed
    with --no-verify): the findings are printed, and the working tree and the index are as before it ran."""
    from gitrepo import VENV_BIN, adopted_repo, revise

    repo = adopted_repo(tmp_path)
    (repo.root / ".pre-commit-config.yaml").write_text((PROJECT / ".pre-commit-config.yaml").read_text())
    hook = repo.root / "tools/setup/qms-hook"
    hook.parent.mkdir(parents=True)
    hook.write_bytes((PROJECT / "tools/setup/qms-hook").read_bytes())
    hook.chmod(0o755)
    repo.become("admin")
    repo.commit("Install the hooks", no_verify=True)
    repo.run(os.path.join(VENV_BIN, "pre-commit"), "install")
    revise(repo, "Photograph it.", "Photographs of the part.")
    repo.become("author")
    repo.edit("procedures/manual/QM-001-quality-manual.md", "How quality", "Why quality")
    repo.commit("Edit the manual", no_verify=True)
    repo.write("notes.txt", "staged, not mine\n")
    repo.git("add", "notes.txt")
    repo.become("production-manager")
    before = (repo.read(SOP1), repo.status(), repo.git("ls-files", "-s").stdout)
    result = repo.qms("approve", "SOP-001", "--effective", "2026-04-01", "--commit")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "QMS042 approval by Dana Quality does not match the current content" in result.stderr
    assert "not committed, and nothing was changed" in result.stderr
    assert (repo.read(SOP1), repo.status(), repo.git("ls-files", "-s").stdout) == before
    assert repo.git("log", "-1", "--format=%s").stdout.strip() == "Edit the manual"


@pytest.mark.parametrize("words", ["No", "yes", "Off", "1:30"])
def test_text_that_yaml_1_1_reads_otherwise_is_written_quoted(repo: Repo, words: str) -> None:
    """A title or a change note such as "No" is text, written so that the reader reads it back as text: the
    command never refuses its own output (QMS015)."""
    repo.become("author")
    made = repo.qms("new", "form", words)
    assert made.returncode == 0, made.stdout + made.stderr
    revised = repo.qms("revise", "SOP-001", "--change", words)
    assert revised.returncode == 0, revised.stdout + revised.stderr
    doc = parse_document(repo.read(SOP1), SOP1).item
    assert doc is not None and doc.change == words
    titles = [row["title"] for row in json.loads(repo.qms("list", "--format", "json", check=True).stdout)]
    assert words in titles
    assert "QMS015" not in repo.qms("check").stdout


def test_plain_text_stays_as_written(repo: Repo) -> None:
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", "Quarantine first.", check=True)
    doc = parse_document(repo.read(SOP1), SOP1).item
    assert doc is not None and doc.change == "Quarantine first."
    assert re.search(r'(?m)^change: "?Quarantine first\."?$', repo.read(SOP1))


def test_reports_for_spreadsheets_never_carry_a_formula(repo: Repo) -> None:
    """A title that a spreadsheet would run as a formula is written as text in qms list --format csv and in the
    audit pack's CSV files; a plain title and a lone "-" stay as they are."""
    repo.become("author")
    repo.qms("new", "form", "=HYPERLINK(\"http://example.com\")", check=True)
    listed = repo.qms("list", "--format", "csv", check=True).stdout
    assert "'=HYPERLINK" in listed and "\n=HYPERLINK" not in listed and ",=HYPERLINK" not in listed
    assert ",Nonconformity," in listed


def test_sheet_cells() -> None:
    from qms.model.sheet import cell

    assert [cell(v) for v in ("=1+1", "+1", "@SUM(A1)", "-", "Plain", None, 3)] == \
        ["'=1+1", "'+1", "'@SUM(A1)", "-", "Plain", None, 3]
