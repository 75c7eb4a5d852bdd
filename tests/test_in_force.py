"""One answer to "what is in force on day D": a draft of the next revision, or a revision approved for a later
date, leaves the one before in force; an obsoletion from a later date leaves the document in force until then.
The rules (mandatory information, references), the write commands and `qms list` all read it, from real commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo, adopted_repo, findings

QM1 = "procedures/manual/QM-001-quality-manual.md"
FRM1 = "procedures/forms/FRM-001-nonconformity-report.md"
SOP1 = "procedures/sop/SOP-001-nonconformity.md"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return adopted_repo(tmp_path)


def listing(repo: Repo, *args: str) -> dict[str, dict[str, object]]:
    rows = json.loads(repo.qms("list", "--format", "json", *args, check=True).stdout)
    return {str(row["id"]): row for row in rows}


def errors(repo: Repo, *args: str) -> set[tuple[object, object]]:
    return {(f["code"], f["path"]) for f in findings(repo, "check", *args) if f["severity"] == "error"}


def revise_form(repo: Repo, effective: str) -> None:
    """The form SOP-001 refers to is revised and approved from `effective`."""
    repo.become("author")
    repo.qms("revise", "FRM-001", "--change", "Added a field for the batch number.", check=True)
    repo.edit(FRM1, "# Nonconformity Report", "# Nonconformity Report\n\nBatch number: ____")
    repo.commit("Revise FRM-001")
    repo.become("quality-manager")
    done = repo.qms("approve", "FRM-001", "--effective", effective, "--commit")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_draft_of_the_next_revision_leaves_the_last_one_in_force(repo: Repo) -> None:
    repo.become("author")
    repo.qms("revise", "QM-001", "--change", "Clarified the scope.", check=True)
    repo.commit("Revise QM-001")
    assert errors(repo) == set()  # the scope (4.3) is still provided, by revision 1
    row = listing(repo)["QM-001"]
    assert (row["revision"], row["state"], row["in_force"]) == ("2", "draft", "1")
    assert row["in_force_commit"] == repo.git("rev-parse", "adopted").stdout.strip()


def test_a_first_draft_provides_nothing(repo: Repo) -> None:
    repo.edit(QM1, 'clauses: ["4.3", "5.2"]', 'clauses: ["5.2"]')  # the approved manual no longer covers 4.3 ...
    repo.edit("procedures/sop/SOP-002-calibration.md", 'status: "draft"', 'status: "draft"\nclauses: ["4.3"]')
    assert ("QMS070", "qms.yml") in errors(repo)  # ... and a draft does not


def test_a_revision_approved_for_a_later_date_can_be_referred_to(repo: Repo) -> None:
    revise_form(repo, "2027-01-01")  # SOP-001 refers to FRM-001: revision 1 stays in force until then
    assert errors(repo) == set()
    assert (listing(repo)["FRM-001"]["state"], listing(repo)["FRM-001"]["in_force"]) == ("pending", "1")
    later = listing(repo, "--as-of", "2027-01-01")["FRM-001"]
    assert (later["state"], later["in_force"]) == ("effective", "2")


def test_an_obsoletion_from_a_later_date_keeps_the_document_in_force_until_then(repo: Repo) -> None:
    repo.become("quality-manager")
    done = repo.qms("obsolete", "FRM-001", "--reason", "Merged into SOP-001.", "--date", "2027-03-01", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert errors(repo) == set()
    assert listing(repo)["FRM-001"]["in_force"] == "1"
    after = listing(repo, "--as-of", "2027-03-01")["FRM-001"]
    assert (after["in_force"], after["standing"]) == (None, "withdrawn on 2027-03-01")
    assert ("QMS052", SOP1) in errors(repo, "--as-of", "2027-03-01")  # SOP-001 still refers to it then


def test_text_approved_for_a_later_date_refers_only_to_what_is_in_force_then(repo: Repo) -> None:
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", "Calibrate first.", check=True)
    repo.edit(SOP1, "Record it on", "Calibrate as in [SOP-002](SOP-002-calibration.md). Record it on")
    repo.commit("Revise SOP-001")
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", "2027-02-01", "--commit", check=True)  # not complete: no finding
    repo.become("quality-manager")
    refused = repo.qms("approve", "SOP-001", "--commit")
    assert refused.returncode == 1 and "QMS052" in refused.stderr and "on 2027-02-01" in refused.stderr
    assert repo.status() == ""  # refused before writing anything
