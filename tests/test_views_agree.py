"""Every view agrees: each scenario is built with real commits, and the hook (check --staged), CI (check --base),
qms verify and, where one exists, the write command's refusal report the same code on the same document, naming
the same commit. Every bug found becomes a row here."""

from __future__ import annotations

import json
import re
from datetime import date
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from gitrepo import Repo, adopted_repo, findings
from helpers import PEOPLE, QmsFolder, training_record, with_training

from qms.model.document import parse_document

SOP1 = "procedures/sop/SOP-001-nonconformity.md"
SOP2 = "procedures/sop/SOP-002-calibration.md"
FRM1 = "procedures/forms/FRM-001-nonconformity-report.md"
QM1 = "procedures/manual/QM-001-quality-manual.md"
NCR1 = "records/ncr/NCR-001.md"
LOG = "records/disposition-log.csv"
LOG_HEADER = "id,path,title,type,date,retain_until,disposed_at,name,email,reason\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return adopted_repo(tmp_path)


def as_(repo: Repo, role: str, message: str) -> None:
    """Commit everything as the person holding `role`, without the hook (the views judge it afterwards)."""
    repo.become(role)
    repo.commit(message, no_verify=True)


def stamp(repo: Repo, offset_minutes: int = 0) -> str:
    from datetime import timedelta

    return (repo.clock + timedelta(minutes=offset_minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def hand_sign(repo: Repo, rel: str, role: str, meaning: str = "approval", at: str | None = None,
              print_: str | None = None, key: str = "approvals") -> None:
    """Append an approval (or a periodic review) entry by hand, as only the tool should write it."""
    doc = parse_document(repo.read(rel), rel).item
    assert doc is not None
    name, email = PEOPLE[role]
    when = at or stamp(repo)
    if key == "approvals":
        entry = (f"  - {{name: {name}, email: {email}, role: {role}, meaning: {meaning}, at: {when}, "
                 f"fingerprint: \"{print_ or doc.fingerprint}\"}}\n")
    else:
        entry = f"  - {{name: {name}, email: {email}, at: {when}, outcome: no-change}}\n"
    head, _, body = repo.read(rel)[4:].partition("\n---\n")
    lines = head.split("\n")
    if f"{key}:" in lines:
        position = lines.index(f"{key}:") + 1
        while position < len(lines) and lines[position].startswith("  "):
            position += 1
        lines.insert(position, entry.rstrip("\n"))
    else:
        lines += [f"{key}:", entry.rstrip("\n")]
    repo.write(rel, "---\n" + "\n".join(lines) + "\n---\n" + body)


def set_status(repo: Repo, rel: str, old: str, new: str, extra: str = "") -> None:
    """Change `status: OLD` (quoted or not) to NEW, adding `extra` lines after it."""
    text = repo.read(rel)
    for form in (f'status: "{old}"', f"status: {old}"):
        if form in text:
            repo.write(rel, text.replace(form, f"status: {new}" + extra, 1))
            return
    raise AssertionError(f"no status {old} in {rel}")


def revise(repo: Repo, who: str, doc_id: str, rel: str, old: str, new: str) -> None:
    """`who` starts the next revision with qms revise and edits its text, committing both."""
    repo.become(who)
    repo.qms("revise", doc_id, "--change", f"{who} changes it.", check=True)
    repo.edit(rel, old, new)
    as_(repo, who, f"Revise {doc_id}")


def approve(repo: Repo, who: str, doc_id: str, effective: str | None = None) -> None:
    repo.become(who)
    repo.qms("approve", doc_id, *(["--effective", effective] if effective else []), "--commit", check=True)


@dataclass(frozen=True)
class Case:
    """A scenario: `build` makes the history and stages the final change; who commits it; what every view says."""

    name: str
    build: Callable[[Repo], None]
    who: str
    code: str
    doc: str
    command: tuple[str, ...] = ()  # the write command that must refuse the same change, run as `who`
    at: str = ""  # the commit the finding names, where it is not the final one (a branch merged in)


# -- the scenarios -------------------------------------------------------------------------------------------------

def author_obsoletes_own_revision(repo: Repo) -> None:
    revise(repo, "quality-manager", "FRM-001", FRM1, "How nonconformity", "How every nonconformity")
    approve(repo, "deputy-quality", "FRM-001", repo.today)
    set_status(repo, FRM1, "approved", "obsolete", f"\nobsoleted: {repo.today}\nreason: Gone.")
    hand_sign(repo, FRM1, "quality-manager", "obsoletion")


def record_deleted_early_with_log_line(repo: Repo) -> None:
    repo.git("rm", "-q", NCR1)
    repo.write(LOG, LOG_HEADER + f"NCR-001,{NCR1},Burr,nonconformity,2026-03-01,2032-03-01,{stamp(repo)},"
               "Dana Quality,quality@example.com,Early.\n")


def moved_and_edited(repo: Repo) -> None:
    (repo.root / "procedures/sop/nc").mkdir()
    repo.git("mv", SOP1, "procedures/sop/nc/SOP-001.md")
    repo.edit("procedures/sop/nc/SOP-001.md", "Record it on", "Write it on")


def author_moves_then_approves(repo: Repo) -> None:
    revise(repo, "quality-manager", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    repo.git("mv", SOP1, "procedures/sop/SOP-001-moved.md")
    as_(repo, "quality-manager", "Rename")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    hand_sign(repo, "procedures/sop/SOP-001-moved.md", "quality-manager")


def approval_inside_merge(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    repo.git("checkout", "-q", "-b", "side", "adopted")
    repo.write("procedures/sop/extra.txt", "unrelated\n")
    as_(repo, "author", "Side work")
    repo.git("checkout", "-q", "work")
    repo.become("admin")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    hand_sign(repo, SOP1, "quality-manager")
    set_status(repo, SOP1, "draft", "approved")


def two_branches_approve_one_revision(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Branch A says so. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    approve(repo, "quality-manager", "SOP-001")
    repo.git("checkout", "-q", "-b", "b", "adopted")
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Branch B says otherwise. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    approve(repo, "quality-manager", "SOP-001")
    repo.git("checkout", "-q", "work")
    repo.become("admin")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "b")


def obsolete_brought_back(repo: Repo) -> None:
    QmsFolder(repo.root, (repo.root / "qms.yml").read_text()).document("FRM-002", "Old form",
                                                                        effective=date(2026, 3, 1))
    as_(repo, "admin", "Add a form")
    repo.become("quality-manager")
    repo.qms("obsolete", "FRM-002", "--reason", "No longer used.", "--commit", check=True)
    set_status(repo, "procedures/forms/FRM-002-old-form.md", "obsolete", "approved")


def approval_years_before_content(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    set_status(repo, SOP1, "draft", "draft", "\neffective: 2026-04-01")
    as_(repo, "author", "Date it")
    hand_sign(repo, SOP1, "quality-manager", at="2023-01-01T09:00:00Z")


def review_dated_before_its_content(repo: Repo) -> None:
    hand_sign(repo, SOP1, "quality-manager", key="periodic_reviews", at="2025-01-01T09:00:00Z")


def approval_after_its_commit(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    set_status(repo, SOP1, "draft", "draft", "\neffective: 2026-04-01")
    as_(repo, "author", "Date it")
    hand_sign(repo, SOP1, "quality-manager", at="2026-03-20T09:00:00Z")


def effective_before_approval(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    set_status(repo, SOP1, "draft", "draft", "\neffective: 2026-01-06")
    as_(repo, "author", "Backdate it")
    hand_sign(repo, SOP1, "production-manager")
    as_(repo, "production-manager", "Approve")
    hand_sign(repo, SOP1, "quality-manager")
    set_status(repo, SOP1, "draft", "approved")


def review_committed_by_another(repo: Repo) -> None:
    hand_sign(repo, SOP1, "quality-manager", key="periodic_reviews")


def review_period_stretched(repo: Repo) -> None:
    set_status(repo, SOP1, "approved", "approved", "\nreview_months: 600")


def review_by_someone_without_role(repo: Repo) -> None:
    hand_sign(repo, SOP1, "author", key="periodic_reviews")


def approval_removed(repo: Repo) -> None:
    text = repo.read(FRM1)
    lines = [line for line in text.split("\n") if "Dana Quality" not in line]
    repo.write(FRM1, "\n".join(lines).replace("approvals:\n---", "---"))


def record_from_the_future(repo: Repo) -> None:
    repo.write("records/ncr/NCR-002.md", "---\nid: NCR-002\ntitle: Later\ntype: nonconformity\ndate: 2026-12-24\n"
               "owner: quality-manager\nprocedure: SOP-001\n---\n# Later\n")


def disposal_in_another_name(repo: Repo) -> None:
    repo.at("2033-06-01")
    repo.git("rm", "-q", NCR1)
    repo.write(LOG, LOG_HEADER + f"NCR-001,{NCR1},Burr,nonconformity,2026-03-01,2032-03-01,{stamp(repo)},"
               "Dana Quality,quality@example.com,Retention ended.\n")


def disposal_without_role(repo: Repo) -> None:
    repo.at("2033-06-01")
    repo.git("rm", "-q", NCR1)
    repo.write(LOG, LOG_HEADER + f"NCR-001,{NCR1},Burr,nonconformity,2026-03-01,2032-03-01,{stamp(repo)},"
               "Alex Author,author@example.com,Retention ended.\n")


def approved_deleted(repo: Repo) -> None:
    repo.git("rm", "-q", QM1)


def outsider_approval(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    hand_sign(repo, SOP1, "outsider")


def self_promotion(repo: Repo) -> None:
    repo.edit("qms.yml", "people: [{name: Pat Production", "people: [{name: Alex Author, email: author@example.com}, "
              "{name: Pat Production")


def approval_before_the_role_was_granted(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    hand_sign(repo, SOP1, "purchasing-manager")


def enable_training(repo: Repo) -> None:
    """The administrator adds the training settings to qms.yml (committed, with its trailer)."""
    repo.become("admin")
    repo.write("qms.yml", with_training(repo.read("qms.yml")))
    repo.git("add", "qms.yml")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Training on procedures", "-m",
             "Config-Change: production and authors are trained on procedures")


def fingerprint_of(repo: Repo, rel: str) -> str:
    doc = parse_document(repo.read(rel), rel).item
    assert doc is not None
    return doc.fingerprint


TRN1 = "records/training/TRN-001.md"


def acknowledged_for_another(repo: Repo) -> None:
    enable_training(repo)
    repo.write(TRN1, training_record("TRN-001", "SOP-001", 2, fingerprint_of(repo, SOP1), "production-manager"))


def trainer_without_role(repo: Repo) -> None:
    enable_training(repo)
    repo.write(TRN1, training_record("TRN-001", "SOP-001", 2, fingerprint_of(repo, SOP1), "production-manager",
                                     trainer="author"))


def training_on_a_draft(repo: Repo) -> None:
    enable_training(repo)
    repo.write(TRN1, training_record("TRN-001", "SOP-002", 1, fingerprint_of(repo, SOP2), "production-manager"))


def training_record_edited(repo: Repo) -> None:
    enable_training(repo)
    repo.become("production-manager")
    repo.qms("train", "SOP-001", "--commit", check=True)
    rel = next(str(path.relative_to(repo.root)) for path in (repo.root / "records/training").glob("TRN-001-*.md"))
    repo.edit(rel, "read and understood", "read, understood and questioned")


def retired_id_with_a_leading_zero(repo: Repo) -> None:
    repo.become("author")
    repo.qms("withdraw", "SOP-002", "--reason", "Not needed.", "--commit", check=True)
    text = repo.git("show", f"HEAD~1:{SOP2}").stdout
    repo.write("procedures/sop/SOP-0002-calibration.md", text.replace("SOP-002", "SOP-0002"))


def manual_plugin_turned_off(repo: Repo) -> None:
    """The administrator puts mkdocs.yml under control (qms.yml controlled); a writer then drops the qms plugin,
    which keeps drafts and obsolete documents out of the manual."""
    repo.become("admin")
    repo.write("mkdocs.yml", "site_name: Test QMS\ndocs_dir: procedures\nplugins:\n  - search\n  - qms\n")
    repo.write("qms.yml", repo.read("qms.yml") + "controlled: [mkdocs.yml, .pre-commit-config.yaml]\n")
    repo.git("add", "-A")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Control the manual", "-m",
             "Config-Change: mkdocs.yml and the hook configuration change only by an administrator")
    repo.edit("mkdocs.yml", "  - qms\n", "")


FIRES = [
    Case("author obsoletes their own revision", author_obsoletes_own_revision, "quality-manager", "QMS121",
         "FRM-001"),
    Case("record deleted before retention, with a log line", record_deleted_early_with_log_line, "quality-manager",
         "QMS112", "NCR-001", ("dispose", "NCR-001", "--reason", "Early.")),
    Case("approved document moved and edited", moved_and_edited, "author", "QMS100", "SOP-001"),
    Case("author of a revision moves the file, then approves it", author_moves_then_approves, "quality-manager",
         "QMS121", "SOP-001"),
    Case("approval added inside a merge by someone else", approval_inside_merge, "admin", "QMS120", "SOP-001"),
    Case("two branches approve different text as one revision", two_branches_approve_one_revision, "admin",
         "QMS107", "SOP-001", at="b"),
    Case("obsolete document brought back", obsolete_brought_back, "quality-manager", "QMS106", "FRM-002"),
    Case("approval dated years before its content", approval_years_before_content, "quality-manager", "QMS140",
         "SOP-001"),
    Case("approval dated in the future", approval_after_its_commit, "quality-manager", "QMS140", "SOP-001"),
    Case("periodic review dated before the revision it reviews was committed", review_dated_before_its_content,
         "quality-manager", "QMS140", "SOP-001"),
    Case("effective date before the approval", effective_before_approval, "quality-manager", "QMS141", "SOP-001"),
    Case("periodic review committed by another person", review_committed_by_another, "author", "QMS120",
         "SOP-001"),
    Case("review period stretched on an approved document", review_period_stretched, "author", "QMS100",
         "SOP-001"),
    Case("periodic review by someone without a role to review", review_by_someone_without_role, "author",
         "QMS122", "SOP-001"),
    Case("signature removed from an approved document", approval_removed, "author", "QMS108", "FRM-001"),
    Case("record dated after it was committed", record_from_the_future, "author", "QMS142", "NCR-002"),
    Case("disposal logged in another person's name", disposal_in_another_name, "author", "QMS112", "NCR-001"),
    Case("disposal by someone without a role to dispose", disposal_without_role, "author", "QMS122", "NCR-001",
         ("dispose", "NCR-001", "--reason", "Retention ended.")),
    Case("approved document deleted", approved_deleted, "author", "QMS103", "QM-001"),
    Case("approval by someone qms.yml does not name", outsider_approval, "outsider", "QMS041", "SOP-001"),
    Case("a writer adds themselves as an approver", self_promotion, "author", "QMS150", "qms.yml"),
    Case("approval by someone not yet given the role", approval_before_the_role_was_granted, "purchasing-manager",
         "QMS041", "SOP-001"),
    Case("read and understood recorded on behalf of another", acknowledged_for_another, "author", "QMS181",
         "TRN-001"),
    Case("training attested by a trainer without the role", trainer_without_role, "author", "QMS182", "TRN-001",
         ("train", "SOP-001", "--trainee", "production@example.com", "--method", "classroom")),
    Case("training recorded on a draft", training_on_a_draft, "production-manager", "QMS180", "TRN-001",
         ("train", "SOP-002")),
    Case("training record edited after it was committed", training_record_edited, "production-manager", "QMS110",
         "TRN-001"),
    Case("a withdrawn draft's id reused with an extra leading zero", retired_id_with_a_leading_zero, "author",
         "QMS104", "SOP-0002"),
    Case("the manual's plugin turned off by a writer", manual_plugin_turned_off, "author", "QMS150", "mkdocs.yml"),
    Case("a draft written in Git after verify_from adopted by hand", lambda repo: adoption_of_a_draft_written_in_git(
        repo), "admin", "QMS175", "SOP-003"),
    Case("a draft of the next revision abandoned, putting back the approved one with other clauses",
         lambda repo: abandoned_with_other_clauses(repo), "author", "QMS100", "SOP-001"),
    Case("an image an approved revision links to changed in place", lambda repo: image_changed(repo), "author",
         "QMS109", "procedures/sop/chart.svg"),
    Case("an image an approved revision links to deleted", lambda repo: image_changed(repo, delete=True), "author",
         "QMS109", "procedures/sop/chart.svg"),
    Case("a draft present at verify_from, changed in Git since, adopted by hand",
         lambda repo: adoption_of_a_draft_changed_in_git(repo), "admin", "QMS175", "SOP-003"),
]


def named(found: list[dict[str, object]], code: str, doc: str, commit: str) -> bool:
    """Whether `found` reports `code` on `doc` at `commit` ("" for the staged change) as an error."""
    return any(f["code"] == code and f["doc"] == doc and f["severity"] == "error" and (f["commit"] or "") == commit
               for f in found)


@pytest.mark.parametrize("case", FIRES, ids=[case.name for case in FIRES])
def test_every_view_reports_it(repo: Repo, case: Case) -> None:
    case.build(repo)
    if case.command:
        repo.become(case.who)
        tree = repo.status()
        refused = repo.qms(*case.command)
        assert refused.returncode in (1, 2), refused.stdout + refused.stderr
        assert repo.status() == tree  # the command wrote nothing
    repo.become(case.who)
    repo.git("add", "-A")
    staged = findings(repo, "check", "--staged")
    assert named(staged, case.code, case.doc, repo.git("rev-parse", case.at).stdout.strip() if case.at else ""), \
        staged
    repo.run("git", "commit", "-q", "--no-verify", "--no-edit", "-m", case.name)
    sha = repo.git("rev-parse", case.at or "HEAD").stdout.strip()
    assert named(findings(repo, "check", "--base", "adopted"), case.code, case.doc, sha)
    assert named(findings(repo, "verify", "--since", "adopted"), case.code, case.doc, sha)


def approval_committed_by_another(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    hand_sign(repo, SOP1, "quality-manager")
    set_status(repo, SOP1, "draft", "approved")


def author_moves_then_approves_it_effective(repo: Repo) -> None:
    author_moves_then_approves(repo)
    set_status(repo, "procedures/sop/SOP-001-moved.md", "draft", "approved")


REFUSED = {  # the scenarios whose last commit adds the approval that would make SOP-001 revision 3 effective
    "approval committed by someone else": (approval_committed_by_another, "author"),
    "approval added inside a merge by someone else": (approval_inside_merge, "admin"),
    "author of a revision moves the file, then approves it": (author_moves_then_approves_it_effective,
                                                              "quality-manager"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_approval_puts_nothing_in_force(repo: Repo, name: str, tmp_path: Path) -> None:
    """A signature the change rules refused never counts: revision 2 stays in force in every view, on any day."""
    build, who = REFUSED[name]
    build(repo)
    repo.become(who)
    repo.git("add", "-A")
    repo.run("git", "commit", "-q", "--no-verify", "--no-edit", "-m", name)
    repo.at("2026-05-01")
    for day in ((), ("--as-of", "2026-04-15")):
        assert listing_in_force(repo, *day)["SOP-001"] == "2", day
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    assert history["standing"].startswith("revision 2 in force"), history["standing"]
    assert [r["revision"] for r in history["revisions"] if r["in_force_from"]] == ["2"]
    tree = findings(repo, "check")
    assert any(f["code"] == "QMS040" and "SOP-001" in str(f["path"]) for f in tree), tree
    pack = tmp_path / "pack"
    repo.qms("audit", "--out", str(pack))
    master = json.loads((pack / "audit.json").read_text())["master_list"]
    assert {row["id"]: row["in_force"] for row in master}["SOP-001"] == "2"


def withdrawal_moved_later(repo: Repo) -> None:
    """An obsolete document's obsoleted date moved to a later day by hand: obsolete is final (QMS106)."""
    FRM2 = "procedures/forms/FRM-002-old-form.md"
    QmsFolder(repo.root, (repo.root / "qms.yml").read_text()).document("FRM-002", "Old form", status="draft",
                                                                        effective=None)
    as_(repo, "author", "Draft a form")
    approve(repo, "quality-manager", "FRM-002", repo.today)
    repo.become("quality-manager")
    repo.qms("obsolete", "FRM-002", "--reason", "No longer used.", "--commit", check=True)
    text = repo.read(FRM2)
    repo.write(FRM2, re.sub(r"obsoleted: .*", "obsoleted: 2026-12-01", text, count=1))


def test_a_void_version_never_comes_into_force(repo: Repo) -> None:
    """A version the rules void for good (obsolete is final) is not in force in any view: the document stays
    withdrawn from the day it was withdrawn."""
    withdrawal_moved_later(repo)
    repo.become("author")
    repo.git("add", "-A")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Withdraw later")
    assert any(f["code"] == "QMS106" for f in findings(repo, "verify", "--since", "adopted"))
    repo.at("2026-05-01")
    for day in ((), ("--as-of", "2026-04-15")):
        assert listing_in_force(repo, *day)["FRM-002"] is None, day
    history = json.loads(repo.qms("history", "FRM-002", "--format", "json", check=True).stdout)
    assert history["standing"].startswith("withdrawn on 2026-03-"), history["standing"]
    pack = tmp = repo.root.parent / "pack"
    repo.qms("audit", "--out", str(pack))
    master = json.loads((tmp / "audit.json").read_text())["master_list"]
    assert not {row["id"]: row["in_force"] for row in master}.get("FRM-002")


def listing_in_force(repo: Repo, *args: str) -> dict[str, object]:
    rows = json.loads(repo.qms("list", "--format", "json", *args, check=True).stdout)
    return {str(row["id"]): row["in_force"] for row in rows}


def test_a_branchs_first_commit_dated_before_its_parent_is_reported(repo: Repo) -> None:
    """CI reads only the branch, but the first commit's parent is still known: its date is checked as verify's."""
    repo.edit(SOP1, "Record it on", "Quarantine it. Record it on")
    repo.git("add", "-A")
    earlier = "2026-01-01T09:00:00Z"  # the adoption commit was made on 2026-03-02
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Backdated", env={"GIT_COMMITTER_DATE": earlier,
                                                                           "GIT_AUTHOR_DATE": earlier})
    sha = repo.git("rev-parse", "HEAD").stdout.strip()
    for view in (("check", "--base", "adopted"), ("verify", "--since", "adopted"), ("verify",)):
        found = findings(repo, *view)
        assert any(f["code"] == "QMS142" and f["commit"] == sha for f in found), (view, found)


def test_write_commands_refuse_with_the_hooks_code(repo: Repo) -> None:
    """The write command runs the hook's rules on its own change: the author may not withdraw their revision."""
    revise(repo, "quality-manager", "FRM-001", FRM1, "How nonconformity", "How every nonconformity")
    approve(repo, "deputy-quality", "FRM-001", repo.today)
    repo.become("quality-manager")
    tree = repo.status()
    refused = repo.qms("obsolete", "FRM-001", "--reason", "Gone.")
    assert refused.returncode == 1 and "QMS121" in refused.stderr and "nothing was written" in refused.stderr
    assert repo.status() == tree
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    repo.become("production-manager")
    refused = repo.qms("approve", "SOP-001", "--effective", "2026-01-01")
    assert refused.returncode == 2 and "in the past" in refused.stderr


# -- the honest counterparts ---------------------------------------------------------------------------------------

def rename(repo: Repo) -> None:
    repo.git("mv", SOP1, "procedures/sop/SOP-001-handling-nonconformity.md")


def approved_by_others(repo: Repo) -> None:
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    repo.become("quality-manager")
    repo.qms("approve", "SOP-001", check=True)


def branch_merged_with_a_merge_commit(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "pr", "adopted")
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    approve(repo, "quality-manager", "SOP-001")
    repo.git("checkout", "-q", "work")
    repo.become("admin")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "pr")


def rebase_merge(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "pr", "adopted")
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    approve(repo, "quality-manager", "SOP-001")
    repo.git("checkout", "-q", "work")
    repo.write("procedures/sop/notes.txt", "main moved on\n")
    as_(repo, "author", "Main moves on")
    repo.git("checkout", "-q", "pr")
    repo.become("admin")
    repo.git("rebase", "-q", "work")
    repo.git("checkout", "-q", "work")
    repo.git("merge", "-q", "--ff-only", "pr")
    repo.write("procedures/sop/notes.txt", "main moved on again\n")


def lawful_disposal(repo: Repo) -> None:
    repo.at("2033-06-01")
    repo.become("quality-manager")
    repo.qms("dispose", "NCR-001", "--reason", "Retention ended.", check=True)


def disposal_of_a_record_others_refer_to(repo: Repo) -> None:
    """NCR-002 links to NCR-001 and corrects it; records never change, so after NCR-001's retention it is disposed
    of with the link still there."""
    QmsFolder(repo.root, repo.read("qms.yml")).record("NCR-002", "Burr on bracket, corrected", extra={
        "corrects": "NCR-001", "date": date(2026, 3, 2)}, body="Corrects [NCR-001](NCR-001.md).\n")
    as_(repo, "quality-manager", "Correct NCR-001")
    lawful_disposal(repo)


def draft_withdrawn(repo: Repo) -> None:
    repo.git("rm", "-q", SOP2)


def obsolete_from_a_later_date(repo: Repo) -> None:
    repo.become("quality-manager")
    repo.qms("obsolete", "QM-001", "--reason", "Merged into SOP-001.", "--date", "2026-12-01", check=True)


def own_periodic_review(repo: Repo) -> None:
    repo.become("production-manager")
    repo.qms("review", "SOP-001", check=True)


def own_read_and_understood(repo: Repo) -> None:
    enable_training(repo)
    repo.become("production-manager")
    repo.qms("train", "SOP-001", check=True)


def trainer_attests(repo: Repo) -> None:
    enable_training(repo)
    repo.become("quality-manager")
    repo.qms("train", "SOP-001", "--trainee", "author@example.com", "--method", "on-the-job", check=True)


def uncontrolled_file_changed(repo: Repo) -> None:
    """mkdocs.yml changed by a writer before qms.yml controls it, and a file it does not control after."""
    repo.become("author")
    repo.write("mkdocs.yml", "site_name: Test QMS\nplugins:\n  - search\n")
    as_(repo, "author", "A manual")
    repo.become("admin")
    repo.write("qms.yml", repo.read("qms.yml") + "controlled: [mkdocs.yml]\n")
    repo.git("add", "-A")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Control the manual", "-m", "Config-Change: the manual")
    repo.write("Makefile", "manual:\n\tmkdocs build\n")


def numbered_past_the_width(repo: Repo) -> None:
    QmsFolder(repo.root, (repo.root / "qms.yml").read_text()).document("SOP-1000", "Welding", status="draft",
                                                                        effective=None)


QUIET = [
    ("a rename inside procedures/", rename, "author"),
    ("a revision approved by others", approved_by_others, "quality-manager"),
    ("a branch approved and merged with a merge commit", branch_merged_with_a_merge_commit, "admin"),
    ("a rebase merge", rebase_merge, "author"),
    ("a lawful disposal", lawful_disposal, "quality-manager"),
    ("a lawful disposal of a record another links to and corrects", disposal_of_a_record_others_refer_to,
     "quality-manager"),
    ("a draft never approved, withdrawn", draft_withdrawn, "author"),
    ("a draft of the next revision abandoned with qms withdraw", lambda repo: abandoned_revision(repo), "author"),
    ("an image of a draft never approved changed", lambda repo: draft_image_changed(repo), "author"),
    ("a new image under a new name for the next revision", lambda repo: image_replaced_by_a_new_revision(repo),
     "author"),
    ("obsolete from a later date", obsolete_from_a_later_date, "quality-manager"),
    ("a periodic review by the owner", own_periodic_review, "production-manager"),
    ("read and understood by the trainee", own_read_and_understood, "production-manager"),
    ("training attested by a trainer", trainer_attests, "quality-manager"),
    ("an id whose number needs more digits than the width", numbered_past_the_width, "author"),
    ("files changed before qms.yml controls them, or that it does not control", uncontrolled_file_changed, "author"),
]


@pytest.mark.parametrize("build,who", [(b, w) for _n, b, w in QUIET], ids=[n for n, _b, _w in QUIET])
def test_every_view_stays_quiet(repo: Repo, build: Callable[[Repo], None], who: str) -> None:
    build(repo)
    repo.become(who)
    repo.git("add", "-A")
    errors = [f for f in findings(repo, "check", "--staged") if f["severity"] == "error"]
    assert errors == []
    repo.run("git", "commit", "-q", "--no-verify", "--allow-empty", "--no-edit", "-m", "honest")
    for view in (("check", "--base", "adopted"), ("verify", "--since", "adopted")):
        errors = [f for f in findings(repo, *view) if f["severity"] == "error"]
        assert errors == [], (view, errors)


def test_a_draft_never_approved_is_withdrawn_alike_in_every_view(repo: Repo) -> None:
    """qms withdraw removes a committed draft never approved: hook, CI and verify accept it; it leaves the master
    list, and its id is not given again, even before the withdrawal is committed."""
    repo.become("author")
    withdrawn = repo.qms("withdraw", "SOP-002", "--reason", "Calibration stays in SOP-001.")
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert "removed draft SOP-002 revision 1" in withdrawn.stdout and not (repo.root / SOP2).exists()
    assert "SOP-003" in repo.qms("new", "procedure", "Welding", check=True).stdout
    (repo.root / "procedures/sop/SOP-003-welding.md").unlink()
    repo.git("add", "-A")
    assert [f for f in findings(repo, "check", "--staged") if f["severity"] == "error"] == []
    repo.git("reset", "-q")
    repo.git("checkout", "-q", "--", SOP2)
    repo.qms("withdraw", "SOP-002", "--reason", "Calibration stays in SOP-001.", "--commit", check=True)
    assert repo.git("log", "-1", "--format=%B").stdout.startswith("Withdraw draft SOP-002\n\nWithdrawn-by: Alex")
    for view in (("check", "--base", "adopted"), ("verify", "--since", "adopted")):
        assert [f for f in findings(repo, *view) if f["severity"] == "error"] == [], view
    listed = {row["id"] for row in json.loads(repo.qms("list", "--format", "json", check=True).stdout)}
    assert "SOP-002" not in listed and "SOP-001" in listed


def test_a_revision_never_approved_is_abandoned_alike_in_every_view(repo: Repo) -> None:
    """qms withdraw of a draft of the next revision puts the document back exactly as its last release: the
    hook, CI and verify accept it, and the revision before is the one in force, as before."""
    released = repo.read(SOP1)
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    done = repo.qms("withdraw", "SOP-001", "--reason", "Not needed after all.")
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read(SOP1) == released
    repo.git("add", "-A")
    assert [f for f in findings(repo, "check", "--staged") if f["severity"] == "error"] == []
    repo.commit("Withdraw the draft revision of SOP-001")
    for view in (("check", "--base", "adopted"), ("verify", "--since", "adopted")):
        assert [f for f in findings(repo, *view) if f["severity"] == "error"] == [], view
    repo.edit(SOP1, "Record it on", "Edited. Record it on")  # not the release: a hand-made "withdrawal" is judged
    repo.git("add", "-A")
    assert any(f["code"] == "QMS100" for f in findings(repo, "check", "--staged"))


def test_withdraw_refuses_what_was_ever_approved(repo: Repo) -> None:
    repo.become("author")
    tree = repo.status()
    refused = repo.qms("withdraw", "SOP-001", "--reason", "Not needed.")
    assert refused.returncode == 2 and "qms obsolete SOP-001" in refused.stderr
    assert repo.status() == tree
    draft_refused = repo.qms("obsolete", "SOP-002", "--reason", "Not needed.")
    assert "qms withdraw SOP-002" in draft_refused.stderr


@pytest.mark.parametrize("reviewer,committer,at,counts", [
    ("quality-manager", "author", None, False),  # committed by someone else (QMS120)
    ("quality-manager", "quality-manager", None, True),
    ("author", "author", None, False),  # by someone who may not review it (QMS122, refused)
    ("quality-manager", "quality-manager", "2030-01-01T00:00:00Z", False),  # dated after the day judged
], ids=["committed by another", "own", "may not review", "dated ahead"])
def test_a_review_counts_only_when_committed_by_the_person_it_names(repo: Repo, reviewer: str, committer: str,
                                                                   at: str | None, counts: bool) -> None:
    """The change engine reports a review committed by someone else (QMS120) or by someone who may not review
    the document (QMS122); the overdue warning and the master list do not count it either, nor a review dated
    after the day they are judged on."""
    hand_sign(repo, SOP1, reviewer, key="periodic_reviews", at=at)
    as_(repo, committer, "Periodic review of SOP-001")
    repo.at("2028-03-01T09:00:00")  # two years after the effective date: overdue, unless the review counts
    found = findings(repo, "check")
    assert any(f["code"] == "QMS060" and f["path"] == SOP1 for f in found) != counts
    rows = json.loads(repo.qms("list", "--format", "json", check=True).stdout)
    assert next(row["overdue"] for row in rows if row["id"] == "SOP-001") != counts


@pytest.mark.parametrize("refused_first", [True, False], ids=["refused one first", "lawful one first"])
def test_reviews_one_person_makes_of_two_documents_in_one_second_are_judged_apart(repo: Repo,
                                                                                  refused_first: bool) -> None:
    """The production manager reviews SOP-001, which they own, and in the same second the quality manual, which
    they may not review (QMS122). The refused review never takes the lawful one with it, nor the lawful one the
    refused one, whichever is committed first: a review is a review of one document."""
    when = stamp(repo)
    hand_sign(repo, SOP1, "production-manager", key="periodic_reviews", at=when)
    hand_sign(repo, QM1, "production-manager", key="periodic_reviews", at=when)
    for rel in ((QM1, SOP1) if refused_first else (SOP1, QM1)):
        repo.become("production-manager")
        repo.commit(f"Periodic review of {rel}", rel, no_verify=True)
    refusals = [f for f in findings(repo, "verify", "--since", "adopted") if f["code"] == "QMS122"]
    assert [f["path"] for f in refusals] == [QM1]
    repo.at("2028-03-01T09:00:00")  # two years after SOP-001's effective date: overdue, unless its review counts
    found = findings(repo, "check")
    assert not any(f["code"] == "QMS060" and f["path"] == SOP1 for f in found)
    assert any(f["code"] == "QMS060" and f["path"] == QM1 for f in found)
    rows = {row["id"]: row for row in json.loads(repo.qms("list", "--format", "json", check=True).stdout)}
    assert not rows["SOP-001"]["overdue"] and rows["QM-001"]["overdue"]


# -- adoptions: which approvals every view shows as adopted --------------------------------------------------------

SOP3 = "procedures/sop/SOP-003-welding.md"
ADOPTING = ("--approval", "SOP-003:production@example.com:production-manager:2024-03-01",
            "--approval", "SOP-003:quality@example.com:quality-manager:2024-03-02T10:00:00Z",
            "--effective", "SOP-003:2024-03-15")


def import_welding(repo: Repo, commit: bool = True) -> None:
    """The author imports a welding procedure approved on paper in 2024, as a draft, and commits it (or leaves it
    for the adoption to bring in)."""
    source = repo.home / "old" / "welding.md"
    source.parent.mkdir(exist_ok=True)
    source.write_text("# Welding\n\n## Purpose\n\nHow welds are made and checked.\n")
    repo.become("author")
    repo.qms("import", str(source), check=True)
    if commit:
        repo.commit("Import the welding procedure")


def at_the_start(repo: Repo) -> None:
    import_welding(repo)


def after_verify_from(repo: Repo) -> None:
    """verify_from names the commit the baseline came in with; then SOP-001 is revised and approved in Git by its
    approvers, genuinely, before the welding procedure is imported, for the adoption to bring in."""
    verified_in_git(repo)
    import_welding(repo, commit=False)


def verified_in_git(repo: Repo) -> None:
    """verify_from names the commit the baseline came in with; SOP-001 is then revised and approved in Git."""
    adopted = repo.git("rev-parse", "adopted").stdout.strip()
    repo.become("admin")
    repo.write("qms.yml", repo.read("qms.yml") + f"verify_from: {adopted}\n")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Verify from the adoption", "-m",
             "Config-Change: verify_from names the commit the QMS came into Git with")
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Quarantine it. Record it on")
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    approve(repo, "quality-manager", "SOP-001")


def adoption_of_a_draft_written_in_git(repo: Repo) -> None:
    """After verify_from, SOP-003 is committed as a draft in Git; then an administrator "adopts" it by hand, with
    approvals dated before it existed (the change qms adopt makes, which it refuses to make here)."""
    verified_in_git(repo)
    import_welding(repo, commit=False)
    draft = repo.read(SOP3)
    repo.become("admin")
    repo.qms("adopt", *ADOPTING, check=True)
    adopted, config = repo.read(SOP3), repo.read("qms.yml")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write(SOP3, draft)
    as_(repo, "author", "Write the welding procedure")
    repo.write(SOP3, adopted)
    repo.write("qms.yml", config)


def adoption_of_a_draft_changed_in_git(repo: Repo) -> None:
    """SOP-003 is committed as a draft, verify_from is set to that commit, and the author then changes its text in
    Git; an administrator "adopts" the changed text by hand (qms adopt refuses it; test_adopt.py)."""
    import_welding(repo)
    repo.become("admin")
    repo.write("qms.yml", repo.read("qms.yml") + f"verify_from: {repo.git('rev-parse', 'HEAD').stdout.strip()}\n")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Verify from here", "-m",
             "Config-Change: verification starts with the welding draft in the QMS")
    repo.qms("adopt", *ADOPTING, check=True)
    adopted, config = repo.read(SOP3), repo.read("qms.yml")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write(SOP3, repo.read(SOP3).replace("made and checked.", "made, checked and repaired."))
    as_(repo, "author", "Rework the welding procedure")
    signed = parse_document(adopted, SOP3).item
    text = adopted.replace("made and checked.", "made, checked and repaired.")
    now = parse_document(text, SOP3).item
    assert signed is not None and now is not None
    repo.write(SOP3, text.replace(signed.approvals[0].fingerprint, now.fingerprint))
    repo.write("qms.yml", config)


def abandoned_with_other_clauses(repo: Repo) -> None:
    """The author starts revision 2 of SOP-001, then puts revision 1 back as approved, but claiming other clauses
    of the standard and other references (what qms withdraw does, with the governing keys changed)."""
    approved = repo.read(SOP1)
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", "Draft.", check=True)
    as_(repo, "author", "Start revision 2 of SOP-001")
    claimed = re.sub(r"(?m)^clauses:.*$", 'clauses: ["4.3", "9.2.2"]', approved, count=1)
    if claimed == approved:
        claimed = approved.replace("\nstatus:", '\nclauses: ["4.3", "9.2.2"]\nstatus:', 1)
    assert claimed != approved
    repo.write(SOP1, claimed)


def abandoned_revision(repo: Repo) -> None:
    """qms withdraw abandons a draft of the next revision: the document goes back exactly to revision 1."""
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", "Draft.", check=True)
    as_(repo, "author", "Start revision 2 of SOP-001")
    repo.qms("withdraw", "SOP-001", "--reason", "Not needed after all.", check=True)


def test_a_refused_copy_of_a_signature_leaves_the_original(repo: Repo) -> None:
    """A copy of an approved document, with its approval pasted in and its text changed, is refused where it is
    made (QMS120 at that commit in CI and verify); deleting the copy leaves the original's signature as it was:
    the original stays in force in every view, and the tree is clean again."""
    text = repo.read(SOP1)
    repo.write("procedures/sop/SOP-001-copy.md", text.replace("Record it on", "Skip it. Record it on"))
    as_(repo, "author", "Copy SOP-001")
    copied = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.git("rm", "-q", "procedures/sop/SOP-001-copy.md")
    as_(repo, "author", "Remove the copy")
    for view in (("check", "--base", "adopted"), ("verify", "--since", "adopted")):
        found = findings(repo, *view)
        assert any(f["code"] == "QMS120" and f["commit"] == copied for f in found), (view, found)
        assert not [f for f in found if f["path"] == SOP1 and f["severity"] == "error"], (view, found)
    assert not [f for f in findings(repo, "check") if f["path"] == SOP1 and f["severity"] == "error"]
    listed = json.loads(repo.qms("list", "--format", "json", check=True).stdout)
    assert [d["state"] for d in listed if d["id"] == "SOP-001"] == ["effective"], listed


CHART = "procedures/sop/chart.svg"


def image_drafted(repo: Repo) -> None:
    """The author starts revision 3 of SOP-001, which shows a chart, and commits the draft with the chart."""
    revise(repo, "author", "SOP-001", SOP1, "Record it on", "Read the chart.\n\n![Chart](chart.svg)\n\nRecord it on")
    repo.write(CHART, '<svg xmlns="http://www.w3.org/2000/svg"><text>10 Nm</text></svg>\n')
    as_(repo, "author", "A chart for SOP-001")


def image_changed(repo: Repo, delete: bool = False) -> None:
    """The chart of an approved revision is changed (or deleted) without a new revision."""
    image_drafted(repo)
    approve(repo, "production-manager", "SOP-001", "2026-04-01")
    approve(repo, "quality-manager", "SOP-001")
    if delete:
        repo.git("rm", "-q", CHART)
    else:
        repo.write(CHART, '<svg xmlns="http://www.w3.org/2000/svg"><text>25 Nm</text></svg>\n')


def draft_image_changed(repo: Repo) -> None:
    """The chart of a draft never approved changes as the draft does."""
    image_drafted(repo)
    repo.write(CHART, '<svg xmlns="http://www.w3.org/2000/svg"><text>12 Nm</text></svg>\n')


def image_replaced_by_a_new_revision(repo: Repo) -> None:
    """A new chart under a new name, linked from the next revision; the old chart stays for the revision in force."""
    image_changed(repo)
    repo.git("checkout", "-q", "HEAD", "--", CHART)
    repo.qms("revise", "SOP-001", "--change", "A new chart.", check=True)
    repo.edit(SOP1, "chart.svg", "chart-2.svg")
    repo.write("procedures/sop/chart-2.svg", '<svg xmlns="http://www.w3.org/2000/svg"><text>25 Nm</text></svg>\n')


@dataclass(frozen=True)
class Adoption:
    """History before an adoption of SOP-003, who commits the adoption, the verdict of every approval of each
    document in every view (revision by revision), and the finding every view reports ("": none)."""

    name: str
    build: Callable[[Repo], None]
    who: str
    verdicts: dict[str, list[list[str]]]
    code: str = ""
    doc: str = "SOP-003"


ADOPTIONS = [
    Adoption("adoption at the start", at_the_start, "admin",
             {"SOP-001": [["adopted", "adopted"]], "SOP-003": [["adopted", "adopted"]]}),
    Adoption("adoption after verify_from: earlier approvals in Git stay verified", after_verify_from, "admin",
             {"SOP-001": [["adopted", "adopted"], ["recorded", "recorded"]], "SOP-003": [["adopted", "adopted"]]}),
    Adoption("adoption committed by someone who is not an administrator", after_verify_from, "author",
             {"SOP-001": [["adopted", "adopted"], ["recorded", "recorded"]], "SOP-003": [["not valid", "not valid"]]},
             "QMS120"),
]


def history_verdicts(repo: Repo, doc_id: str) -> list[list[str]]:
    rows = json.loads(repo.qms("history", doc_id, "--format", "json", check=True).stdout)["revisions"]
    return [[approval["verdict"] for approval in row["approvals"]] for row in rows]


@pytest.mark.parametrize("case", ADOPTIONS, ids=[case.name for case in ADOPTIONS])
def test_every_view_shows_the_same_adopted_approvals(repo: Repo, case: Adoption, tmp_path: Path) -> None:
    """qms adopt makes the change; `who` commits it (with its message). The hook, CI, qms verify (from verify_from),
    qms history, the audit pack and the exported manual's control blocks agree on what was adopted."""
    case.build(repo)
    repo.become("admin")
    done = repo.qms("adopt", *ADOPTING)
    assert done.returncode == 0, done.stdout + done.stderr
    repo.git("reset", "-q", "--soft", "HEAD~1")
    repo.become(case.who)
    staged = findings(repo, "check", "--staged")
    repo.run("git", "commit", "-q", "--no-verify", "--reset-author", "-C", "ORIG_HEAD")
    sha = repo.git("rev-parse", "HEAD").stdout.strip()
    views = {"hook": (staged, ""), "CI": (findings(repo, "check", "--base", "adopted"), sha),
             "verify": (findings(repo, "verify"), sha)}
    for view, (found, commit) in views.items():
        errors = [f for f in found if f["severity"] == "error"]
        if case.code:
            assert named(found, case.code, case.doc, commit), (view, found)
        else:
            assert errors == [], (view, errors)
    pack = tmp_path / "pack"
    repo.qms("audit", "--out", str(pack), check=True)
    documents = {d["id"]: d for d in json.loads((pack / "audit.json").read_text())["documents"]}
    for doc_id, expected in case.verdicts.items():
        assert history_verdicts(repo, doc_id) == expected, doc_id
        assert [[a["verdict"] for a in row["approvals"]] for row in documents[doc_id]["revisions"]] == expected
    edition = tmp_path / "edition"
    exported = repo.qms("export", str(edition))
    if case.code:  # approvals history refused make nothing effective: the manual cannot publish the document
        assert exported.returncode != 0 and f"{case.code} approval by" in exported.stderr, exported.stderr
        assert "QMS040 status is approved, but no valid approval" in exported.stderr
        return
    assert exported.returncode == 0, exported.stderr
    page = next(edition.rglob("SOP-003-welding.md")).read_text()
    assert "adopted (made before the QMS lived in Git)" in page, page
