"""Training on each revision: who is concerned, when they are due, what a training record proves, and every view
(check, training --as-of, inbox, the audit pack, the manual) reading the same state."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from gitrepo import Repo, adopted_repo, approve_all, findings, revise
from helpers import CONFIG, PROJECT, training_record, with_training

from qms.model.config import ConfigError, parse_config
from qms.model.document import parse_document, parse_record

SOP1 = "procedures/sop/SOP-001-nonconformity.md"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """The baseline QMS adopted, with training on procedures for the production manager and the author."""
    repo = adopted_repo(tmp_path)
    repo.become("admin")
    repo.write("qms.yml", with_training(repo.read("qms.yml")))
    repo.git("add", "qms.yml")
    repo.run("git", "commit", "-q", "-m", "Training on procedures", "-m", "Config-Change: training on procedures")
    return repo


def matrix(repo: Repo, *args: str) -> dict[str, tuple[str, str | None, str]]:
    """email -> (state, trained revision, due) for SOP-001, from qms training --format json."""
    result = repo.qms("training", "--format", "json", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return {cell["email"]: (cell["state"], cell["trained_revision"], cell["due"])
            for cell in json.loads(result.stdout)["cells"] if cell["document"] == "SOP-001"}


def overdue(repo: Repo, *args: str) -> set[str]:
    """Who qms check reports as overdue for training (QMS183)."""
    return {str(f["message"]).split(" <")[0] for f in findings(repo, "check", *args) if f["code"] == "QMS183"}


def pack_cells(repo: Repo, out: Path, *args: str) -> dict[str, tuple[str, str | None, str]]:
    result = repo.qms("audit", "--out", str(out), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    cells = json.loads((out / "audit.json").read_text(encoding="utf-8"))["training"]
    rows = list(csv.DictReader(io.StringIO((out / "training-matrix.csv").read_text(encoding="utf-8"))))
    assert [row["record"] or None for row in rows] == [cell["record"] for cell in cells]
    assert all(cell["commit"] for cell in cells if cell["record"])  # evidence: the record and its commit
    return {cell["email"]: (cell["state"], cell["trained_revision"], cell["due"])
            for cell in cells if cell["document"] == "SOP-001"}


def revise_and_approve(repo: Repo, training: str = "required") -> None:
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", "Quarantine first.", "--training", training, check=True)
    repo.edit(SOP1, "Record it on", "Quarantine it. Record it on")
    repo.commit("Revise SOP-001")
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", repo.today, "--commit", check=True)
    repo.become("quality-manager")
    repo.qms("approve", "SOP-001", "--commit", check=True)


def test_every_view_agrees_on_the_training_state(repo: Repo, tmp_path: Path) -> None:
    assert matrix(repo) == {"author@example.com": ("overdue", None, "2026-02-04"),
                            "production@example.com": ("overdue", None, "2026-02-04")}
    repo.become("production-manager")
    repo.qms("train", "SOP-001", "--commit", check=True)
    assert "Trained: Pat Production <production@example.com>" in repo.git("log", "-1", "--format=%B").stdout
    repo.become("quality-manager")
    repo.qms("train", "SOP-001", "--trainee", "author@example.com", "--method", "classroom", "--commit", check=True)
    assert matrix(repo) == {"author@example.com": ("trained", "2", "2026-02-04"),
                            "production@example.com": ("trained", "2", "2026-02-04")}
    revise_and_approve(repo)  # revision 3, in force from 2026-03-02, needs training: due 2026-04-01
    repo.at("2026-04-15")
    repo.become("production-manager")
    inbox = json.loads(repo.qms("inbox", "--format", "json", check=True).stdout)["tasks"]
    assert [(t["task"], t["id"], t["revision"], t["due"]) for t in inbox if t["task"] == "train"] == \
        [("train", "SOP-001", "3", "2026-04-01")]
    repo.qms("train", "SOP-001", "--commit", check=True)
    today = {"author@example.com": ("overdue", "2", "2026-04-01"),
             "production@example.com": ("trained", "3", "2026-04-01")}
    days = {"2026-03-03": ({"author@example.com": ("due", "2", "2026-04-01"),
                            "production@example.com": ("due", "2", "2026-04-01")}, set()),
            "2026-04-10": ({"author@example.com": ("overdue", "2", "2026-04-01"),
                            "production@example.com": ("overdue", "2", "2026-04-01")},
                           {"Alex Author", "Pat Production"}),
            "2026-04-15": (today, {"Alex Author"})}
    for day, (cells, late) in days.items():
        as_of = ("--as-of", day) if day != "2026-04-15" else ()
        assert matrix(repo, *as_of) == cells, day
        assert overdue(repo, *as_of) == late, day
        assert pack_cells(repo, tmp_path / f"pack-{day}", *as_of) == cells, day
    assert repo.qms("check").returncode == 0  # a warning
    assert repo.qms("check", "--strict").returncode == 1
    assert [f for f in findings(repo, "verify", "--since", "adopted") if f["severity"] == "error"] == []
    table = repo.qms("training", "--due", check=True).stdout
    assert "author@example.com" in table and "production@example.com" not in table
    mine = repo.qms("training", "--person", "production@example.com", "--format", "csv", check=True).stdout
    assert mine.splitlines()[0].startswith("document,title,revision") and len(mine.splitlines()) == 2


def test_a_revision_without_training_leaves_people_trained_on_the_one_before(repo: Repo) -> None:
    repo.become("production-manager")
    repo.qms("train", "SOP-001", "--commit", check=True)
    revise_and_approve(repo, "not-required")
    assert "training: not-required" in repo.read(SOP1)
    repo.at("2026-06-01")
    cells = matrix(repo)
    assert cells["production@example.com"] == ("older", "2", "2026-02-04")
    assert cells["author@example.com"][0] == "overdue"  # never trained on any revision that needs it
    assert overdue(repo) == {"Alex Author"}
    from datetime import date

    from qms.commands.common import workspace_on
    from qms.mkdocs.pages import trained_counts
    from qms.model.config import load_config

    ws = workspace_on(str(repo.root), load_config(str(repo.root)), date(2026, 6, 1))
    assert trained_counts(ws.training)["SOP-001"] == (1, 2)  # the manual counts "older" as trained for it


def test_the_manual_shows_how_many_are_trained_when_asked(repo: Repo, tmp_path: Path) -> None:
    shutil.copy(PROJECT / "mkdocs.yml", repo.root / "mkdocs.yml")
    repo.become("production-manager")
    repo.qms("train", "SOP-001", "--commit", check=True)
    repo.qms("export", str(tmp_path / "plain"), check=True)
    assert "people concerned trained" not in (tmp_path / "plain/docs/sop/SOP-001-nonconformity.md").read_text()
    text = (repo.root / "mkdocs.yml").read_text()
    (repo.root / "mkdocs.yml").write_text(text.replace("  - qms\n", "  - qms:\n      training: true\n"))
    repo.qms("export", str(tmp_path / "shown"), check=True)
    page = (tmp_path / "shown/docs/sop/SOP-001-nonconformity.md").read_text()
    assert "1 of 2 people concerned trained for this revision" in page


def test_train_refuses_what_cannot_be_trained_on(repo: Repo) -> None:
    repo.become("production-manager")
    refused = repo.qms("train", "SOP-002")
    assert refused.returncode == 2 and "SOP-002 revision 1 is draft" in refused.stderr
    refused = repo.qms("train", "SOP-001", "--method", "classroom")
    assert refused.returncode == 2 and "--method goes with --trainee" in refused.stderr
    refused = repo.qms("train", "SOP-001", "--trainee", "eve@example.com", "--method", "classroom")
    assert refused.returncode == 2 and "not listed under any role" in refused.stderr
    assert repo.status() == ""


def test_a_record_that_names_other_content_is_reported_by_check(repo: Repo) -> None:
    doc = parse_document(repo.read(SOP1), SOP1).item
    assert doc is not None
    other = "sha256:" + "0" * 64
    repo.write("records/training/TRN-001.md", training_record("TRN-001", "SOP-001", 2, other, "production-manager"))
    repo.write("records/training/TRN-002.md", training_record("TRN-002", "SOP-009", 1, other, "production-manager"))
    found = {(f["path"], f["code"]) for f in findings(repo, "check")}
    assert ("records/training/TRN-001.md", "QMS180") in found and ("records/training/TRN-002.md", "QMS180") in found
    repo.write("records/training/TRN-001.md", training_record("TRN-001", "SOP-001", 2, doc.fingerprint,
                                                              "production-manager"))
    repo.git("rm", "-q", "--cached", "--ignore-unmatch", "records/training/TRN-002.md")
    (repo.root / "records/training/TRN-002.md").unlink()
    assert [f for f in findings(repo, "check") if f["code"] == "QMS180"] == []


BAD_CONFIG = [
    ("  trainers: [quality-manager]\n", "  trainers: [trainer]\n", "trainer role 'trainer' is not a role"),
    ("roles: [production-manager]", "roles: [welder]", "unknown role 'welder'"),
    ("people: [author@example.com]", "people: [eve@example.com]", "eve@example.com, who is not under any role"),
    ("documents: [procedure]", "documents: [checklist]", "'checklist', which is neither"),
    ("  grace_days: 30\n", "", "missing required key 'grace_days'"),
    ("    - {roles: [production-manager], people: [author@example.com], documents: [procedure]}",
     "    - {documents: [procedure]}", "training requirement names nobody"),
]


@pytest.mark.parametrize("old,new,message", BAD_CONFIG, ids=[m for _o, _n, m in BAD_CONFIG])
def test_training_settings_are_validated(old: str, new: str, message: str) -> None:
    text = with_training(CONFIG)
    assert old in text
    with pytest.raises(ConfigError) as raised:
        parse_config(text.replace(old, new).encode())
    assert message in str(raised.value) and "qms.yml:" in str(raised.value)


def test_training_settings_load() -> None:
    config = parse_config(with_training(CONFIG).encode())
    assert config.training is not None and config.training.grace_days == 30
    assert [p.email for p in config.trainees("SOP-001", "procedure")] == ["author@example.com",
                                                                          "production@example.com"]
    assert config.trainees("QM-001", "manual") == [] and config.may_train("deputy.quality@example.com")


BAD_RECORDS = [
    ("  method: read-and-understood\n", "  method: classroom\n", "QMS022", "names no trainer"),
    ('  fingerprint: "sha256:' + "0" * 64 + '"\n', "", "QMS021", "missing required key 'fingerprint'"),
    ("  method: read-and-understood\n", "  method: lecture\n", "QMS022", "must be one of"),
    ("  document: SOP-001\n", "  documnet: SOP-001\n", "QMS020", "unknown key 'documnet' in training"),
]


@pytest.mark.parametrize("old,new,code,message", BAD_RECORDS, ids=[m for _o, _n, _c, m in BAD_RECORDS])
def test_a_malformed_training_record_is_reported_with_its_line(old: str, new: str, code: str, message: str) -> None:
    text = training_record("TRN-001", "SOP-001", 2, "sha256:" + "0" * 64, "production-manager")
    assert old in text
    loaded = parse_record(text.replace(old, new), "records/training/TRN-001.md")
    assert any(f.code == code and message in f.message and f.line > 1 for f in loaded.findings), loaded.findings
    assert loaded.item is not None and loaded.item.training is None


def test_a_record_for_a_revision_before_history_is_not_judged_and_does_not_count(repo: Repo) -> None:
    """SOP-001 was adopted at revision 2: of revision 1 nothing is known, so a record for it is no finding, and it
    settles nothing."""
    repo.write("records/training/TRN-001.md", training_record("TRN-001", "SOP-001", 1, "sha256:" + "1" * 64,
                                                              "production-manager"))
    repo.become("production-manager")
    repo.commit("Training on revision 1, before the adoption")
    assert [f for f in findings(repo, "check", "--base", "adopted") if f["code"] == "QMS180"] == []
    assert matrix(repo)["production@example.com"] == ("overdue", None, "2026-02-04")


def test_a_record_made_before_its_revision_was_approved_never_counts(repo: Repo) -> None:
    """Training recorded on a draft (whose fingerprint anyone can compute) does not count once it is approved."""
    revise(repo, "Quarantine it.", "Quarantine first.")
    draft = parse_document(repo.read(SOP1), SOP1).item
    assert draft is not None
    from datetime import date as day
    from qms.model.fingerprint import fingerprint
    approved_print = fingerprint(draft.id, draft.title, draft.type, draft.revision, day.fromisoformat(repo.today),
                                 draft.body)
    repo.write("records/training/TRN-001.md", training_record("TRN-001", "SOP-001", 3, approved_print,
                                                              "production-manager"))
    repo.become("production-manager")
    repo.commit("Trained in advance", "records/training/TRN-001.md", no_verify=True)
    repo.qms("approve", "SOP-001", "--effective", repo.today, "--commit", check=True)
    repo.become("quality-manager")
    repo.qms("approve", "SOP-001", "--commit", check=True)
    assert parse_document(repo.read(SOP1), SOP1).item.fingerprint == approved_print  # type: ignore[union-attr]
    assert matrix(repo)["production@example.com"][0] in ("due", "overdue")  # the early record does not count


def test_a_record_for_a_revision_not_yet_in_force_is_no_training_on_the_one_in_force(repo: Repo) -> None:
    revise(repo, "Quarantine it.", "Quarantine first.")
    approve_all(repo, "2026-06-01")
    pending = parse_document(repo.read(SOP1), SOP1).item
    assert pending is not None
    repo.write("records/training/TRN-001.md", training_record("TRN-001", "SOP-001", 3, pending.fingerprint,
                                                              "production-manager"))
    repo.become("production-manager")
    repo.commit("Trained on revision 3, approved for 2026-06-01", "records/training/TRN-001.md")
    assert matrix(repo)["production@example.com"][0] == "overdue"  # revision 2 is in force, untrained
    assert matrix(repo, "--as-of", "2026-06-01")["production@example.com"][:2] == ("trained", "3")


def test_a_trainer_does_not_attest_their_own_training(repo: Repo) -> None:
    repo.become("quality-manager")
    refused = repo.qms("train", "SOP-001", "--trainee", "quality@example.com", "--method", "classroom", "--commit")
    assert refused.returncode == 1 and "QMS182" in refused.stderr and "themselves" in refused.stderr
    assert repo.status() == ""


def test_the_matrix_refuses_a_person_qms_yml_does_not_name(repo: Repo) -> None:
    refused = repo.qms("training", "--person", "nobody@example.com")
    assert refused.returncode == 2 and "not listed under any role" in refused.stderr
    assert repo.qms("training", "--person", "production@example.com").returncode == 0
