"""End to end: real commits by different people, the real pre-commit hook, and the CI gate behind it."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from gitrepo import VENV_BIN, Repo, starter_repo

SOP9 = "procedures/sop/SOP-009-calibration-of-monitoring-and-measuring-equipment.md"
SOP2 = "procedures/sop/SOP-002-risks-and-opportunities.md"
NCR1 = "records/nonconformities/NCR-001-wrong-surface-finish-on-ground-shafts.md"
TODAY = "2026-11-25"  # the test repository's clock (tests/gitrepo.py)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    base = tmp_path_factory.mktemp("e2e")
    repo = starter_repo(base / "qms", base / "home")
    repo.run(os.path.join(VENV_BIN, "pre-commit"), "install")
    return repo


def rejected(result: object) -> str:
    from subprocess import CompletedProcess

    assert isinstance(result, CompletedProcess)
    assert result.returncode != 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def states(repo: Repo) -> dict[str, str]:
    listing = json.loads(repo.qms("list", "--format", "json", check=True).stdout)
    return {row["id"]: row["state"] for row in listing}


def test_1_author_drafts_a_new_procedure(repo: Repo) -> None:
    repo.become("author")
    created = repo.qms("new", "procedure", "Calibration of torque tools", check=True)
    assert "SOP-013" in created.stdout
    repo.commit("Draft SOP-013")
    assert repo.git("log", "-1", "--format=%an %s").stdout.strip() == "Alex Author Draft SOP-013"


def test_2_editing_an_effective_procedure_needs_a_new_revision(repo: Repo) -> None:
    repo.become("author")
    repo.edit(SOP9, "## Purpose\n", "## Purpose\n\nTorque tools are included from 2027.\n")
    output = rejected(repo.commit("Mention torque tools", check=False))
    assert "SOP-009" in output and "QMS100" in output and "qms revise SOP-009" in output
    assert "Torque tools are included from 2027." in repo.read(SOP9)  # nothing the author wrote was lost
    revised = repo.qms("revise", "SOP-009", "--change", "Torque tools are calibrated from 2027.", check=True)
    assert "revision 2 -> 3" in revised.stdout
    repo.commit("Revise SOP-009 to revision 3")
    text = repo.read(SOP9)
    assert "revision: 3\nstatus: draft\n" in text and "approvals" not in text


def test_3_approvals_are_refused_to_the_wrong_people(repo: Repo) -> None:
    repo.become("author")
    refused = repo.qms("approve", "SOP-009")
    assert refused.returncode == 2 and "holds no role that may approve procedure" in refused.stderr
    repo.become("stranger", "Sly Stranger", "sly@example.org")
    refused = repo.qms("approve", "SOP-009")
    assert refused.returncode == 2 and "not listed under any role in qms.yml" in refused.stderr
    repo.become("quality-manager")  # Dana co-authors the revision, then tries to approve it
    repo.edit(SOP9, "Torque tools are included from 2027.", "Torque tools are included from January 2027.")
    repo.commit("Clarify the start date")
    refused = repo.qms("approve", "SOP-009", "--effective", TODAY)
    assert refused.returncode == 1 and "QMS121" in refused.stderr and "separation of duties" in refused.stderr
    assert "approvals" not in repo.read(SOP9)


def test_4_quality_manager_approves(repo: Repo) -> None:
    repo.become("deputy-quality")
    approved = repo.qms("approve", "SOP-009", "--effective", TODAY, "--commit", check=True)
    assert "status draft -> approved" in approved.stdout
    message = repo.git("log", "-1", "--format=%an <%ae>%n%B").stdout
    assert message.startswith("Quinn Deputy <deputy.quality@example.com>")
    for trailer in ("Approved-by: Quinn Deputy <deputy.quality@example.com>", "Document: SOP-009", "Revision: 3",
                    "Fingerprint: sha256:"):
        assert trailer in message
    assert states(repo)["SOP-009"] == "effective"
    assert repo.qms("check").returncode == 0
    assert repo.status() == ""


def test_5_one_character_after_approval_is_rejected(repo: Repo) -> None:
    repo.become("author")
    repo.edit(SOP9, "January 2027", "Januar 2027")
    output = rejected(repo.commit("Typo", check=False))
    assert "QMS100" in output and "SOP-009" in output
    repo.git("reset", "-q", "--hard")


@pytest.mark.parametrize("action,code", [
    ("modify record", "QMS110"), ("rename record", "QMS111"), ("delete record", "QMS112"),
    ("delete procedure", "QMS103"),
])
def test_6_records_and_procedures_cannot_be_altered_or_deleted(repo: Repo, action: str, code: str) -> None:
    repo.become("author")
    if action == "modify record":
        repo.edit(NCR1, "\n# ", "\n# Amended ")
    elif action == "rename record":
        repo.git("mv", NCR1, NCR1.replace("NCR-001-", "NCR-001-renamed-"))
    elif action == "delete record":
        repo.git("rm", "-q", NCR1)
    else:
        repo.git("rm", "-q", SOP2)
    repo.git("add", "-A")
    before = repo.status()
    output = rejected(repo.commit(action, check=False))
    assert code in output
    assert repo.status() == before  # the working tree is as the user left it
    repo.git("reset", "-q", "--hard")


def test_7_the_ci_gate_catches_what_skipped_the_hooks(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "sneaky")
    repo.become("author")
    repo.edit(SOP2, "## Purpose\n", "## Purpose\n\nUnapproved sentence.\n")
    repo.commit("Edit without revision", no_verify=True)
    repo.edit(NCR1, "\n# ", "\n# Amended ")
    repo.commit("Alter a record", no_verify=True)
    repo.git("mv", "records/training/TRN-001-cmm-operator-training.md", "records/training/TRN-001-moved.md")
    repo.commit("Rename a record", no_verify=True)
    repo.git("rm", "-q", "records/suppliers/SUP-001-annual-supplier-evaluation-2026.md")
    repo.commit("Delete a record", no_verify=True)
    repo.git("rm", "-q", "procedures/sop/SOP-010-customer-requirements-and-contract-review.md")
    repo.commit("Delete a procedure", no_verify=True)
    draft = "procedures/sop/SOP-013-calibration-of-torque-tools.md"
    signed = repo.qms("approve", "SOP-013")  # Alex may not, so he writes Dana's approval by hand
    assert signed.returncode == 2
    from qms.model.fingerprint import fingerprint
    from qms.model.document import parse_document

    doc = parse_document(repo.read(draft), draft).item
    assert doc is not None
    print_ = fingerprint(doc.id, doc.title, doc.type, doc.revision, None, doc.body)
    repo.edit(draft, "status: draft\n", "status: draft\napprovals:\n  - {name: Dana Quality, email: quality@example.com, "
              f"role: quality-manager, meaning: review, at: 2026-11-25T10:00:00Z, fingerprint: \"{print_}\"}}\n")
    repo.commit("Forge a review", no_verify=True)
    result = repo.qms("check", "--base", "main")
    output = result.stdout + result.stderr
    assert result.returncode == 1
    for code, where in [("QMS100", SOP2), ("QMS110", NCR1), ("QMS111", "records/training/TRN-001-moved.md"),
                        ("QMS112", "records/suppliers/SUP-001"), ("QMS103", "procedures/sop/SOP-010"),
                        ("QMS120", draft)]:
        assert any(line.startswith(where) and f" {code} " in line for line in output.splitlines()), (code, output)
    assert "was added by Alex Author <author@example.com>, not by quality@example.com at commit" in output
    repo.git("checkout", "-q", "main")
    assert repo.qms("check", "--base", "main").returncode == 0


def test_8_shallow_clone_is_explained(repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    shallow = repo.sibling(clone)
    result = shallow.qms("check", "--base", "HEAD")
    assert result.returncode == 1 and "QMS137" in result.stdout and "fetch-depth: 0" in result.stdout
