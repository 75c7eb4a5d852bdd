"""qms adopt: imported drafts approved before the QMS lived in Git become approved documents in one commit by the
administrator; every view shows those approvals as adopted, and the adopted QMS verifies clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo, approve_all, revise
from helpers import baseline

from qms.model.document import parse_document

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
    assert "Config-Change: adopted lists SOP-003" in message and "Adopted: SOP-003 revision 1 approved by Pat " \
        "Production (production-manager) 2024-03-01T00:00:00Z" in message
    assert f"verify_from: {parent}" in repo.read("qms.yml") and "adopted: [SOP-003]" in repo.read("qms.yml")
    assert "# Test QMS configuration" in repo.read("qms.yml")  # the administrator's comments are kept
    text = repo.read(PATH)
    assert "status: approved" in text and "effective: 2024-03-15" in text and text.endswith(WELD)
    verify = repo.qms("verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "by Ada Admin <admin@example.com> adopted SOP-003: their approvals were made before the QMS lived in Git" \
        in verify.stderr
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


def import_brazing(repo: Repo, commit: bool = False) -> None:
    """The author imports a second procedure approved on paper, SOP-004, for the adoption to bring in (or commits
    it as a draft first)."""
    repo.become("author")
    (repo.root / "later.md").write_text(WELD.replace("Welding", "Brazing"))
    repo.qms("import", str(repo.root / "later.md"), check=True)
    (repo.root / "later.md").unlink()
    if commit:
        repo.commit("Import the brazing procedure")


BRAZING = ("--approval", "SOP-004:production@example.com:production-manager:2024-03-01",
           "--approval", "SOP-004:quality@example.com:quality-manager:2024-03-02", "--effective", "SOP-004:2024-03-15")


def test_adoption_after_verify_from_leaves_verification_where_it_was(imported: tuple[Repo, Path]) -> None:
    """A second adoption adds its documents to `adopted` and leaves verify_from alone: what history verifies since
    stays verified (a finding stays reported), and only the newly adopted document's approvals are adopted."""
    repo, facts = imported
    repo.become("admin")
    repo.qms("adopt", "--facts", str(facts), check=True)  # verify_from is set now
    started = repo.read("qms.yml")
    sop1 = "procedures/sop/SOP-001-nonconformity.md"
    repo.edit(sop1, "Record it on", "Forged step. Record it on")  # an approved text changed without a revision
    repo.become("author")
    repo.commit("Edit SOP-001", sop1, no_verify=True)
    assert repo.qms("verify").returncode == 1
    import_brazing(repo)
    repo.become("admin")
    done = repo.qms("adopt", *BRAZING)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verify_from stays at" in done.stdout
    config = repo.read("qms.yml")
    assert "adopted: [SOP-003, SOP-004]" in config
    assert [line for line in config.splitlines() if line.startswith("verify_from")] == \
        [line for line in started.splitlines() if line.startswith("verify_from")]
    verify = json.loads(repo.qms("verify", "--format", "json").stdout)
    assert {(f["code"], f["doc"]) for f in verify["findings"]} == {("QMS100", "SOP-001")}  # still reported
    history = json.loads(repo.qms("history", "SOP-004", "--format", "json", check=True).stdout)
    assert [a["verdict"] for a in history["revisions"][0]["approvals"]] == ["adopted", "adopted"]


def test_adoption_never_relabels_approvals_history_verifies(imported: tuple[Repo, Path]) -> None:
    """With verify_from not set, an adoption sets it only if no approval in history is verified: here SOP-001's
    second revision was approved in Git by its approvers, so verify_from stays unset and they stay recorded."""
    repo, _facts = imported
    revise(repo, "Quarantine it.", "Quarantine first.")
    approve_all(repo, "2026-04-01")
    import_brazing(repo)
    repo.become("admin")
    done = repo.qms("adopt", *BRAZING)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verify_from stays unset" in done.stdout and "verify_from" not in repo.read("qms.yml")
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    assert [a["verdict"] for a in history["revisions"][-1]["approvals"]] == ["recorded", "recorded"]
    history = json.loads(repo.qms("history", "SOP-004", "--format", "json", check=True).stdout)
    assert [a["verdict"] for a in history["revisions"][0]["approvals"]] == ["adopted", "adopted"]


@pytest.mark.parametrize("verified", [False, True], ids=["after verify_from", "verify_from unset"])
def test_a_draft_committed_in_git_while_it_is_verified_is_not_adopted(imported: tuple[Repo, Path],
                                                                      verified: bool) -> None:
    """A document history first saw after verify_from (or, with verify_from unset, anywhere in verified history)
    was written in Git: qms adopt refuses it before writing anything, naming the commit; the same document brought
    in by the adoption itself is adopted."""
    repo, facts = imported
    repo.become("admin")
    if verified:
        revise(repo, "Quarantine it.", "Quarantine first.")
        approve_all(repo, "2026-04-01")
    else:
        repo.qms("adopt", "--facts", str(facts), check=True)  # verify_from is set now
    import_brazing(repo, commit=True)
    first = repo.git("rev-parse", "--short=12", "HEAD").stdout.strip()
    repo.become("admin")
    tree, head = repo.status(), repo.git("rev-parse", "HEAD").stdout
    refused = repo.qms("adopt", *BRAZING)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"QMS175 SOP-004 cannot be adopted: commit {first}, after verify_from, wrote its text in Git" in \
        refused.stderr
    assert repo.status() == tree and repo.git("rev-parse", "HEAD").stdout == head
    repo.git("reset", "-q", "--mixed", "HEAD~1")  # the draft was never committed: the adoption brings it in
    done = repo.qms("adopt", *BRAZING)
    assert done.returncode == 0, done.stdout + done.stderr
    verify = json.loads(repo.qms("verify", "--format", "json").stdout)
    assert not [f for f in verify["findings"] if f["code"] == "QMS175" or f["doc"] == "SOP-004"]


@pytest.mark.parametrize("edited", [False, True], ids=["as it was at verify_from", "changed in Git since"])
def test_a_draft_present_at_verify_from_is_adopted_only_as_it_was_there(imported: tuple[Repo, Path],
                                                                        edited: bool) -> None:
    """A draft committed before the first adoption is present at verify_from and is adopted later as it was there;
    once a commit after verify_from changes its text, that text was written in Git: qms adopt refuses, naming the
    commit, and the same adoption made by hand is reported by verify (QMS175)."""
    repo, facts = imported
    import_brazing(repo, commit=True)  # SOP-004 is a draft in the commit the first adoption starts from
    repo.become("admin")
    repo.qms("adopt", "--facts", str(facts), check=True)  # verify_from is set now
    repo.qms("adopt", *BRAZING, check=True)
    adopted, config = repo.read("procedures/sop/SOP-004-brazing.md"), repo.read("qms.yml")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    if edited:
        repo.become("author")
        repo.edit("procedures/sop/SOP-004-brazing.md", "made and checked.", "made, checked and repaired.")
        repo.commit("Rework the brazing procedure", no_verify=True)
    rework = repo.git("rev-parse", "--short=12", "HEAD").stdout.strip()
    repo.become("admin")
    tree = repo.status()
    done = repo.qms("adopt", *BRAZING)
    if not edited:
        assert done.returncode == 0, done.stdout + done.stderr
        verify = json.loads(repo.qms("verify", "--format", "json").stdout)
        assert not [f for f in verify["findings"] if f["code"] == "QMS175"], verify
        return
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"QMS175 SOP-004 cannot be adopted: commit {rework}, after verify_from, wrote its text in Git" in \
        done.stderr
    assert repo.status() == tree
    signed = parse_document(adopted, "procedures/sop/SOP-004-brazing.md").item
    text = adopted.replace("made and checked.", "made, checked and repaired.")
    now = parse_document(text, "procedures/sop/SOP-004-brazing.md").item
    assert signed is not None and now is not None
    repo.write("procedures/sop/SOP-004-brazing.md", text.replace(signed.approvals[0].fingerprint, now.fingerprint))
    repo.write("qms.yml", config)
    repo.commit("Adopt SOP-004 by hand", no_verify=True)
    verify = json.loads(repo.qms("verify", "--format", "json").stdout)
    assert [f["commit"][:12] for f in verify["findings"] if f["code"] == "QMS175" and f["doc"] == "SOP-004"] == \
        [repo.git("rev-parse", "--short=12", "HEAD").stdout.strip()], verify


def test_facts_on_the_command_line_make_the_same_adoption(imported: tuple[Repo, Path]) -> None:
    repo, _facts = imported
    repo.become("admin")
    done = repo.qms("adopt", "--approval", "SOP-003:production@example.com:production-manager:2024-03-01",
                    "--approval", "SOP-003:quality@example.com:quality-manager:2024-03-02T10:00:00Z",
                    "--effective", "SOP-003:2024-03-15")
    assert done.returncode == 0 and "QMS175" not in done.stdout + done.stderr, done.stdout + done.stderr
    message = repo.git("log", "-1", "--format=%B").stdout
    assert "Adopted: SOP-003 revision 1 approved by Pat Production (production-manager) 2024-03-01T00:00:00Z, Dana " \
        "Quality (quality-manager) 2024-03-02T10:00:00Z, effective 2024-03-15\n" in message
    assert "status: approved" in repo.read(PATH) and "effective: 2024-03-15" in repo.read(PATH)
    assert repo.qms("verify").returncode == 0


APPROVAL = "SOP-003:production@example.com:production-manager:2024-03-01"
SECOND = "SOP-003:quality@example.com:quality-manager:2024-03-02"
MALFORMED = [
    ("an approval without its time", ["--approval", "SOP-003:production@example.com:production-manager",
                                      "--effective", "SOP-003:2024-03-15"],
     ["--approval:1: QMS175 'SOP-003:production@example.com:production-manager' is not ID:EMAIL:ROLE:AT"]),
    ("a day that does not exist", ["--approval", APPROVAL.replace("03-01", "02-30"), "--effective",
                                   "SOP-003:2024-03-15"],
     ["--approval:1: QMS175 at '2024-02-30' is not a date or a UTC date-time"]),
    ("an approval in the future", ["--approval", APPROVAL.replace("2024", "2031"), "--effective",
                                   "SOP-003:2024-03-15"], ["--approval:1: QMS175 at 2031-03-01 is in the future"]),
    ("no effective date", ["--approval", APPROVAL, "--approval", SECOND],
     ["--approval:1: QMS175 SOP-003 has no effective date (add --effective SOP-003:YYYY-MM-DD)"]),
    ("an effective date for nothing approved", ["--approval", APPROVAL, "--approval", SECOND, "--effective",
                                                "SOP-003:2024-03-15", "--effective", "SOP-009:2024-03-15"],
     ["--effective:2: QMS175 SOP-009 has an effective date but no --approval"]),
    ("an effective date that is not a date", ["--approval", APPROVAL, "--effective", "SOP-003:15.03.2024"],
     ["--effective:1: QMS175 effective '15.03.2024' is not a date"]),
    ("two effective dates", ["--approval", APPROVAL, "--approval", SECOND, "--effective", "SOP-003:2024-03-15",
                             "--effective", "SOP-003:2024-03-16"],
     ["--effective:2: QMS175 SOP-003 has more than one effective date"]),
    ("no such document", ["--approval", APPROVAL.replace("SOP-003", "SOP-042"), "--effective",
                          "SOP-042:2024-03-15"], ["--approval:1: QMS175 no document SOP-042"]),
    ("everything reported at once", ["--approval", "SOP-003:nobody@example.com:production-manager:2024-03-02",
                                     "--effective", "SOP-003:2024-03-15"],
     ["--approval:1: QMS175 nobody@example.com is not listed in qms.yml",
      "--approval:1: QMS175 SOP-003 needs approval by quality-manager as well"]),
    ("a file without the columns", ["--facts", "{facts}"], ["facts.csv:1: QMS175 needs the columns id, email, role, "
                                                            "at, effective and one row per approval (missing: at)"]),
    ("a row with a time that is no time", ["--facts", "{facts}"], ["facts.csv:3: QMS175 at 'yesterday' is not a date"]),
    ("rows with two effective dates", ["--facts", "{facts}"],
     ["facts.csv:3: QMS175 SOP-003 has more than one effective date (give the same effective date on each"]),
    ("a file and options", ["--facts", "{facts}", "--approval", APPROVAL], ["not both"]),
    ("no facts at all", [], ["state the approvals each document had: --approval ID:EMAIL:ROLE:AT"]),
]
FILES = {
    "a file without the columns": "id,email,role,effective\nSOP-003,production@example.com,production-manager,"
                                  "2024-03-15\n",
    "a row with a time that is no time": FACTS.replace("2024-03-02T10:00:00Z", "yesterday"),
    "rows with two effective dates": FACTS.replace("2024-03-02T10:00:00Z,2024-03-15", "2024-03-02,2024-03-16"),
}


@pytest.mark.parametrize("name,args,expected", MALFORMED, ids=[row[0] for row in MALFORMED])
def test_malformed_facts_are_reported_where_they_were_stated(imported: tuple[Repo, Path], name: str,
                                                             args: list[str], expected: list[str]) -> None:
    repo, facts = imported
    facts.write_text(FILES.get(name, FACTS))
    repo.become("admin")
    before = repo.read(PATH), repo.read("qms.yml")
    refused = repo.qms("adopt", *(arg.format(facts=facts) for arg in args))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    for line in expected:
        assert line.replace("facts.csv", str(facts)) in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert (repo.read(PATH), repo.read("qms.yml")) == before and repo.status() == ""
