"""One answer to "what is in force on day D": a draft of the next revision, or a revision approved for a later
date, leaves the one before in force; an obsoletion from a later date leaves the document in force until then.
The rules (mandatory information, references), the write commands and `qms list` all read it, from real commits."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from gitrepo import Repo, adopted_repo, findings, revise
from helpers import PROJECT, QmsFolder

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
    refused = repo.qms("obsolete", "FRM-001", "--reason", "Merged into SOP-001.", "--date", "2027-03-01", "--commit")
    assert refused.returncode == 1 and "QMS052" in refused.stderr and "withdrawn on 2027-03-01" in refused.stderr
    assert repo.status() == ""  # SOP-001 would still refer to it on that day: refused before writing
    repo.become("author")  # so SOP-001 is revised first, to stop referring to it from before that day
    repo.qms("revise", "SOP-001", "--change", "The report form is merged into this procedure.", check=True)
    repo.edit(SOP1, 'references: ["FRM-001"]', "references: []")
    repo.edit(SOP1, "Record it on [FRM-001](../forms/FRM-001-nonconformity-report.md).", "Record it here.")
    repo.commit("Revise SOP-001")
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", "2027-02-01", "--commit", check=True)
    repo.become("quality-manager")
    repo.qms("approve", "SOP-001", "--commit", check=True)
    done = repo.qms("obsolete", "FRM-001", "--reason", "Merged into SOP-001.", "--date", "2027-03-01", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert errors(repo) == set()
    assert listing(repo)["FRM-001"]["in_force"] == "1"
    after = listing(repo, "--as-of", "2027-03-01")["FRM-001"]
    assert (after["in_force"], after["standing"]) == (None, "withdrawn on 2027-03-01")
    assert errors(repo, "--as-of", "2027-03-01") == set()  # nothing refers to it then


def test_text_approved_for_a_later_date_refers_only_to_what_is_in_force_then(repo: Repo) -> None:
    revise(repo, "Calibrate as in [SOP-002](SOP-002-calibration.md).", "Calibrate first.")
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", "2027-02-01", "--commit", check=True)  # not complete: no finding
    repo.become("quality-manager")
    refused = repo.qms("approve", "SOP-001", "--commit")
    assert refused.returncode == 1 and "QMS052" in refused.stderr and "on 2027-02-01" in refused.stderr
    assert repo.status() == ""  # refused before writing anything


# -- "as of D" is a snapshot, and every view reports the same revision in force ---------------------------------

@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """Adoption, a revision approved for a later date, a document created later, an obsoletion from a later date
    with its successor, and a record created later: each made on its own day."""
    base = tmp_path_factory.mktemp("timeline")
    repo = adopted_repo(base)  # adopted on 2026-03-02: QM-001 r1 (effective 2026-01-05), FRM-001 r1, SOP-001 r2
    shutil.copy(PROJECT / "mkdocs.yml", repo.root / "mkdocs.yml")
    repo.become("admin")
    repo.commit("Publish the manual", "mkdocs.yml")
    repo.at("2026-04-10T09:00:00")
    revise_form(repo, "2026-06-01")
    repo.at("2026-05-04T09:00:00")
    qms = QmsFolder(repo.root)
    qms.document("SOP-003", "Welding", status="draft", effective=None)
    repo.become("author")
    repo.commit("Draft SOP-003")
    for role, extra in (("production-manager", ("--effective", "2026-05-15")), ("quality-manager", ())):
        repo.become(role)
        repo.qms("approve", "SOP-003", *extra, "--commit", check=True)
    repo.at("2026-08-03T09:00:00")
    qms.document("SOP-004", "Welding and Brazing", status="draft", effective=None)
    repo.become("author")
    repo.commit("Draft SOP-004")
    for role, extra in (("production-manager", ("--effective", "2026-09-01")), ("quality-manager", ())):
        repo.become(role)
        repo.qms("approve", "SOP-004", *extra, "--commit", check=True)
    repo.qms("obsolete", "SOP-003", "--reason", "Replaced by SOP-004.", "--superseded-by", "SOP-004",
             "--date", "2026-09-01", "--commit", check=True)
    repo.at("2026-09-07T09:00:00")
    qms.record("NCR-002", "Scratch on cover", extra={"date": date(2026, 9, 7)})
    repo.become("quality-manager")
    repo.commit("Record a nonconformity")
    repo.at("2026-10-15T09:00:00")  # today, for every view below
    return repo


DAYS = {
    "2026-02-01": {"QM-001": "1", "FRM-001": "1", "SOP-001": "2"},  # before the adoption commit: its stated dates
    "2026-04-01": {"QM-001": "1", "FRM-001": "1", "SOP-001": "2"},
    "2026-05-20": {"QM-001": "1", "FRM-001": "1", "SOP-001": "2", "SOP-003": "1"},
    "2026-07-01": {"QM-001": "1", "FRM-001": "2", "SOP-001": "2", "SOP-003": "1"},
    "2026-09-02": {"QM-001": "1", "FRM-001": "2", "SOP-001": "2", "SOP-004": "1"},
    "2026-12-01": {"QM-001": "1", "FRM-001": "2", "SOP-001": "2", "SOP-004": "1"},  # a later day: today's files
}


@pytest.mark.parametrize("day", DAYS)
def test_every_view_shows_the_same_revisions_in_force(timeline: Repo, tmp_path: Path, day: str) -> None:
    expected = DAYS[day]
    listed = {doc_id: row["in_force"] for doc_id, row in listing(timeline, "--as-of", day).items()
              if row["in_force"] is not None}
    assert listed == expected
    assert errors(timeline, "--as-of", day) == set()  # the rules read the same: no reference or scope is missing
    out = tmp_path / "pack"
    done = timeline.qms("audit", "--out", str(out), "--as-of", day)
    assert done.returncode == 0, done.stdout + done.stderr
    pack = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert {row["id"]: row["in_force"] for row in pack["master_list"] if row["in_force"]} == expected
    records = {row["id"] for row in pack["records"]}
    assert ("NCR-002" in records) == (day >= "2026-09-07")  # records that existed on the day, no others
    assert ("NCR-001" in records) == (day >= "2026-03-01")  # before the adoption: as its stated dates say
    config = (timeline.root / "mkdocs.yml").read_text().replace("  - qms\n", f"  - qms:\n      build_date: {day}\n")
    (timeline.root / f"mkdocs-{day}.yml").write_text(config)  # beside mkdocs.yml: the plugin finds the QMS there
    built = timeline.run(str(Path(timeline.env["PATH"].split(":")[0]) / "mkdocs"), "build", "--strict", "-f",
                         f"mkdocs-{day}.yml", "-d", str(tmp_path / "site"), check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    manifest = json.loads((tmp_path / "site" / "qms-manifest.json").read_text(encoding="utf-8"))
    assert {doc["id"]: doc["revision"] for doc in manifest["documents"]} == expected
    footer = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f"Built on 2026-10-15 from commit" in footer and f"as in force on {day}" in footer


def test_history_says_when_each_revision_was_in_force(timeline: Repo) -> None:
    welding = json.loads(timeline.qms("history", "SOP-003", "--format", "json", check=True).stdout)
    assert [(r["revision"], r["in_force_from"], r["in_force_until"]) for r in welding["revisions"]] == \
        [("1", "2026-05-15", "2026-09-01")]
    assert welding["standing"] == "withdrawn on 2026-09-01, replaced by SOP-004"
    form = json.loads(timeline.qms("history", "FRM-001", "--format", "json", check=True).stdout)
    assert [(r["revision"], r["in_force_from"], r["in_force_until"]) for r in form["revisions"]] == \
        [("1", "2026-01-05", "2026-06-01"), ("2", "2026-06-01", None)]
    earlier = json.loads(timeline.qms("history", "FRM-001", "--format", "json", "--as-of", "2026-05-01",
                                      check=True).stdout)
    assert earlier["standing"] == "revision 1 in force since 2026-01-05"
    assert [r["revision"] for r in earlier["revisions"]] == ["1", "2"]  # approved on 2026-04-10, pending then


def test_the_review_due_is_of_the_revision_in_force(repo: Repo) -> None:
    repo.become("author")
    repo.qms("revise", "QM-001", "--change", "Clarified the scope.", check=True)
    repo.commit("Revise QM-001")
    repo.at("2027-01-01T09:00:00")  # revision 1's yearly review is due on 2027-01-05
    tasks = json.loads(repo.qms("inbox", "--person", "quality@example.com", "--format", "json",
                                check=True).stdout)["tasks"]
    reviews = [task for task in tasks if task["task"] == "review" and task["id"] == "QM-001"]
    assert [(task["revision"], task["due"]) for task in reviews] == [("1", "2027-01-05")]


def test_a_backdated_commit_is_reported_and_brings_nothing_into_an_earlier_day(repo: Repo) -> None:
    repo.at("2026-03-10T09:00:00")
    repo.become("author")
    repo.qms("new", "procedure", "Welding", check=True)
    repo.commit("Draft the welding procedure")
    repo.qms("new", "procedure", "Brazing", check=True)
    repo.git("add", "-A")
    backdated = "2026-03-05T09:00:00Z"
    repo.run("git", "commit", "-q", "-m", "Draft the brazing procedure", env={
        "GIT_AUTHOR_DATE": backdated, "GIT_COMMITTER_DATE": backdated})
    head = repo.git("rev-parse", "HEAD").stdout.strip()
    assert any(f["code"] == "QMS142" and f["commit"] == head for f in findings(repo, "verify", "--since", "adopted"))
    assert any(f["code"] == "QMS142" and f["commit"] == head for f in findings(repo, "check", "--base", "adopted"))
    earlier = listing(repo, "--as-of", "2026-03-06")
    assert "SOP-003" not in earlier and "SOP-004" not in earlier  # neither existed on that day
    assert {"SOP-003", "SOP-004"} <= set(listing(repo, "--as-of", "2026-03-10"))


HISTORY_ROWS = """import json, sys
from datetime import date
from qms.mkdocs import edition, pages
made = edition.make(".", edition.Options(date.fromisoformat(sys.argv[1])))
item = next(p for p in made.published.values() if p.doc.id == "FRM-001")
rows = [line.split("|")[1].strip() for line in pages.history_table(item, made.ws.config, made.ws.today)
        if line.startswith("| ") and not line.startswith(("| Revision", "| ---"))]
print(json.dumps({"published": item.doc.revision, "history": rows}))
"""


def history_rows(repo: Repo, day: str) -> dict[str, object]:
    done = repo.run(str(Path(repo.env["PATH"].split(":")[0]) / "python"), "-c", HISTORY_ROWS, day)
    return json.loads(done.stdout)


def test_the_revision_history_lists_only_versions_that_came_into_force(repo: Repo) -> None:
    revise_form(repo, "2026-06-01")
    assert history_rows(repo, "2026-05-01") == {"published": "1", "history": ["1"]}  # revision 2 is pending then
    assert history_rows(repo, "2026-06-02") == {"published": "2", "history": ["2", "1"]}
    repo.become("author")  # revision 3 marked approved by hand: no valid approval, so revision 2 stays in force
    repo.qms("revise", "FRM-001", "--change", "Added a field for the lot.", check=True)
    text = repo.read(FRM1).replace('status: "draft"', 'status: "approved"\neffective: 2026-03-10')
    repo.write(FRM1, text)
    repo.commit("Approve FRM-001 revision 3 by hand", no_verify=True)
    assert ("QMS040", FRM1) in errors(repo)
    assert listing(repo)["FRM-001"]["in_force"] == "1"  # today (2026-03-02 clock): revision 2 from June
    assert history_rows(repo, "2026-06-02") == {"published": "2", "history": ["2", "1"]}


def test_a_version_comes_into_force_no_earlier_than_the_commit_that_holds_it(repo: Repo) -> None:
    """Approvals dated back (the approver's clock, or a hand-set time) cannot make a revision effective on a day
    before it was committed: history, list --as-of and the manual read the same day in force."""
    revise(repo, "Quarantine it.", "Quarantine")
    repo.at("2026-09-01T09:00:00")
    for role, extra in (("production-manager", ("--effective", "2026-06-01")), ("quality-manager", ())):
        repo.become(role)
        done = repo.run(str(Path(repo.env["PATH"].split(":")[0]) / "qms"), "approve", "SOP-001", *extra, "--commit",
                        env={"QMS_NOW": "2026-06-01T09:00:00Z"}, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    repo.at("2026-10-01T09:00:00")
    assert listing(repo, "--as-of", "2026-07-01")["SOP-001"]["in_force"] == "2"
    assert listing(repo, "--as-of", "2026-09-02")["SOP-001"]["in_force"] == "3"
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    spans = [(r["revision"], r["in_force_from"], r["in_force_until"]) for r in history["revisions"]]
    assert ("2", "2026-01-05", "2026-09-01") in spans and ("3", "2026-09-01", None) in spans, spans


def test_a_commit_dated_before_its_parent_comes_into_force_no_earlier_than_its_parent(repo: Repo) -> None:
    """Commits backdated before the history they were made on (QMS142) cannot put a version into force before
    the commits it was made on: history, list --as-of and training agree."""
    repo.at("2026-09-01T09:00:00")
    repo.edit("procedures/sop/SOP-002-calibration.md", 'status: "draft"', 'status: "draft"\nclauses: ["7.1.5"]')
    repo.become("author")
    repo.commit("Work on a draft")  # the last commit made honestly: 2026-09-01
    back = {"GIT_COMMITTER_DATE": "2026-04-01T09:00:00Z", "GIT_AUTHOR_DATE": "2026-04-01T09:00:00Z",
            "QMS_NOW": "2026-04-01T09:00:00Z"}
    repo.become("author")
    repo.run(str(Path(repo.env["PATH"].split(":")[0]) / "qms"), "revise", "SOP-001", "--change", "Quarantine.",
             env=back)
    repo.edit(SOP1, "Record it on", "Quarantine it. Record it on")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Revise, backdated", env=back)
    for role, extra in (("production-manager", ("--effective", "2026-05-02")), ("quality-manager", ())):
        repo.become(role)
        when = {**back, "QMS_NOW": "2026-05-01T09:00:00Z", "GIT_COMMITTER_DATE": "2026-05-01T09:00:00Z",
                "GIT_AUTHOR_DATE": "2026-05-01T09:00:00Z"}
        repo.run(str(Path(repo.env["PATH"].split(":")[0]) / "qms"), "approve", "SOP-001", *extra, "--commit",
                 env=when)
    repo.at("2026-10-01T09:00:00")
    assert any(f["code"] == "QMS142" for f in findings(repo, "verify", "--since", "adopted"))
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    spans = [(r["revision"], r["in_force_from"]) for r in history["revisions"] if r["in_force_from"]]
    assert spans[-1] == ("3", "2026-09-01"), spans
    assert listing(repo, "--as-of", "2026-06-01")["SOP-001"]["in_force"] == "2"


def test_a_version_approved_on_a_branch_comes_into_force_when_it_is_merged(repo: Repo, tmp_path: Path) -> None:
    """A revision approved on a branch in March and merged in September reaches the line staff work to with the
    merge: `list --as-of`, `history`, the manual's revision history and the audit pack all say it is in force
    from the merge, not from the branch's dates (a ledger kept at the branch's tip is not extended past it)."""
    repo.at("2026-03-05T09:00:00")
    repo.git("checkout", "-q", "-b", "quarantine")
    revise(repo, "Quarantine it.", "Quarantine")
    for role, extra in (("production-manager", ("--effective", "2026-03-06")), ("quality-manager", ())):
        repo.become(role)
        repo.qms("approve", "SOP-001", *extra, "--commit", check=True)
    branch = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    assert ("3", "2026-03-06") in [(r["revision"], r["in_force_from"]) for r in branch["revisions"]]  # its own line
    repo.git("checkout", "-q", "work")
    repo.at("2026-09-01T09:00:00")
    repo.become("quality-manager")
    repo.run("git", "merge", "-q", "--no-ff", "--no-verify", "quarantine", "-m", "Merge the quarantine revision")
    repo.at("2026-10-01T09:00:00")
    assert listing(repo, "--as-of", "2026-06-01")["SOP-001"]["in_force"] == "2"
    assert listing(repo)["SOP-001"]["in_force"] == "3"
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    spans = [(r["revision"], r["in_force_from"], r["in_force_until"]) for r in history["revisions"]]
    assert ("2", "2026-01-05", "2026-09-01") in spans and ("3", "2026-09-01", None) in spans, spans
    assert history["standing"] == "revision 3 in force since 2026-09-01"
    out = tmp_path / "pack"
    done = repo.qms("audit", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    pack = (out / "revisions.csv").read_text(encoding="utf-8")
    assert any(line.startswith("SOP-001,3,approved,2026-03-06,2026-09-01,,") for line in pack.split("\n")), pack
    done = repo.qms("export", str(tmp_path / "edition"))
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "edition" / "docs" / "history" / "SOP-001.md").read_text(encoding="utf-8")
    assert "| 3 | 2026-09-01 |" in page and "2026-03-06" not in page


def test_a_commit_dated_in_the_future_is_reported_whatever_it_changed(repo: Repo) -> None:
    """One wrong clock: a commit dated next year that touches no QMS file is reported by CI and verify (QMS142),
    the honest commit made on it is not called backdated, and every view holds what came after it out of force
    alike until that date (a snapshot of the line and history read the same day)."""
    repo.at("2026-03-10T09:00:00")
    (repo.root / "NOTES.txt").write_text("notes\n", encoding="utf-8")
    repo.git("add", "NOTES.txt")
    ahead = "2027-06-01T00:00:00Z"
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Notes", env={"GIT_AUTHOR_DATE": ahead,
                                                                       "GIT_COMMITTER_DATE": ahead})
    wrong = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.at("2026-03-11T09:00:00")
    revise(repo, "Quarantine it.", "Quarantine")
    honest = repo.git("rev-parse", "HEAD").stdout.strip()
    for view in (("check", "--base", "adopted"), ("verify", "--since", "adopted")):
        found = [(f["code"], f["commit"], f["path"]) for f in findings(repo, *view) if f["code"] == "QMS142"]
        assert found == [("QMS142", wrong, "NOTES.txt")], (view, found)
        assert honest not in {commit for _code, commit, _path in found}
    for role, extra in (("production-manager", ("--effective", "2026-03-12")), ("quality-manager", ())):
        repo.become(role)
        repo.qms("approve", "SOP-001", *extra, "--commit", check=True)
    repo.at("2026-04-01T09:00:00")
    assert listing(repo, "--as-of", "2026-03-20")["SOP-001"]["in_force"] == "2"
    assert listing(repo)["SOP-001"]["in_force"] == "2"
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    assert ("3", "2027-06-01") in [(r["revision"], r["in_force_from"]) for r in history["revisions"]]


def test_a_future_author_date_is_reported_and_holds_nothing_back(repo: Repo) -> None:
    """Git orders commits by their commit date: a future author date alone is reported (QMS142, naming the
    author date) without claiming that it holds anything out of force, and it holds nothing out of force."""
    repo.at("2026-03-10T09:00:00")
    (repo.root / "NOTES.txt").write_text("notes\n", encoding="utf-8")
    repo.git("add", "NOTES.txt")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Notes", env={"GIT_AUTHOR_DATE": "2027-06-01T00:00:00Z"})
    wrong = repo.git("rev-parse", "HEAD").stdout.strip()
    revise(repo, "Quarantine it.", "Quarantine")
    for role, extra in (("production-manager", ("--effective", "2026-03-12")), ("quality-manager", ())):
        repo.become(role)
        repo.qms("approve", "SOP-001", *extra, "--commit", check=True)
    repo.at("2026-04-01T09:00:00")
    found = [f for f in findings(repo, "verify", "--since", "adopted") if f["code"] == "QMS142"]
    assert [(f["commit"], "(its author date)" in f["message"], "comes into force" in f["message"]) for f in found] \
        == [(wrong, True, False)], found
    assert listing(repo)["SOP-001"]["in_force"] == "3"
    assert listing(repo, "--as-of", "2026-03-20")["SOP-001"]["in_force"] == "3"


def test_a_document_adopted_later_is_in_force_from_the_adoption_in_every_view(repo: Repo, tmp_path: Path) -> None:
    """Once verify_from is set, an adoption's stated effective date (2024) does not reach back before the commit
    that brought the document into the QMS: history, the audit pack and list --as-of agree on the day."""
    adopted = repo.git("rev-parse", "adopted").stdout.strip()
    repo.become("admin")
    repo.write("qms.yml", repo.read("qms.yml") + f"verify_from: {adopted}\n")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Verify from the adoption", "-m",
             "Config-Change: verify_from names the commit the QMS came into Git with")
    source = repo.home / "old" / "welding.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("# Welding\n\n## Purpose\n\nHow welds are made and checked.\n", encoding="utf-8")
    repo.at("2026-05-04T09:00:00")
    repo.become("author")
    repo.qms("import", str(source), check=True)
    repo.become("admin")
    done = repo.qms("adopt", "--approval", "SOP-003:production@example.com:production-manager:2024-03-01",
                    "--approval", "SOP-003:quality@example.com:quality-manager:2024-03-02T10:00:00Z",
                    "--effective", "SOP-003:2024-03-15")
    assert done.returncode == 0, done.stdout + done.stderr
    repo.at("2026-06-01T09:00:00")
    history = json.loads(repo.qms("history", "SOP-003", "--format", "json", check=True).stdout)
    assert [(r["effective"], r["in_force_from"]) for r in history["revisions"]] == [("2024-03-15", "2026-05-04")]
    assert "SOP-003" not in listing(repo, "--as-of", "2026-05-01")
    assert listing(repo, "--as-of", "2026-05-05")["SOP-003"]["in_force"] == "1"
