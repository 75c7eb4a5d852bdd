"""`qms pr`: a branch in QMS terms, checked against golden files, built from real commits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from gitrepo import SOP1, Repo, adopted_repo, revise

from qms.model.summary import _text

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("QMS_UPDATE_GOLDEN") == "1"  # set it to rewrite the golden files after a deliberate change


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return adopted_repo(tmp_path)


def open_pull_request(repo: Repo) -> None:
    """The acceptance scenario: a revision approved by one of its two required roles (its author, a quality manager,
    may not give the other), a new record, and a draft never approved withdrawn."""
    revise(repo, "Photograph it.", "Photographs of the part.")
    repo.become("quality-manager")
    repo.edit(SOP1, "Photograph it.", "Photograph it from two sides.")
    repo.commit("SOP-001: two photographs")
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", "2026-04-01", "--commit", check=True)
    repo.become("author")
    repo.qms("record", "new", "nonconformity", "Scratch on cover", "--form", "FRM-001", check=True)
    repo.commit("Record NCR-002")
    repo.qms("withdraw", "SOP-002", "--reason", "Calibration stays in SOP-001.", "--commit", check=True)


def test_summary_of_a_pull_request(repo: Repo, tmp_path: Path) -> None:
    open_pull_request(repo)
    out = tmp_path / "note.md"
    step = tmp_path / "step-summary.md"
    step.write_text("earlier step\n")
    result = repo.run(str(Path(repo.env["PATH"].split(os.pathsep)[0]) / "qms"), "pr", "--base", "adopted", "--out",
                      str(out), env={"GITHUB_STEP_SUMMARY": str(step)})
    assert result.returncode == 0 and result.stdout == "", result.stderr
    golden("pr-summary.md", out.read_text())
    assert step.read_text() == "earlier step\n" + out.read_text()
    text = out.read_text()
    for expected in ("| SOP-001 | Nonconformity | revised | 2 → 3 | draft |", "| SOP-002 | Calibration | withdrawn |",
                     "**missing**: approval as quality-manager", "Quinn Deputy", "not by Dana Quality",
                     "| NCR-002 | Scratch on cover | nonconformity | added |"):
        assert expected in text


def test_summary_of_a_branch_with_findings(repo: Repo) -> None:
    """An approved document edited without a new revision, a record disposed of, a document made obsolete."""
    repo.become("author")
    repo.edit("procedures/manual/QM-001-quality-manual.md", "How quality", "Why quality")
    repo.commit("Edit the manual", no_verify=True)
    repo.at("2033-06-01")
    repo.become("quality-manager")
    repo.qms("dispose", "NCR-001", "--reason", "Retention ended.", "--commit", check=True)
    repo.qms("obsolete", "SOP-001", "--reason", "Nonconformity is handled in QM-001.", "--commit", check=True)
    result = repo.qms("pr", "--base", "adopted")
    assert result.returncode == 0, result.stderr
    golden("pr-summary-findings.md", result.stdout)


def test_summary_of_a_branch_without_changes(repo: Repo) -> None:
    result = repo.qms("pr", "--base", "adopted")
    assert result.returncode == 0
    assert "No controlled document changes." in result.stdout and "None: the branch passes" in result.stdout


def test_summary_refuses_an_unknown_base(repo: Repo) -> None:
    result = repo.qms("pr", "--base", "nowhere")
    assert result.returncode == 2 and "unknown base 'nowhere'" in result.stderr and "Traceback" not in result.stderr


def test_front_matter_text_cannot_inject_markup() -> None:
    assert _text("<script>|**x**") == "\\<script\\>\\|\\*\\*x\\*\\*"


def tasks(repo: Repo, *args: str) -> list[tuple[str, str]]:
    result = repo.qms("inbox", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return [(task["task"], task["id"]) for task in json.loads(result.stdout)["tasks"]]


def test_inbox_lists_the_revision_for_who_may_sign_it(repo: Repo) -> None:
    open_pull_request(repo)
    assert tasks(repo, "--person", "deputy.quality@example.com") == [("sign", "SOP-001")]
    assert tasks(repo, "--person", "quality@example.com") == []      # wrote content of it: separation of duties
    assert tasks(repo, "--person", "production@example.com") == []   # has signed already
    repo.become("deputy-quality")
    table = repo.qms("inbox", check=True).stdout
    assert table.splitlines()[0] == "Quinn Deputy <deputy.quality@example.com>: 1 task(s)"
    assert "sign  SOP-001  3         2026-04-01  approve as quality-manager: Nonconformity" in table


def test_inbox_lists_reviews_due_and_records_to_dispose_of(repo: Repo) -> None:
    assert tasks(repo, "--person", "production@example.com", "--as-of", "2027-06-01") == []
    assert tasks(repo, "--person", "production@example.com", "--as-of", "2027-12-20") == [("review", "SOP-001")]
    assert ("dispose", "NCR-001") not in tasks(repo, "--person", "quality@example.com", "--as-of", "2032-02-01")
    assert ("dispose", "NCR-001") in tasks(repo, "--person", "quality@example.com", "--as-of", "2032-03-01")
    assert tasks(repo, "--person", "author@example.com", "--as-of", "2032-03-01") == []


def test_inbox_of_someone_qms_yml_does_not_name(repo: Repo) -> None:
    result = repo.qms("inbox", "--person", "eve@example.com")
    assert result.returncode == 2 and "eve@example.com is not listed under any role" in result.stderr
