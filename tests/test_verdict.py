"""The findings about the folder, judged again only where something changed (rules.verdict), are rules.run's:
after every kind of change, the kept-and-updated answer equals judging everything from scratch, finding for
finding. Each row also says whether the change is judged by reading a few files or by judging everything again
(a change to what the whole QMS reads: the configuration, the disposition log, what is in force), and the test
holds the engine to it, so that the fast path is the one proved equal."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from gitrepo import Repo, starter_repo, verify_all_history
from test_views_agree import hand_sign, stamp

from qms.commands import common
from qms.model import clock, workspace
from qms.model.config import load_config
from qms.model.finding import Finding
from qms.rules import run

WI1 = "procedures/work-instructions/WI-001-final-inspection-and-release.md"
WI3 = "procedures/work-instructions/WI-003-calibration-check-of-micrometers.md"
WI4 = "procedures/work-instructions/WI-004-packaging-and-preservation-of-finished-parts.md"  # a draft
EXT1 = "procedures/external/EXT-001-iso-9001-2015-requirements.md"
AUD1 = "records/audits/AUD-001-internal-audit-of-production-april-2026.md"
TRN9 = "records/training/TRN-009-wrong-revision.md"
TRN10 = "records/training/TRN-010-correction.md"
WI8 = "procedures/work-instructions/WI-008-pending.md"  # approved from 2027, linking to the draft WI-004
SOP9 = "procedures/sop/SOP-009-calibration-of-monitoring-and-measuring-equipment.md"
WI5 = "procedures/work-instructions/WI-005-packing-crates.md"  # a draft naming WI-004 (by id alone)
SOP5 = "procedures/sop/SOP-005-nonconformity-and-corrective-action.md"
SOP6 = "procedures/sop/SOP-006-control-of-nonconforming-output.md"
CAL1 = "records/calibration/CAL-001-micrometer-set-calibration.md"
CSV = "records/calibration/CAL-001-results.csv"
NCR2 = "records/nonconformities/NCR-002-uncalibrated-gauge-in-use.md"
TRN2 = "records/training/TRN-002-on-the-job-training-wi-001-revision-2-jordan-hale.md"
LOG = "records/disposition-log.csv"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """The starter QMS, committed, with one draft that links out of the QMS; every file's key trusted at once
    (the two seconds a just-written file is read again for are the passage of time this test does not wait)."""
    repo = starter_repo(tmp_path / "qms", tmp_path / "home")
    verify_all_history(repo)  # every later commit is judged, and what the rules refuse is kept in the ledger
    (repo.root / "README.md").write_text("# The QMS\n")
    repo.edit(AUD1, "Report on [FRM-003]", "See the [repository's README](../../README.md).\n\nReport on [FRM-003]")
    repo.write(WI5, repo.read(WI4).replace("id: WI-004", "id: WI-005").replace("references: [WI-001]",
                                                                            "references: [WI-004]")
               .replace("under [WI-001](WI-001-final-inspection-and-release.md)", "under WI-001"))
    wrong = repo.read(TRN2).replace("id: TRN-002", "id: TRN-009").replace('revision: "2"', 'revision: "9"') \
        .replace("sha256:8", "sha256:0")
    repo.write(TRN9, wrong)  # training on a revision never in force (QMS180), but corrected by TRN-010:
    repo.write(TRN10, wrong.replace("id: TRN-009", "id: TRN-010").replace("\ntitle:", "\ncorrects: TRN-009\ntitle:")
               .replace("document: WI-001", "document: WI-002"))  # it is left to its correction, about another
    repo.commit("A record that links out of the QMS; a draft naming another by id alone; a corrected training",
                no_verify=True)
    text = repo.read(WI3)
    head, _approvals, body = text.partition("approvals:\n")
    body = body[body.index("---\n"):]
    repo.write(WI8, head.replace("id: WI-003", "id: WI-008").replace("effective: 2025-12-15", "effective: 2027-06-01")
               + body.replace("## Purpose", "## Purpose\n\nParts are packed as [WI-004](" + WI4.rsplit("/", 1)[1]
                              + ") says."))
    hand_sign(repo, WI8, "maintenance-lead")  # approved from a later date, not committed: it links to a draft
    monkeypatch.setattr(workspace, "SETTLE", -3600.0)
    monkeypatch.chdir(repo.root)
    return repo


def judged(repo: Repo) -> tuple[list[Finding], int, int]:
    """The folder's findings as `qms check` gives them (kept, and judged again where changed), with how many
    Markdown files this run read, and how many the folder holds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QMS_NOW", repo.clock.strftime("%Y-%m-%dT%H:%M:%SZ"))
        root = str(repo.root)
        found = common.judged_folder(root, load_config(root), clock.today())
    return found.findings, found.read, found.documents + found.records


def everything(repo: Repo) -> list[Finding]:
    """rules.run over the whole folder, read from scratch: the answer the kept one must equal."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QMS_NOW", repo.clock.strftime("%Y-%m-%dT%H:%M:%SZ"))
        root = str(repo.root)
        return run(common.workspace_on(root, load_config(root), clock.today()))


def replace_in(repo: Repo, rel: str, old: str, new: str) -> None:
    text = repo.read(rel)
    assert old in text, f"{old!r} not in {rel}"
    repo.write(rel, text.replace(old, new, 1))


@dataclass(frozen=True)
class Row:
    name: str
    change: Callable[[Repo], None]
    few: bool  # judged by reading the files it concerns (else: everything is judged again)
    code: str = ""  # a code the change must bring (proving the row changes the verdict), "" for none


def new_draft(repo: Repo) -> None:
    repo.write("procedures/work-instructions/WI-006-deburring.md", repo.read(WI4))


def commit_an_edit(repo: Repo) -> None:
    replace_in(repo, WI4, "## Purpose", "## Purpose\n\nA sentence added on a branch.")
    repo.commit("Edit the draft", no_verify=True)


def break_link_then_commit(repo: Repo) -> None:
    replace_in(repo, SOP5, "(SOP-006-control-of-nonconforming-output.md)", "(SOP-006-gone.md)")
    repo.become("quality-manager")
    repo.commit("A broken link, forced past the hook", no_verify=True)


def forge_then_commit(repo: Repo) -> None:
    """The Quality Manager's signature, added to an approved document by the author: the folder alone shows a
    valid signature (judged as the next commit, by its signer); once the author commits it, history refuses it.
    The file does not change between the two runs: only the ledger does."""
    hand_sign(repo, WI3, "quality-manager")
    judged(repo)
    repo.become("author")
    repo.commit("A signature added by the author", no_verify=True)


def review_shared(repo: Repo) -> None:
    """Two documents carry reviews by the same person in the same second. The author commits one of them in the
    reviewer's name: history refuses that review, and the other document's still counts (a review is of one
    document). Only the first document's file and the ledger change."""
    repo.at("2028-01-10")  # WI-003's review fell due on 2027-12-15
    when = stamp(repo)
    for rel in (EXT1, WI3):
        hand_sign(repo, rel, "quality-manager", at=when, key="periodic_reviews")
    judged(repo)
    repo.become("author")
    repo.commit("A review added by the author", EXT1, no_verify=True)


def mandatory_moved(repo: Repo) -> None:
    """An administrator adds a mandatory entry nothing provides (QMS070, at its line), then a comment above it."""
    repo.become("quality-manager")
    replace_in(repo, "qms.yml", "mandatory:\n", "mandatory:\n  - {clause: \"8.5.2\", what: traceability, kind: record}\n")
    judged(repo)
    replace_in(repo, "qms.yml", "mandatory:\n", "# What ISO 9001 requires us to keep.\nmandatory:\n")


def roles_reordered(repo: Repo) -> None:
    """A document names a role qms.yml lacks (QMS034, whose hint lists the roles in order); then the roles are
    listed in another order."""
    repo.become("quality-manager")
    replace_in(repo, WI4, "owner: production-manager", "owner: nobody")
    judged(repo)
    text = repo.read("qms.yml")
    found = re.search(r"^  quality-manager:\n(?:    .*\n)*", text, re.M)
    assert found is not None
    text = text.replace(found.group(0), "", 1)
    repo.write("qms.yml", text.replace("  managing-director:\n", found.group(0) + "  managing-director:\n", 1))


def change_config(repo: Repo) -> None:
    repo.become("quality-manager")  # an administrator's change comes into force with the next commit
    replace_in(repo, "qms.yml", "grace_days: 30", "grace_days: 3")


ROWS = [
    Row("a draft's body edited", lambda r: replace_in(r, WI4, "## Purpose", "## Purpose\n\nMore words."), True),
    Row("an approved document's body edited (its approvals go stale)",
        lambda r: replace_in(r, WI3, "## Purpose", "## Purpose\n\nAn unapproved sentence."), True, "QMS042"),
    Row("a draft names an id that is no document",
        lambda r: replace_in(r, WI4, "references: [", "references: [SOP-099, "), True, "QMS050"),
    Row("a draft links to a file that does not exist",
        lambda r: replace_in(r, WI4, "## Purpose", "## Purpose\n\nSee [the plan](plan.md)."), True, "QMS051"),
    Row("a new draft with the id of another", new_draft, True, "QMS032"),
    Row("a new draft before another in path order, with its id",  # the other is then the one reported
        lambda r: r.write("procedures/work-instructions/WI-000-early.md", r.read(WI4)), True, "QMS032"),
    Row("a draft naming another by id alone is edited",
        lambda r: replace_in(r, WI5, "## Purpose", "## Purpose\n\nMore words."), True),
    Row("an approved document a corrected training record names is edited",
        lambda r: replace_in(r, WI1, "## Purpose", "## Purpose\n\nAn unapproved sentence."), True, "QMS042"),
    Row("a document named by one approved from a later date is edited",  # which is judged again, with its links
        lambda r: replace_in(r, SOP9, "## Purpose", "## Purpose\n\nAn unapproved sentence."), True, "QMS042"),
    Row("a signature forged in another's name is committed", forge_then_commit, True, "QMS120"),
    Row("a draft another names is deleted", lambda r: os.remove(r.root / WI4), True, "QMS050"),
    Row("a draft another names takes another id", lambda r: replace_in(r, WI4, "id: WI-004", "id: WI-007"), True,
        "QMS050"),
    Row("a document others link to moves", lambda r: os.rename(r.root / SOP6, r.root / SOP6.replace("control", "ctl")),
        True, "QMS051"),
    Row("a record's attachment is deleted", lambda r: os.remove(r.root / CSV), True, "QMS051"),
    Row("a record names a procedure that is no document",
        lambda r: replace_in(r, NCR2, "procedure: SOP-005", "procedure: SOP-077"), True, "QMS083"),
    Row("the file outside the QMS a record links to is deleted", lambda r: os.remove(r.root / "README.md"), True,
        "QMS051"),
    Row("a symbolic link under procedures/", lambda r: os.symlink("WI-003-calibration-check-of-micrometers.md",
                                                                   r.root / "procedures/work-instructions/x.md"),
        True, "QMS003"),
    Row("a temporary file left by a killed write", lambda r: (r.root / "procedures/sop/.qms-x.tmp").write_text("x"),
        True, "QMS006"),
    Row("an edit committed: the ledger moves on", commit_an_edit, True),
    Row("a broken link committed by someone else", break_link_then_commit, True, "QMS051"),
    Row("a document's id changed to another's", lambda r: replace_in(r, WI3, "id: WI-003", "id: WI-001"), False,
        "QMS032"),
    Row("a document in force that others name is deleted", lambda r: os.remove(r.root / SOP6), False, "QMS050"),
    Row("a document in force covers other clauses",
        lambda r: replace_in(r, SOP5, 'clauses: ["10.2", "10.2.1", "10.2.2"]', 'clauses: ["10.2"]'), False),
    Row("a training record is corrected",
        lambda r: r.write("records/training/TRN-009-correction.md", r.read(TRN2).replace("id: TRN-002", "id: TRN-009")
                          .replace("\ntitle:", "\ncorrects: TRN-002\ntitle:", 1)), False),
    Row("qms.yml changed by an administrator", change_config, False),
    Row("a comment in qms.yml moves a mandatory entry", mandatory_moved, False, "QMS070"),
    Row("qms.yml lists its roles in another order", roles_reordered, False, "QMS034"),
    Row("of two reviews made in one second, one is refused", review_shared, True),
    Row("a disposition log is begun", lambda r: r.write(LOG, "id,path,title,type,date,retain_until,disposed_at,name,"
                                                          "email,reason\n"), False),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_the_kept_verdict_is_the_whole_one(repo: Repo, monkeypatch: pytest.MonkeyPatch, row: Row) -> None:
    before, read, total = judged(repo)  # nothing kept yet: everything is judged, and kept
    assert read == total and before == everything(repo)
    row.change(repo)
    after, read, total = judged(repo)
    assert after == everything(repo)
    assert (read < total) if row.few else (read == total), (read, total)
    if row.code:
        assert row.code in {f.code for f in after} - {f.code for f in before}
    again, read, _total = judged(repo)  # and what it kept then is the next run's answer
    assert again == after and read < total


def test_a_run_with_nothing_changed_reads_nothing(repo: Repo) -> None:
    """Not even the record linking out of the QMS: only whether the file it links to is there is looked at."""
    first, _read, _total = judged(repo)
    again, read, _total = judged(repo)
    assert again == first and read == 0
    (repo.root / "README.md").rename(repo.root / "READ-ME.md")
    gone, read, _total = judged(repo)
    assert gone == everything(repo) and 0 < read and "QMS051" in {f.code for f in gone if f.path == AUD1}
    (repo.root / "READ-ME.md").rename(repo.root / "README.md")
    back, read, _total = judged(repo)
    assert back == first and 0 < read


def test_a_file_changed_within_the_clock_tick_is_read_again(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key taken within SETTLE seconds of a change is not trusted: an edit of the same size in the same tick of
    the file system's clock would leave it as it was."""
    monkeypatch.setattr(workspace, "SETTLE", 2.0)
    judged(repo)
    text = repo.read(WI3)
    stat = os.stat(repo.root / WI3)
    repo.write(WI3, text.replace("Purpose", "Purp0se", 1))  # the same size
    os.utime(repo.root / WI3, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after, read, _total = judged(repo)
    assert after == everything(repo) and read >= 1
    assert "QMS042" in {f.code for f in after if f.path == WI3}


def test_a_damaged_kept_verdict_is_judged_again(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _read, _total = judged(repo)
    (repo.root / ".git" / "qms-folder-findings").write_bytes(b"not a verdict")
    again, read, total = judged(repo)
    assert again == first and read == total

