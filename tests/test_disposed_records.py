"""A link from a kept record to a record disposed of lawfully is not an error (records never change, so the link
cannot be taken out); a link to a record deleted unlawfully, or to a file that never existed, still is."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import Repo, findings, starter_repo, verify_all_history

AUD1 = "records/audits/AUD-001-internal-audit-of-production-april-2026.md"
NCR2 = "records/nonconformities/NCR-002-uncalibrated-gauge-in-use.md"
CAL1 = "records/calibration/CAL-001-micrometer-set-calibration.md"
LOG = "records/disposition-log.csv"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = starter_repo(tmp_path / "qms", tmp_path / "home")
    repo.become("quality-manager")
    return repo


def link_errors(repo: Repo, *args: str) -> list[dict[str, object]]:
    return [f for f in findings(repo, "check", *args) if f["code"] in ("QMS051", "QMS085") and f["severity"] == "error"]


def test_records_that_link_to_each_other_can_be_disposed_of(repo: Repo) -> None:
    """The starter's AUD-001 and NCR-002 link to each other, and CAL-001 to NCR-002: each can go in turn."""
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.at("2040-01-01")  # every starter record is past its retention
    first = repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"{NCR2}: NCR-002 refers to AUD-001, which is now disposed of" in first.stdout
    for record_id in ("NCR-002", "CAL-001"):
        done = repo.qms("dispose", record_id, "--reason", "Retention ended.", "--commit")
        assert done.returncode == 0, done.stdout + done.stderr
    assert not (repo.root / AUD1).exists() and not (repo.root / NCR2).exists() and not (repo.root / CAL1).exists()
    assert link_errors(repo) == []
    assert [f for f in findings(repo, "check", "--base", start) if f["severity"] == "error"] == []
    due = repo.qms("records", "--due", check=True).stdout
    assert "AUD-001" not in due and "NCR-002" not in due and "CAL-001" not in due


def test_the_manual_builds_after_the_disposal(repo: Repo, tmp_path: Path) -> None:
    """The edition runs the same rules: a strict export is not refused by a link to a record disposed of."""
    repo.at("2040-01-01")
    repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit", check=True)
    done = repo.qms("export", str(tmp_path / "edition"))  # refused for the starter's verify_from alone
    assert "verify_from" in done.stderr and "QMS051" not in done.stdout + done.stderr


def test_a_record_deleted_without_disposal_still_breaks_the_link(repo: Repo) -> None:
    repo.git("rm", "-q", AUD1)
    repo.commit("Delete AUD-001", no_verify=True)
    assert [f["path"] for f in link_errors(repo)] == [NCR2]


def test_a_disposal_logged_before_retention_ended_still_breaks_the_link(repo: Repo) -> None:
    """The log itself says the record was removed before its retention ended: that is no lawful disposal."""
    repo.at("2030-01-01")
    log = repo.read(LOG) if (repo.root / LOG).exists() else \
        "id,path,title,type,date,retain_until,disposed_at,name,email,reason\n"
    repo.git("rm", "-q", AUD1)
    repo.write(LOG, log + f"AUD-001,{AUD1},Audit,audit,2026-04-14,2032-04-14,2030-01-01T09:00:00Z,Dana Quality,"
               "quality@example.com,Early.\n")
    repo.git("add", "-A")
    staged = findings(repo, "check", "--staged")
    assert any(f["code"] == "QMS112" for f in staged)
    assert any(f["code"] == "QMS051" and f["path"] == NCR2 for f in staged)
    refused = repo.qms("check")
    assert refused.returncode == 1 and f"{NCR2}:" in refused.stdout and "QMS051" in refused.stdout


def test_a_link_to_a_file_that_never_existed_is_still_reported(repo: Repo) -> None:
    repo.at("2040-01-01")
    repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit", check=True)
    repo.write("records/nonconformities/NCR-009-new.md", "---\nid: NCR-009\ntitle: New\ntype: nonconformity\n"
               "date: 2040-01-01\nowner: quality-manager\nprocedure: SOP-005\n---\n# New\n\n"
               "See [the audit](../audits/AUD-009-never.md).\n")
    found = link_errors(repo)
    assert [f["path"] for f in found] == ["records/nonconformities/NCR-009-new.md"]


def test_a_disposal_committed_before_retention_ended_still_breaks_the_link(repo: Repo) -> None:
    """The log says 2040, but the commit that deleted the record was made today, before its retention ended
    (QMS112): history judges the disposal by its commit, so the link from NCR-002 stays broken in every view."""
    verify_all_history(repo)
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.become("quality-manager")
    qms = str(Path(repo.env["PATH"].split(":")[0]) / "qms")
    repo.run(qms, "dispose", "AUD-001", "--reason", "Early.", "--commit", env={"QMS_NOW": "2040-01-01T09:00:00Z"})
    assert any(f["code"] == "QMS112" for f in findings(repo, "check", "--base", start))
    assert [f["path"] for f in link_errors(repo)] == [NCR2]


def test_a_log_that_is_not_utf8_is_reported_and_never_appended_to(repo: Repo) -> None:
    """Appending to it would write its bad bytes back replaced: qms dispose refuses and writes nothing."""
    data = (repo.root / LOG).read_bytes() if (repo.root / LOG).exists() else b"id,path\n"
    (repo.root / LOG).write_bytes(data + b"NCR-9,records/x.md,Caf\xe9\n")
    repo.commit("A log saved in Latin-1", no_verify=True)
    assert "QMS001" in [f["code"] for f in findings(repo, "check") if f["path"] == LOG]
    repo.at("2040-01-01")
    before = (repo.root / LOG).read_bytes()
    refused = repo.qms("dispose", "AUD-001", "--reason", "Retention ended.")
    assert refused.returncode == 1 and f"{LOG}:" in refused.stderr and "QMS001" in refused.stderr, refused.stderr
    assert (repo.root / LOG).read_bytes() == before and (repo.root / AUD1).exists()


def test_a_record_disposed_of_lawfully_can_be_corrected_by_the_write_command(repo: Repo) -> None:
    """qms record new --corrects accepts what the hook accepts: a correction of a record disposed of lawfully."""
    repo.at("2040-01-01")
    repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit", check=True)
    done = repo.qms("record", "new", "audit-report", "Correction of the April audit", "--corrects", "AUD-001")
    assert done.returncode == 0, done.stdout + done.stderr
    refused = repo.qms("record", "new", "audit-report", "Correction of nothing", "--corrects", "AUD-099")
    assert refused.returncode != 0 and "--corrects AUD-099 does not exist" in refused.stderr


def test_two_disposals_in_one_change_are_one_change_in_every_view(repo: Repo) -> None:
    """qms dispose twice before one commit: the second is judged with the first (the log states both), as the hook,
    CI and verify judge the commit that holds both."""
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.at("2040-01-01")
    for record_id in ("CAL-001", "AUD-001"):
        done = repo.qms("dispose", record_id, "--reason", "Retention ended.")
        assert done.returncode == 0, done.stdout + done.stderr
    repo.commit("Dispose of two records")
    for view in (("verify", "--since", start), ("check", "--base", start)):
        assert [f for f in findings(repo, *view) if f["severity"] == "error"] == [], view


def test_an_attachment_goes_only_with_the_record_that_links_to_it(repo: Repo) -> None:
    """A log row naming another record's file as part of a disposal removes nothing lawfully (QMS112)."""
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.at("2040-01-01")
    repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", check=True)
    log = (repo.root / LOG).read_text()
    row = next(line for line in log.split("\n") if line.startswith("AUD-001,"))
    (repo.root / LOG).write_text(log + row.replace(AUD1, "records/calibration/CAL-001-results.csv", 1) + "\n")
    (repo.root / "records/calibration/CAL-001-results.csv").unlink()
    repo.commit("Dispose of the audit, and of a file it does not hold", no_verify=True)
    for view in (("verify", "--since", start), ("check", "--base", start)):
        assert any(f["code"] == "QMS112" and f["path"] == "records/calibration/CAL-001-results.csv"
                   for f in findings(repo, *view)), view


def test_disposals_made_on_two_branches_merge_cleanly(repo: Repo) -> None:
    """Each branch's disposal is judged in its own commit; the merge that keeps both log rows adds nothing."""
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.at("2040-01-01")
    repo.git("checkout", "-q", "-b", "other")
    repo.qms("dispose", "CAL-001", "--reason", "Retention ended.", "--commit", check=True)
    repo.git("checkout", "-q", "-")
    repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit", check=True)
    merged = repo.run("git", "merge", "-q", "--no-ff", "--no-verify", "other", "-m", "Merge", check=False)
    if merged.returncode != 0:  # the log conflicts: keep both rows, as anyone would
        ours = repo.git("show", f"HEAD:{LOG}").stdout
        theirs = repo.git("show", f"other:{LOG}").stdout
        (repo.root / LOG).write_text(ours + "".join(line + "\n" for line in theirs.split("\n")[1:] if line and
                                                    line not in ours))
        repo.git("add", LOG)
        repo.run("git", "commit", "-q", "--no-verify", "-m", "Merge")
    for view in (("verify", "--since", start), ("check", "--base", start)):
        assert [f for f in findings(repo, *view) if f["severity"] == "error"] == [], view


def test_a_log_without_a_final_newline_gets_its_row_on_a_line_of_its_own(repo: Repo) -> None:
    repo.at("2040-01-01")
    repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit", check=True)
    (repo.root / LOG).write_text((repo.root / LOG).read_text().rstrip("\n"))
    repo.commit("Saved by an editor that drops the last line end", no_verify=True)
    repo.qms("dispose", "CAL-001", "--reason", "Retention ended.", "--commit", check=True)
    lines = (repo.root / LOG).read_text().split("\n")
    assert any(line.startswith("AUD-001,") for line in lines) and any(line.startswith("CAL-001,") for line in lines)


def test_a_commit_day_is_a_utc_day_in_every_view(repo: Repo) -> None:
    """Evening work west of UTC: the record qms record new dates by the UTC day is not 'dated after it was
    committed' for CI and verify, which read the commit's day in UTC too."""
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    evening = {"QMS_NOW": "2026-12-02T03:00:00Z", "GIT_AUTHOR_DATE": "2026-12-01T22:00:00-05:00",
               "GIT_COMMITTER_DATE": "2026-12-01T22:00:00-05:00"}
    qms = str(Path(repo.env["PATH"].split(":")[0]) / "qms")
    repo.run(qms, "record", "new", "nonconformity", "Late shift scratch", env=evening)
    repo.git("add", "-A")
    repo.run("git", "commit", "-q", "-m", "Record the late shift's scratch", env=evening)
    repo.at("2026-12-03")
    for view in (("verify", "--since", start), ("check", "--base", start)):
        assert not [f for f in findings(repo, *view) if f["code"] == "QMS142"], view


def test_a_title_with_a_carriage_return_is_logged_on_one_line(repo: Repo) -> None:
    """A record whose quoted title holds a carriage return: qms dispose logs it on one line, and every view still
    reads the log."""
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    text = (repo.root / AUD1).read_text()
    title = next(line for line in text.split("\n") if line.startswith("title:"))
    (repo.root / AUD1).write_text(text.replace(title, 'title: "Internal audit\\rof production"', 1))
    repo.commit("A title with a carriage return", no_verify=True)
    repo.at("2040-01-01")
    done = repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AUD-001,records/audits/" in (repo.root / LOG).read_text() and "\r" not in (repo.root / LOG).read_text()
    for command in (("check",), ("records",), ("verify", "--since", start), ("check", "--base", start)):
        ran = repo.qms(*command)
        assert ran.returncode in (0, 1) and "internal error" not in ran.stderr, ran.stderr


def test_the_id_of_a_record_disposed_of_is_never_given_again(repo: Repo) -> None:
    """qms record new skips it, and a record written by hand with it is QMS032 in every view."""
    start = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.at("2040-01-01")
    repo.qms("dispose", "AUD-001", "--reason", "Retention ended.", "--commit", check=True)
    created = repo.qms("record", "new", "audit-report", "Internal audit of assembly", check=True)
    assert "AUD-001" not in created.stdout
    for path in (repo.root / "records" / "audits").glob("AUD-*-internal-audit-of-assembly.md"):
        path.unlink()
    text = repo.git("show", f"HEAD~1:{AUD1}").stdout.replace("Internal audit of production", "Another audit", 1)
    (repo.root / "records/audits/AUD-001-another-audit.md").write_text(text)
    repo.commit("A record with a disposed id, by hand", no_verify=True)
    for view in (("check",), ("check", "--base", start)):
        assert any(f["code"] == "QMS032" and f["path"] == "records/audits/AUD-001-another-audit.md"
                   for f in findings(repo, *view)), view
