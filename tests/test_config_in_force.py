"""A change to qms.yml that was not authorised never comes into force, in any view: the records register, the
training matrix, the check, the inbox and the audit pack all read the qms.yml in force, and `qms check` says that
the file in the folder is not it (QMS153)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo, findings, starter_repo, verify_all_history

JORDAN = ("Jordan Hale", "jordan.hale@example.com")  # a starter person without an administering role
DANA = ("Dana Quality", "quality@example.com")  # a starter administrator
MORGAN = "morgan.price@example.com"  # an inspector: trained on WI-001 and WI-002


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = starter_repo(tmp_path / "qms", tmp_path / "home")
    verify_all_history(repo)
    return repo


def shorten(repo: Repo) -> None:
    """Training records kept one year instead of six, and inspectors no longer trained."""
    text = repo.read("qms.yml")
    start = text.index("  training:\n", text.index("record_types:"))
    at = text.index("retention_years: 6", start)
    text = text[:at] + "retention_years: 1" + text[at + len("retention_years: 6"):]
    text = "\n".join(line for line in text.split("\n") if "{roles: [inspector]" not in line)
    repo.write("qms.yml", text)


def commit_as(repo: Repo, who: tuple[str, str]) -> None:
    repo.become("admin", *who)
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Shorter retention", "-m",
             "Config-Change: training records are kept one year")


def trn1_until(repo: Repo) -> str:
    rows = json.loads(repo.qms("records", "--format", "json", check=True).stdout)
    return next(str(row["retain_until"]) for row in rows if row["id"] == "TRN-001")


def inspectors_in_matrix(repo: Repo) -> bool:
    cells = json.loads(repo.qms("training", "--format", "json", check=True).stdout)["cells"]
    return any(cell["email"] == MORGAN for cell in cells)


def morgans_tasks(repo: Repo) -> int:
    return len(json.loads(repo.qms("inbox", "--person", MORGAN, "--format", "json", check=True).stdout)["tasks"])


def codes(repo: Repo) -> set[str]:
    return {str(f["code"]) for f in findings(repo, "check")}


def test_an_unauthorised_change_comes_into_force_nowhere(repo: Repo, tmp_path: Path) -> None:
    before = (trn1_until(repo), inspectors_in_matrix(repo), morgans_tasks(repo), "QMS183" in codes(repo))
    assert before == ("2032-05-22", True, before[2], True) and before[2] > 0
    shorten(repo)
    commit_as(repo, JORDAN)
    assert any(f["code"] == "QMS150" for f in findings(repo, "verify"))
    assert (trn1_until(repo), inspectors_in_matrix(repo), morgans_tasks(repo)) == before[:3]
    found = findings(repo, "check")
    assert {"QMS183", "QMS153"} <= {str(f["code"]) for f in found}
    assert any(f["code"] == "QMS153" and f["path"] == "qms.yml" for f in found)
    pack = tmp_path / "pack"
    repo.qms("audit", "--out", str(pack), check=True)
    data = json.loads((pack / "audit.json").read_text())
    assert "2032-05-22" in json.dumps([r for r in data["records"] if r["id"] == "TRN-001"])
    assert MORGAN in json.dumps(data["training"])


def test_an_administrators_change_comes_into_force_everywhere(repo: Repo) -> None:
    shorten(repo)
    commit_as(repo, DANA)
    assert trn1_until(repo) == "2027-05-22"
    assert not inspectors_in_matrix(repo)
    assert "QMS153" not in codes(repo)


def test_a_change_not_committed_counts_only_for_an_administrator(repo: Repo) -> None:
    """Judged as the next commit by your Git identity would be: an administrator's edit is what they are about
    to bring into force; anyone else's is not in force (a warning in qms check; the hook reports QMS150)."""
    shorten(repo)
    repo.become("admin", *JORDAN)
    assert trn1_until(repo) == "2032-05-22"
    found = [f for f in findings(repo, "check") if f["code"] == "QMS153"]
    assert [f["severity"] for f in found] == ["warning"]
    repo.become("admin", *DANA)
    assert trn1_until(repo) == "2027-05-22"
    assert "QMS153" not in codes(repo)


def rename_organisation(repo: Repo, who: tuple[str, str]) -> None:
    text = repo.read("qms.yml")
    start = text.index("organisation:")
    end = text.index("\n", start)
    repo.write("qms.yml", text[:start] + "organisation: Northwind Ltd" + text[end:])
    repo.become("admin", *who)
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Rename", "-m", "Config-Change: the new company name")


def test_an_administrators_later_change_does_not_bring_an_unauthorised_one_in(repo: Repo) -> None:
    """Jordan shortens retention without authority; Dana then renames the organisation in the same file. Dana's
    commit was made on a qms.yml that is not in force, so it brings nothing in (QMS154 in every view), and the
    retention stays as in force; once the file is put back as in force, Dana's change comes in alone."""
    shorten(repo)
    commit_as(repo, JORDAN)
    rename_organisation(repo, DANA)
    head = repo.git("rev-parse", "HEAD").stdout.strip()
    assert trn1_until(repo) == "2032-05-22" and inspectors_in_matrix(repo)
    assert "QMS153" in codes(repo)
    for view in (("verify",), ("check", "--base", "HEAD~3")):
        found = findings(repo, *view)
        assert any(f["code"] == "QMS154" and f["commit"] == head for f in found), (view, found)
    repo.git("checkout", "HEAD~2", "--", "qms.yml")  # as in force: before Jordan's change
    repo.become("admin", *DANA)
    assert "QMS154" not in {f["code"] for f in findings(repo, "check", "--staged")}
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Put back", "-m", "Config-Change: undo the change")
    rename_organisation(repo, DANA)
    renamed = repo.git("rev-parse", "HEAD").stdout.strip()
    assert not [f for f in findings(repo, "verify") if f["commit"] == renamed and f["code"] in ("QMS150", "QMS154")]
    assert trn1_until(repo) == "2032-05-22" and "QMS153" not in codes(repo)
    assert json.loads(repo.qms("config-history", "--format", "json", check=True).stdout)["changes"][-1]["in_force"]


def test_a_move_of_verify_from_that_is_not_in_force_narrows_nothing(repo: Repo) -> None:
    """A writer moves verify_from past their own forged approval: verify still judges from the one in force."""
    repo.become("admin", *JORDAN)
    repo.edit("procedures/work-instructions/WI-003-calibration-check-of-micrometers.md", "lint-free tissue",
              "lint-free tissue (never compressed air)")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Edit an approved text")  # QMS100
    forged = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.write("qms.yml", repo.read("qms.yml") + f"verify_from: {forged}\n")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Move", "-m", "Config-Change: start later")
    found = findings(repo, "verify")
    assert any(f["code"] == "QMS100" and f["commit"] == forged for f in found), found
    assert any(f["code"] == "QMS150" for f in found)
