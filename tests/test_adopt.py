"""qms adopt: imported drafts approved before the QMS lived in Git become approved documents in one commit by the
administrator; every view shows those approvals as adopted, and the adopted QMS verifies clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo
from helpers import baseline

WELD = "# Welding\n\n## Purpose\n\nHow welds are made and checked.\n"
FACTS = "id,email,role,at,effective\nSOP-003,production@example.com,production-manager,2024-03-01,2024-03-15\n" \
        "SOP-003,quality@example.com,quality-manager,2024-03-02T10:00:00Z,2024-03-15\n"
PATH = "procedures/sop/SOP-003-welding.md"


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Repo, Path]:
    """The baseline QMS, and SOP-003 imported as a draft by the author and committed."""
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin")
    repo.commit("Start the QMS", no_verify=True)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "welding.md").write_text(WELD)
    repo.become("author")
    repo.qms("import", str(tmp_path / "old" / "welding.md"), check=True)
    repo.commit("Import the welding procedure")
    (tmp_path / "facts.csv").write_text(FACTS)
    return repo, tmp_path / "facts.csv"


def test_adoption_is_one_commit_that_verifies_clean_and_shows_as_adopted(imported: tuple[Repo, Path]) -> None:
    repo, facts = imported
    parent = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.become("admin")
    done = repo.qms("adopt", "--facts", str(facts))
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.status() == ""
    message = repo.git("log", "-1", "--format=%an <%ae>%n%B").stdout
    assert message.startswith("Ada Admin <admin@example.com>\nAdopt 1 document(s) approved before the QMS")
    assert "Config-Change: verify_from moves to" in message and "Adopted: SOP-003 revision 1 approved by Pat " \
        "Production (production-manager) 2024-03-01T00:00:00Z" in message
    assert f"verify_from: {parent}" in repo.read("qms.yml")
    assert "# Test QMS configuration" in repo.read("qms.yml")  # the administrator's comments are kept
    text = repo.read(PATH)
    assert "status: approved" in text and "effective: 2024-03-15" in text and text.endswith(WELD)
    verify = repo.qms("verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert repo.qms("check", "--strict").returncode == 0
    history = json.loads(repo.qms("history", "SOP-003", "--format", "json", check=True).stdout)
    assert [a["verdict"] for a in history["revisions"][0]["approvals"]] == ["adopted", "adopted"]
    rows = json.loads(repo.qms("list", "--format", "json", check=True).stdout)
    assert next(row["state"] for row in rows if row["id"] == "SOP-003") == "effective"


def test_only_an_administrator_adopts(imported: tuple[Repo, Path]) -> None:
    repo, facts = imported
    before = repo.read(PATH)
    repo.become("production-manager")  # an approver, not an administrator
    refused = repo.qms("adopt", "--facts", str(facts))
    assert refused.returncode == 2 and "holds no administering role" in refused.stderr
    assert repo.read(PATH) == before and repo.status() == ""


def test_an_adoption_by_hand_without_authority_is_not_adopted(imported: tuple[Repo, Path]) -> None:
    """The same commit made by someone else is judged like any change: QMS150 for qms.yml, QMS120 for the
    approvals it adds in other people's names; and nothing shows as adopted."""
    repo, facts = imported
    repo.become("admin")
    repo.qms("adopt", "--facts", str(facts), check=True)
    message = repo.git("log", "-1", "--format=%B").stdout
    repo.git("reset", "-q", "--soft", "HEAD~1")
    repo.become("author")
    repo.run("git", "commit", "-q", "--no-verify", "-m", message)
    found = json.loads(repo.qms("verify", "--since", "HEAD~1", "--format", "json").stdout)["findings"]
    assert {"QMS150", "QMS120"} <= {f["code"] for f in found}
    history = json.loads(repo.qms("history", "SOP-003", "--format", "json", check=True).stdout)
    assert "adopted" not in [a["verdict"] for a in history["revisions"][0]["approvals"]]


def test_adoption_refuses_facts_that_do_not_hold(imported: tuple[Repo, Path]) -> None:
    repo, facts = imported
    repo.become("admin")
    facts.write_text("id,email,role,at,effective\nSOP-003,production@example.com,production-manager,2024-03-02,"
                     "2024-03-15\n")
    refused = repo.qms("adopt", "--facts", str(facts))
    assert refused.returncode == 2 and "needs approval by quality-manager as well" in refused.stderr
    facts.write_text("id,email,role,at,effective\nSOP-003,author@example.com,quality-manager,2024-03-02,"
                     "2024-03-15\n")
    refused = repo.qms("adopt", "--facts", str(facts))
    assert refused.returncode == 1 and "refused, and nothing was written" in refused.stderr
    assert "QMS041 adopted approval of SOP-003: author@example.com does not hold role 'quality-manager'" in \
        refused.stderr
    assert repo.status() == ""


def test_the_manual_publishes_the_adopted_document(imported: tuple[Repo, Path]) -> None:
    import shutil

    from helpers import PROJECT

    repo, facts = imported
    repo.become("admin")
    repo.qms("adopt", "--facts", str(facts), check=True)
    shutil.copy(PROJECT / "mkdocs.yml", repo.root / "mkdocs.yml")
    built = repo.run(str(Path(repo.env["PATH"].split(":")[0]) / "mkdocs"), "build", "--strict", check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    page = (repo.root / "site/sop/SOP-003-welding/index.html").read_text()
    assert "How welds are made and checked." in page and "adopted" in page
    manifest = json.loads((repo.root / "site/qms-manifest.json").read_text())
    assert any(entry["id"] == "SOP-003" for entry in manifest["documents"])


def test_adoption_never_hides_a_finding_of_verified_history(imported: tuple[Repo, Path]) -> None:
    repo, facts = imported
    repo.become("admin")
    repo.qms("adopt", "--facts", str(facts), check=True)  # verify_from is set now
    sop1 = "procedures/sop/SOP-001-nonconformity.md"
    repo.edit(sop1, "Record it on", "Forged step. Record it on")  # an approved text changed without a revision
    repo.become("author")
    repo.commit("Edit SOP-001", sop1, no_verify=True)
    assert repo.qms("verify").returncode == 1
    (repo.root / "later.md").write_text(WELD.replace("Welding", "Brazing"))
    repo.qms("import", str(repo.root / "later.md"), check=True)
    (repo.root / "later.md").unlink()
    repo.commit("Import the brazing procedure")
    facts.write_text("id,email,role,at,effective\nSOP-004,production@example.com,production-manager,2024-03-01,"
                     "2024-03-15\nSOP-004,quality@example.com,quality-manager,2024-03-02,2024-03-15\n")
    repo.become("admin")
    refused = repo.qms("adopt", "--facts", str(facts))
    assert refused.returncode == 2 and "adoption never hides a finding" in refused.stderr, refused.stderr
    assert repo.status() == ""
    assert repo.qms("verify").returncode == 1  # the forged edit is still reported
