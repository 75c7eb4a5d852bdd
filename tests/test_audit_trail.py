"""The audit trail: an honest history verifies clean; each kind of tampering is reported with its commit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

import pytest
from gitrepo import Repo, approve_all, revise
from helpers import PEOPLE, baseline

from qms.model.document import parse_document
from qms.model.fingerprint import fingerprint

SOP1 = "procedures/sop/SOP-001-nonconformity.md"
NCR1 = "records/ncr/NCR-001.md"




@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, str]:
    """Adoption, then SOP-001 revised twice, each revision approved by its two approvers."""
    base = tmp_path_factory.mktemp("trail")
    repo = Repo(base / "qms", base / "home")
    baseline(repo.root)
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt the QMS")
    adopted = repo.git("rev-parse", "HEAD").stdout.strip()
    revise(repo, "Quarantine the part.", "Quarantine first.")
    approve_all(repo, "2026-03-05")
    revise(repo, "Label it red.", "Red labels.")
    approve_all(repo, "2026-04-01")
    return repo, adopted


def verify(repo: Repo, adopted: str) -> tuple[int, str]:
    result = repo.qms("verify", "--since", adopted)
    return result.returncode, result.stdout + result.stderr


def test_honest_history_verifies_clean(honest: tuple[Repo, str]) -> None:
    repo, adopted = honest
    code, output = verify(repo, adopted)
    assert code == 0, output
    assert "6 commits" in output and "0 findings" in output


def test_history_shows_every_revision_with_its_approvers(honest: tuple[Repo, str]) -> None:
    repo, _adopted = honest
    rows = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)["revisions"]
    assert [row["revision"] for row in rows] == ["2", "3", "4"]
    assert rows[1]["change"] == "Quarantine first." and rows[1]["effective"] == "2026-03-05"
    assert rows[1]["authors"] == ["Alex Author <author@example.com>"]
    for row in rows[1:]:
        assert [(a["name"], a["role"], a["verdict"]) for a in row["approvals"]] == [
            ("Pat Production", "production-manager", "recorded"), ("Dana Quality", "quality-manager", "recorded")]
    text = repo.qms("history", "SOP-001", check=True).stdout
    assert text.count("revision ") >= 3 and "Dana Quality (quality-manager)" in text


def test_diff_shows_exactly_the_changed_lines(honest: tuple[Repo, str]) -> None:
    repo, _adopted = honest
    out = repo.qms("diff", "SOP-001", "3", "4", check=True).stdout
    changed = [line for line in out.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    assert changed == ["-Quarantine the part. Record it on [FRM-001](../forms/FRM-001-nonconformity-report.md).",
                       "+Quarantine the part. Label it red. Record it on "
                       "[FRM-001](../forms/FRM-001-nonconformity-report.md)."]
    assert "effective: 2026-03-05 -> 2026-04-01" in out and "change: Quarantine first. -> Red labels." in out


def test_html_redline_is_standalone(honest: tuple[Repo, str], tmp_path: Path) -> None:
    repo, _adopted = honest
    out = tmp_path / "redline.html"
    repo.qms("diff", "SOP-001", "2", "4", "--html", "--out", str(out), check=True)
    page = out.read_text()
    assert re.search(r"<ins>[^<]*Label it red\.[^<]*</ins>", page)
    assert "<del>" in page and "<td><del>2026-01-05</del></td><td><ins>2026-04-01</ins></td>" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def hand_sign(repo: Repo, role: str, meaning: str = "approval", print_: str | None = None) -> None:
    doc = parse_document(repo.read(SOP1), SOP1).item
    assert doc is not None
    name, email = PEOPLE[role]
    value = print_ or fingerprint(doc.id, doc.title, doc.type, doc.revision, doc.effective, doc.body)
    entry = (f"  - {{name: {name}, email: {email}, role: {role}, meaning: {meaning}, "
             f"at: 2026-05-01T09:00:00Z, fingerprint: \"{value}\"}}\n")
    text = repo.read(SOP1)
    if "approvals:\n" in text.split("\n---\n")[0]:
        repo.write(SOP1, text.replace("approvals:\n", "approvals:\n" + entry, 1))
    else:
        repo.write(SOP1, text.replace("\n---\n", "\napprovals:\n" + entry + "---\n", 1))


def forge_review(repo: Repo) -> None:
    revise(repo, "Photograph it.", "Photos.")
    repo.become("author")
    hand_sign(repo, "quality-manager", "review")


def copy_old_approvals(repo: Repo) -> None:
    old = re.search(r"approvals:\n(?:  - .*\n(?:    .*\n)*)+", repo.read(SOP1))
    assert old is not None
    revise(repo, "Photograph it.", "Photos.")
    repo.become("author")
    repo.write(SOP1, repo.read(SOP1).replace("status: draft", "status: approved\neffective: 2026-05-01")
               .replace("\n---\n", "\n" + old.group(0) + "---\n", 1))


def edit_and_refingerprint(repo: Repo) -> None:
    repo.become("author")
    text = repo.read(SOP1).replace("Label it red.", "Label it blue.")
    assert "Label it blue." in text
    repo.write(SOP1, text)
    doc = parse_document(text, SOP1).item
    assert doc is not None
    repo.write(SOP1, re.sub(r"sha256:[0-9a-f]{64}", doc.fingerprint, text))


def own_approval(repo: Repo) -> None:
    repo.become("production-manager")
    repo.qms("revise", "SOP-001", "--change", "Pat's change.", check=True)
    repo.edit(SOP1, "Record it on", "Pat says: record it on")
    repo.write(SOP1, repo.read(SOP1).replace("status: draft", "status: draft\neffective: 2026-06-01"))
    repo.commit("Pat writes revision 5", no_verify=True)
    hand_sign(repo, "production-manager")


TAMPERING: list[tuple[str, Callable[[Repo], None], list[str]]] = [
    ("hand-written approval", forge_review, ["QMS120"]),
    ("approval copied from an earlier revision", copy_old_approvals, ["QMS130", "QMS120"]),
    ("body edited after approval, fingerprints edited to match", edit_and_refingerprint, ["QMS100", "QMS120"]),
    ("record edited", lambda r: r.edit(NCR1, "Found and contained.", "Found, contained and scrapped."), ["QMS110"]),
    ("record deleted", lambda r: r.git("rm", "-q", NCR1), ["QMS112"]),
    ("approval commit authored by the revision's author", own_approval, ["QMS121"]),
]


@pytest.mark.parametrize("case,tamper,codes", TAMPERING, ids=[t[0] for t in TAMPERING])
def test_tampering_is_reported_with_its_commit(honest: tuple[Repo, str], case: str,
                                              tamper: Callable[[Repo], None], codes: list[str]) -> None:
    repo, adopted = honest
    branch = re.sub(r"\W+", "-", case)
    repo.git("checkout", "-q", "-b", branch, "main")
    try:
        tamper(repo)
        repo.commit(f"Tamper: {case}", no_verify=True)
        sha = repo.git("rev-parse", "--short=12", "HEAD").stdout.strip()
        code, output = verify(repo, adopted)
        assert code == 1, output
        for expected in codes:
            assert any(f" {expected} " in line and f"at commit {sha}" in line for line in output.splitlines()), (
                expected, output)
    finally:
        repo.git("checkout", "-q", "-f", "main")


def test_deleted_procedure_is_reported(honest: tuple[Repo, str]) -> None:
    repo, adopted = honest
    repo.git("checkout", "-q", "-b", "delete-manual", "main")
    try:
        repo.become("author")
        repo.git("rm", "-q", "procedures/manual/QM-001-quality-manual.md")
        repo.commit("Remove the manual", no_verify=True)
        sha = repo.git("rev-parse", "--short=12", "HEAD").stdout.strip()
        code, output = verify(repo, adopted)
        assert code == 1 and "QMS103 controlled document QM-001 deleted by Alex Author <author@example.com> " \
            f"at commit {sha}" in output
    finally:
        repo.git("checkout", "-q", "-f", "main")


def test_shallow_clone_is_reported(honest: tuple[Repo, str], tmp_path: Path) -> None:
    repo, _adopted = honest
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone))
    shallow = repo.sibling(clone)
    result = shallow.qms("verify")
    assert result.returncode == 1 and "QMS137" in result.stdout and "fetch-depth: 0" in result.stdout



def test_squash_merge_is_named_as_such(honest: tuple[Repo, str]) -> None:
    """An approval committed by the approver on a branch and squash-merged arrives authored by the merger."""
    repo, adopted = honest
    repo.git("checkout", "-q", "-b", "pull-request", "main")
    try:
        revise(repo, "Photograph it.", "Photos.")
        approve_all(repo, "2026-05-01")
        repo.git("checkout", "-q", "-b", "squashed", "main")
        repo.git("merge", "-q", "--squash", "pull-request")
        repo.become("admin", "Ada Admin", "admin@example.com")
        repo.run("git", "commit", "-q", "--no-verify", "--no-edit")
        code, output = verify(repo, adopted)
        assert code == 1
        assert "QMS120" in output and "looks like a squash merge" in output
        repo.git("checkout", "-q", "pull-request")
        assert verify(repo, adopted)[0] == 0  # the branch itself, merged with a merge commit, is clean
    finally:
        repo.git("checkout", "-q", "-f", "main")


def test_without_verify_from_the_first_commit_is_the_adoption_in_every_view(tmp_path: Path) -> None:
    """qms.yml names no verify_from: the first commit adopted the QMS and is taken as it stands, by the ledger
    (check, list) and by verify and history alike; the commits after it are verified."""
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    text = repo.read("qms.yml")
    repo.write("qms.yml", "\n".join(line for line in text.split("\n") if not line.startswith("verify_from:")))
    repo.become("admin")  # commits the approvals the QMS had before it lived in Git, in their signers' names
    repo.commit("Adopt the QMS", no_verify=True)
    done = repo.qms("verify", "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["findings"] == [], done.stdout + done.stderr
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    assert {a["verdict"] for r in history["revisions"] for a in r["approvals"]} == {"adopted"}, history
    assert [r["authors"] for r in history["revisions"]] == [[]]  # the administrator brought it in, not wrote it
    assert json.loads(done.stdout)["commits"] == 0  # nothing after the adoption yet
    revise(repo, "Quarantine it.", "Quarantine")
    done = repo.qms("verify", "--format", "json")
    assert json.loads(done.stdout)["commits"] == 1  # the revision, judged
    assert repo.qms("check").returncode == 0
