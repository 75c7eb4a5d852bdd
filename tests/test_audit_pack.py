"""qms audit: the offline audit pack (HTML, JSON valid against its schema, CSV, redlines) from an honest history
with one tampered record, judged as of a day when a periodic review is overdue."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import chrome, chromium_missing, serve
from gitrepo import Repo, approve_all, revise
from helpers import PROJECT, baseline
from jsonschema import Draft202012Validator
from selenium.webdriver.common.by import By

SOP1 = "procedures/sop/SOP-001-nonconformity.md"
NCR1 = "records/ncr/NCR-001.md"
AS_OF = "2027-06-01"  # QM-001 (12-month review from 2026-01-05) is overdue then
ODD_TITLE = 'Torque <b>tools</b> & "gauges"'
FILES = ("index.html", "audit.json", "master-list.csv", "revisions.csv", "records.csv", "findings.csv",
         "clause-matrix.csv", "overdue-reviews.csv", "config-history.csv", "training-matrix.csv",
         "redlines/SOP-001-r3-r4.html",
         "pdf/FRM-001.pdf", "pdf/QM-001.pdf", "pdf/SOP-001.pdf", "pdf/manual.pdf")  # drafts have no PDF




@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path, dict[str, str]]:
    """Adoption, SOP-001 revised twice and approved, verify_from set, then a record modified; the pack."""
    base = tmp_path_factory.mktemp("audit")
    repo = Repo(base / "qms", base / "home")
    baseline(repo.root).document("FRM-002", ODD_TITLE, status="draft", effective=None, name="FRM-002-torque")
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt the QMS")
    adopted = repo.git("rev-parse", "HEAD").stdout.strip()
    revise(repo, "Quarantine the part.", "Quarantine first.")
    approve_all(repo, "2026-03-05")
    revise(repo, "Label it red.", "Red labels.")
    approve_all(repo, "2026-04-01")
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.write("qms.yml", repo.read("qms.yml") + f"verify_from: {adopted}\n")
    repo.commit("Verify history from the adoption")
    repo.become("author")
    repo.edit(NCR1, "Found and contained.", "Found, contained and scrapped.")
    repo.commit("Touch up NCR-001")
    shas = {"adopted": adopted, "tamper": repo.git("rev-parse", "HEAD").stdout.strip()}
    out = base / "pack"
    shas["generated"] = repo.clock.strftime("%Y-%m-%dT%H:%M:%SZ")  # the tool's clock as the pack is made
    result = repo.qms("audit", "--out", str(out), "--as-of", AS_OF)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"wrote {out / 'index.html'}" in result.stdout
    return repo, out, shas


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_pack_has_every_file_and_json_matches_the_schema(pack: tuple[Repo, Path, dict[str, str]]) -> None:
    _repo, out, shas = pack
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(FILES)
    data = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    schema = json.loads((PROJECT / "tools/qms/schemas/audit-pack.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(data)]
    assert not errors, errors
    summary = data["summary"]
    assert (data["schema"], data["version"]) == ("qms-audit-pack", 1)
    assert (summary["organisation"], summary["as_of"]) == ("Test Works Ltd", AS_OF)
    assert (summary["head"], summary["verify_from"]) == (shas["tamper"], shas["adopted"])
    assert summary["generated_at"] == shas["generated"]  # the tool's clock (QMS_NOW), as every other view reads it
    assert summary["counts"]["redlines"] == 1 and summary["counts"]["overdue_reviews"] == 1
    assert [(p["id"], p["revision"], p["path"]) for p in data["pdfs"]] == [
        ("FRM-001", "1", "pdf/FRM-001.pdf"), ("QM-001", "1", "pdf/QM-001.pdf"), ("SOP-001", "4", "pdf/SOP-001.pdf"),
        (None, None, "pdf/manual.pdf")]
    broken = dict(data, summary=dict(summary, head="HEAD"))  # the schema is strict enough to catch this
    assert not Draft202012Validator(schema).is_valid(broken)


def test_csv_files(pack: tuple[Repo, Path, dict[str, str]]) -> None:
    _repo, out, shas = pack
    master = read_csv(out / "master-list.csv")
    assert master[0] == ["id", "title", "type", "revision", "state", "owner", "effective", "next_review", "overdue",
                         "path"]
    assert [row[0] for row in master[1:]] == ["FRM-001", "FRM-002", "QM-001", "SOP-001", "SOP-002"]
    revisions = read_csv(out / "revisions.csv")
    header = revisions[0]
    assert header[:2] == ["id", "revision"] and {"approval_name", "verification", "approval_commit"} <= set(header)
    sop = [dict(zip(header, row)) for row in revisions[1:] if row[0] == "SOP-001"]
    assert [(r["revision"], r["approval_name"], r["verification"]) for r in sop] == [
        ("2", "Pat Production", "adopted"), ("2", "Dana Quality", "adopted"),
        ("3", "Pat Production", "recorded"), ("3", "Dana Quality", "recorded"),
        ("4", "Pat Production", "recorded"), ("4", "Dana Quality", "recorded")]
    assert [dict(zip(header, r))["approval_name"] for r in revisions[1:] if r[0] == "SOP-002"] == [""]
    records = read_csv(out / "records.csv")
    assert records[1][0] == "NCR-001" and records[1][records[0].index("retain_until")] == "2032-03-01"
    findings = [dict(zip(read_csv(out / "findings.csv")[0], row)) for row in read_csv(out / "findings.csv")[1:]]
    assert {"source": "history", "code": "QMS110", "commit": shas["tamper"]}.items() <= \
        next(f for f in findings if f["code"] == "QMS110").items()
    assert any(f["code"] == "QMS060" and f["source"] == "check" and "QM-001" in f["path"] for f in findings)
    matrix = {row[0]: row for row in read_csv(out / "clause-matrix.csv")[1:]}
    assert matrix["10.2"][2:] == ["FRM-001; SOP-001", "no"] and matrix["4.1"][2:] == ["", "yes"]
    overdue = read_csv(out / "overdue-reviews.csv")
    assert overdue[0] == ["id", "title", "owner", "effective", "next_review", "days_overdue"]
    assert overdue[1:] == [["QM-001", "Quality Manual", "quality-manager", "2026-01-05", "2027-01-05", "147"]]


def test_redline_and_html_are_offline_and_escaped(pack: tuple[Repo, Path, dict[str, str]]) -> None:
    _repo, out, _shas = pack
    redline = (out / "redlines/SOP-001-r3-r4.html").read_text(encoding="utf-8")
    assert re.search(r"<ins>[^<]*Label it red[^<]*</ins>", redline) and "<del>" in redline
    page = (out / "index.html").read_text(encoding="utf-8")
    for text in (redline, page):
        assert "http://" not in text and "https://" not in text
        assert not re.search(r"<script|<link|<img|@import|url\(", text, re.IGNORECASE)
    assert 'href="redlines/SOP-001-r3-r4.html"' in page
    assert "Torque &lt;b&gt;tools&lt;/b&gt; &amp; &quot;gauges&quot;" in page and "<b>tools" not in page
    assert re.search(r'<span class="gap">Gap</span>', page) and ">not verified<" not in page


def test_refuses_a_folder_that_is_not_empty_and_usage_errors(pack: tuple[Repo, Path, dict[str, str]],
                                                              tmp_path: Path) -> None:
    repo, _out, _shas = pack
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = repo.qms("audit", "--out", str(target))
    assert result.returncode == 2 and "not empty" in result.stderr, result.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"] and sorted(p.name for p in tmp_path.iterdir()) == ["busy"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert repo.qms("audit", "--out", str(empty)).returncode == 0 and (empty / "audit.json").is_file()
    assert repo.qms("audit").returncode == 2
    plain = tmp_path / "plain"
    plain.mkdir()
    baseline(plain)
    result = repo.qms("audit", "-C", str(plain), "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "not inside a Git repository" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def page_url(pack: tuple[Repo, Path, dict[str, str]]) -> Iterator[str]:
    missing = chromium_missing()
    if missing:
        pytest.fail(f"browser tests need Chromium: {missing}", pytrace=False)
    with serve(pack[1]) as url:
        yield url + "index.html"


def test_index_renders_in_a_browser(page_url: str) -> None:
    with chrome() as driver:
        driver.get(page_url)
        assert driver.title == f"Audit pack: Test Works Ltd, as of {AS_OF}"
        rows = driver.find_elements(By.CSS_SELECTOR, "#master-list tbody tr")
        assert [row.find_element(By.TAG_NAME, "td").text for row in rows] == [
            "FRM-001", "FRM-002", "QM-001", "SOP-001", "SOP-002"]
        assert rows[1].find_elements(By.TAG_NAME, "td")[1].text == ODD_TITLE


def test_redline_opens_in_a_browser(page_url: str) -> None:
    """The redline of SOP-001 renders its insertions and deletions, self-contained."""
    with chrome() as driver:
        driver.get(page_url.replace("index.html", "redlines/SOP-001-r3-r4.html"))
        assert driver.title == "SOP-001: revision 3 to 4"
        inserted = [element.text for element in driver.find_elements(By.TAG_NAME, "ins")]
        deleted = [element.text for element in driver.find_elements(By.TAG_NAME, "del")]
        assert any("Label it red" in text for text in inserted) and deleted
        colour = driver.find_element(By.CSS_SELECTOR, "pre ins").value_of_css_property("background-color")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # the page's own style applies


def test_a_failure_midway_leaves_no_pack(pack: tuple[Repo, Path, dict[str, str]], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A disk error while the pack is being written leaves neither the pack nor its temporary folder."""
    from qms.cli import main
    from qms.commands import audit
    from qms.model import writer

    assert audit.write_folder is writer.write_folder  # imported before the patch, so no module keeps the fake
    repo = pack[0]
    written: list[str] = []

    def failing(path: str, data: bytes) -> None:
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(path)
        Path(path).write_bytes(data)

    monkeypatch.setattr(writer, "write_new", failing)
    target = tmp_path / "pack"
    assert main(["audit", "-C", str(repo.root), "--out", str(target), "--as-of", AS_OF]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert len(written) == 3 and list(tmp_path.iterdir()) == []
