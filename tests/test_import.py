"""qms import: a corpus written for the tests (Markdown without front matter, Word files made here with
python-docx, duplicate titles) planned, corrected, imported as drafts, never overwriting, all or nothing."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document as Word
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.shared import OxmlElement, qn
from docx.shared import Inches
from gitrepo import Repo
from helpers import baseline

from qms.model import writer

AUDIT = "# Internal Audit\n\n| ISO 9001 clause | Title |\n|---|---|\n| 9.2.1 | Internal audit |\n| 9.2.2 | Programme |" \
        "\n\n1. Plan the audit.\n2. Audit.\n\n![flow](img/flow.png)\n"
CHECKLIST = "---\ntitle: Internal Audit\nauthor: Someone Else\n---\nAsk each question.\n"


def png() -> bytes:
    """A real 2x2 PNG, written by hand."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def word_file(path: Path, comment: bool = False, link: str | None = None) -> None:
    """A Word procedure: headings, a numbered list, a clause table, an image (and a reviewer's comment, and a
    hyperlink to another file by its relative name)."""
    doc = Word()
    doc.add_heading("Calibration of Torque Tools", 1)
    doc.add_heading("Purpose", 2)
    doc.add_paragraph("Torque tools are calibrated every six months.")
    for step in ("Take the tool out of use.", "Check it on the bench.", "Record the result."):
        doc.add_paragraph(step, style="List Number")
    table = doc.add_table(rows=2, cols=2)
    for row, (a, b) in enumerate([("Clause", "Title"), ("7.1.5", "Monitoring and measuring resources")]):
        table.cell(row, 0).text, table.cell(row, 1).text = a, b
    doc.add_picture(io.BytesIO(png()), width=Inches(1))
    see = doc.add_paragraph("See step 3.")
    if comment:
        doc.add_comment(see.runs, text="Is this right?", author="Reviewer")
    if link:
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), see.part.relate_to(link, RT.HYPERLINK, is_external=True))
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.text = "the related procedure"
        run.append(text)
        hyperlink.append(run)
        doc.add_paragraph("Read ")._p.append(hyperlink)
    doc.save(str(path))


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Repo, Path]:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin")
    repo.commit("Adopt", no_verify=True)
    source = tmp_path / "old"
    (source / "img").mkdir(parents=True)
    (source / "audit.md").write_text(AUDIT)
    (source / "img" / "flow.png").write_bytes(png())
    (source / "checklist.md").write_text(CHECKLIST)
    word_file(source / "Calibration.docx", comment=True)
    repo.become("author")
    return repo, source


def files(repo: Repo) -> set[str]:
    return {str(p.relative_to(repo.root)) for p in (repo.root / "procedures").rglob("*") if p.is_file()}


def test_dry_run_shows_the_plan_and_writes_nothing(corpus: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, source = corpus
    before = files(repo)
    done = repo.qms("import", str(source), "--dry-run", "--plan", str(tmp_path / "plan.csv"))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["source", "id", "type", "title", "owner", "clauses", "path"]
    plan = {row["source"]: row for row in csv.DictReader((tmp_path / "plan.csv").open())}
    calibration = plan[str(source / "Calibration.docx")]
    assert (calibration["id"], calibration["type"], calibration["title"], calibration["clauses"]) == \
        ("SOP-003", "procedure", "Calibration of Torque Tools", "7.1.5")
    audit, checklist = plan[str(source / "audit.md")], plan[str(source / "checklist.md")]
    assert (audit["id"], audit["title"], audit["clauses"], audit["owner"]) == \
        ("SOP-004", "Internal Audit", "9.2.1 9.2.2", "quality-manager")
    assert (checklist["id"], checklist["type"], checklist["title"]) == ("FRM-002", "form", "Internal Audit")
    assert checklist["notes"] == f"same title as {source / 'audit.md'}"
    assert ": QMS172 warning: 1 comments not carried over" in done.stderr
    assert files(repo) == before and repo.status() == ""


def test_import_writes_drafts_with_the_text_unchanged(corpus: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, source = corpus
    repo.qms("import", str(source), "--dry-run", "--plan", str(tmp_path / "plan.csv"), check=True)
    plan = (tmp_path / "plan.csv").read_text().replace(
        f"{source / 'checklist.md'},FRM-002,form,Internal Audit,", f"{source / 'checklist.md'},,form,Audit "
        "Checklist,")
    (tmp_path / "plan.csv").write_text(plan)
    done = repo.qms("import", str(source), "--mapping", str(tmp_path / "plan.csv"))
    assert done.returncode == 0, done.stdout + done.stderr
    audit = repo.read("procedures/sop/SOP-004-internal-audit.md")
    assert audit.startswith('---\nid: SOP-004\ntitle: "Internal Audit"\ntype: procedure\nowner: quality-manager\n'
                            'revision: 1\nstatus: draft\nclauses: ["9.2.1", "9.2.2"]\n')
    assert audit.endswith("---\n" + AUDIT)  # the text as it was
    assert (repo.root / "procedures/sop/img/flow.png").read_bytes() == png()
    checklist = repo.read("procedures/forms/FRM-002-audit-checklist.md")
    assert '# imported from' in checklist and '#   author: "Someone Else"' in checklist  # kept, as a comment
    assert checklist.endswith("---\nAsk each question.\n")
    word = repo.read("procedures/sop/SOP-003-calibration-of-torque-tools.md")
    for kept in ("\n# Calibration of Torque Tools\n", "\n## Purpose\n", "1.  Take the tool out of use.",
                 "3.  Record the result.", "| 7.1.5  | Monitoring and measuring resources |",
                 "![](SOP-003-calibration-of-torque-tools-media/image1.png)", "See step 3."):
        assert kept in word, word
    assert (repo.root / "procedures/sop/SOP-003-calibration-of-torque-tools-media/image1.png").read_bytes()[:4] == \
        b"\x89PNG"
    check = repo.qms("check")
    assert check.returncode == 0, check.stdout + check.stderr
    repo.commit("Import the old procedures")
    assert repo.qms("list", "--format", "json", check=True).stdout.count('"state": "draft"') == 4


def test_import_never_overwrites(corpus: tuple[Repo, Path]) -> None:
    repo, source = corpus
    repo.write("procedures/sop/img/flow.png", "someone else's picture")
    done = repo.qms("import", str(source / "audit.md"))
    assert done.returncode == 1
    assert "QMS173 procedures/sop/img/flow.png already exists, so" in done.stderr
    assert repo.read("procedures/sop/img/flow.png") == "someone else's picture"
    assert not (repo.root / "procedures/sop/SOP-003-internal-audit.md").exists()


def test_each_file_is_imported_whole_or_not_at_all(corpus: tuple[Repo, Path], monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The disk fills while the document of audit.md is written, after its image: neither is left."""
    repo, source = corpus
    from qms.cli import main

    real = os.link

    def full_disk(src: str, dst: str) -> None:
        if dst.endswith("internal-audit.md"):
            raise OSError(28, "No space left on device", dst)
        real(src, dst)

    monkeypatch.setattr(writer.os, "link", full_disk)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(repo.home / ".gitconfig"))
    monkeypatch.setenv("QMS_NOW", "2026-03-03T09:00:00Z")
    before = files(repo)
    assert main(["import", str(source / "audit.md"), "-C", str(repo.root)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert files(repo) == before  # not the image, not the document, no temporary file


@pytest.mark.parametrize("name,content,message", [
    ("notes.txt", b"plain", "QMS171 neither Markdown (.md) nor Word (.docx)"),
    ("broken.docx", b"not a zip", "QMS171 not a Word .docx file"),
    ("latin.md", "Caf\xe9".encode("latin-1"), "QMS001 not valid UTF-8"),
    ("bad.md", b"---\ntitle: [unclosed\n---\nText\n", "QMS012"),
])
def test_unreadable_sources_are_reported_and_nothing_is_written(corpus: tuple[Repo, Path], name: str,
                                                                content: bytes, message: str) -> None:
    repo, source = corpus
    (source / name).write_bytes(content)
    before = files(repo)
    done = repo.qms("import", str(source / name), str(source / "audit.md"))
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and files(repo) == before


def test_a_draft_over_the_size_limit_is_not_written(corpus: tuple[Repo, Path]) -> None:
    """qms check would refuse a document over limits.max_document_kb (QMS002): import does not write it."""
    repo, source = corpus
    (source / "big.md").write_text("# Big procedure\n\n" + "Step text. " * 60_000 + "\n", encoding="utf-8")
    before = files(repo)
    done = repo.qms("import", str(source / "big.md"))
    assert done.returncode == 1 and "QMS002 file is" in done.stderr and "over the 512 KB limit" in done.stderr
    assert "Traceback" not in done.stderr and files(repo) == before


def test_word_files_of_the_same_name_keep_their_own_images(corpus: tuple[Repo, Path], tmp_path: Path) -> None:
    """Two sites' "Calibration.docx": each draft's images go in a folder named after the draft, never shared."""
    repo, source = corpus
    other = tmp_path / "site-b"
    other.mkdir()
    word_file(other / "Calibration.docx", comment=False)
    done = repo.qms("import", str(source / "Calibration.docx"), str(other / "Calibration.docx"))
    assert done.returncode == 0, done.stdout + done.stderr
    media = sorted(p.parent.name for p in (repo.root / "procedures/sop").rglob("image1.png"))
    assert media == ["SOP-003-calibration-of-torque-tools-media", "SOP-004-calibration-of-torque-tools-media"], media
    assert "](SOP-004-calibration-of-torque-tools-media/image1.png)" in repo.read(
        "procedures/sop/SOP-004-calibration-of-torque-tools.md")


def test_an_image_with_a_space_in_its_name_is_copied(corpus: tuple[Repo, Path]) -> None:
    repo, source = corpus
    (source / "img" / "flow chart.png").write_bytes(png())
    (source / "spaced.md").write_text("# Spaced\n\n![chart](img/flow chart.png)\n")
    done = repo.qms("import", str(source / "spaced.md"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo.root / "procedures/sop/img/flow chart.png").read_bytes() == png()


def test_a_wrong_mapping_is_refused(corpus: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, source = corpus
    (tmp_path / "plan.csv").write_text(f"source,id,type,owner,clauses\n{source / 'audit.md'},QM-7,procedure,boss,"
                                       "9.9\n")
    done = repo.qms("import", str(source / "audit.md"), "--mapping", str(tmp_path / "plan.csv"))
    assert done.returncode == 1
    for problem in ("QMS174 id 'QM-7' does not fit type procedure", "QMS174 unknown owner role 'boss'",
                    "QMS174 '9.9' is not an ISO 9001:2015 clause"):
        assert problem in done.stderr
    assert not (repo.root / "procedures/sop/SOP-003-internal-audit.md").exists()


def test_word_losses_are_counted(tmp_path: Path) -> None:
    """Tracked changes, embedded objects and fields, written into the XML by hand."""
    from qms.model.word import word_source

    plain = tmp_path / "plain.docx"
    word_file(plain)
    assert word_source(str(plain), "plain-media").losses == ()
    marked = tmp_path / "marked.docx"
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(marked, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:t>See step 3.</w:t>", b'<w:t>See step 3.</w:t></w:r><w:ins w:id="9" '
                                    b'w:author="R" w:date="2026-01-01T00:00:00Z"><w:r><w:t> Now.</w:t></w:r></w:ins>'
                                    b'<w:fldSimple w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r>'
                                    b'<w:object/><w:t></w:t>')
            new.writestr(item, data)
    found = {f.message for f in word_source(str(marked), "marked-media").losses}
    assert found == {"1 tracked changes not carried over", "1 fields not carried over",
                     "1 embedded objects not carried over"}


def test_symbolic_links_are_never_followed(corpus: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, source = corpus
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nNot for the QMS.\n")
    (source / "linked.md").symlink_to(secret)
    before = repo.status()
    refused = repo.qms("import", str(source / "linked.md"))
    assert refused.returncode == 2 and "symbolic link" in refused.stderr
    done = repo.qms("import", str(source), "--dry-run")
    assert done.returncode == 0 and "linked.md" not in done.stdout + done.stderr and "Secret" not in done.stdout
    assert repo.status() == before


def test_what_the_source_said_is_never_dropped_unseen(corpus: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, _source = corpus
    source = tmp_path / "other"
    source.mkdir()
    (source / "nc.md").write_text("---\nid: SOP-001\nowner: nobody-role\n---\n# Nonconformity \\<b\\>old\\</b\\>\n\n"
                                  "Handle it.\n")
    (source / "again.md").write_text("# Nonconformity\n\nThe same procedure again.\n")
    done = repo.qms("import", str(source), "--dry-run", "--plan", str(tmp_path / "plan.csv"))
    assert done.returncode == 0, done.stdout + done.stderr
    plan = {Path(row["source"]).name: row for row in csv.DictReader((tmp_path / "plan.csv").open())}
    assert plan["nc.md"]["title"] == "Nonconformity <b>old</b>"  # the source's escapes are not part of the title
    assert "front matter's id SOP-001 is not used" in plan["nc.md"]["notes"]
    assert "front matter's owner nobody-role is not a role here" in plan["nc.md"]["notes"]
    assert "same title as SOP-001, already in the QMS" in plan["again.md"]["notes"]
    done = repo.qms("import", str(source / "nc.md"))
    assert done.returncode == 0, done.stdout + done.stderr
    draft = next(repo.root.glob("procedures/sop/SOP-003-*.md")).read_text()
    assert '#   id: "SOP-001"' in draft and '#   owner: "nobody-role"' in draft


PURCHASING = ("# Purchasing\n\nAsk the questions of [the checklist](checklist.md#questions), calibrate as [the procedure]"
              "[cal] says.\nThe [old purchasing rules](retired.md) and [the flow](img/flow.png) stay.\n\n```\n"
              "[in a code block](checklist.md)\n```\n\n[cal]: Calibration.docx\n\n"
              "As code: `[the checklist](checklist.md)`.\n")
CHECKLIST_LINKED = "# Supplier checklist\n\nBack to [purchasing](purchasing.md).\n"


@pytest.fixture
def linked(corpus: tuple[Repo, Path], tmp_path: Path) -> tuple[Repo, Path]:
    """Three procedures that link to each other by their file names, and to one that is not imported."""
    repo, _old = corpus
    source = tmp_path / "linked"
    (source / "img").mkdir(parents=True)
    (source / "img" / "flow.png").write_bytes(png())
    (source / "purchasing.md").write_text(PURCHASING)
    (source / "checklist.md").write_text(CHECKLIST_LINKED)
    (source / "retired.md").write_text("# Old purchasing rules\n")
    word_file(source / "Calibration.docx", link="purchasing.md")
    return repo, source


def test_links_between_imported_files_point_at_the_new_documents(linked: tuple[Repo, Path]) -> None:
    repo, source = linked
    paths = [str(source / name) for name in ("Calibration.docx", "checklist.md", "purchasing.md")]
    plan = repo.qms("import", *paths, "--dry-run")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    for rewrite in (f"{source / 'purchasing.md'}:3: checklist.md#questions -> "
                    "../forms/FRM-002-supplier-checklist.md#questions",
                    f"{source / 'purchasing.md'}:10: Calibration.docx -> SOP-003-calibration-of-torque-tools.md",
                    f"{source / 'checklist.md'}:3: purchasing.md -> ../sop/SOP-004-purchasing.md",
                    "purchasing.md -> SOP-004-purchasing.md"):
        assert rewrite in plan.stdout, plan.stdout
    assert f"{source / 'purchasing.md'}:4: QMS172 warning: links to retired.md, which was not imported" in plan.stderr
    assert repo.status() == ""
    done = repo.qms("import", *paths)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SOP-004 \"Purchasing\", draft, 1 image(s), 2 link(s) rewritten" in done.stdout
    purchasing = repo.read("procedures/sop/SOP-004-purchasing.md")
    assert purchasing.endswith("---\n" + PURCHASING.replace(
        "(checklist.md#questions)", "(../forms/FRM-002-supplier-checklist.md#questions)").replace(
        "[cal]: Calibration.docx", "[cal]: SOP-003-calibration-of-torque-tools.md"))  # nothing else changed
    assert repo.read("procedures/forms/FRM-002-supplier-checklist.md").endswith(
        "---\n" + CHECKLIST_LINKED.replace("(purchasing.md)", "(../sop/SOP-004-purchasing.md)"))
    assert "](SOP-004-purchasing.md)" in repo.read("procedures/sop/SOP-003-calibration-of-torque-tools.md")
    check = repo.qms("check", "--format", "json")
    assert [(f["code"], f["path"], f["line"]) for f in json.loads(check.stdout)["findings"] if f["severity"] ==
            "error"] == [("QMS051", "procedures/sop/SOP-004-purchasing.md", 14)]  # the link to retired.md, reported


def test_a_link_to_a_file_not_imported_is_reported_and_kept(linked: tuple[Repo, Path]) -> None:
    """Importing one of them alone: its links to the others stay as written, each one reported."""
    repo, source = linked
    done = repo.qms("import", str(source / "checklist.md"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{source / 'checklist.md'}:3: QMS172 warning: links to purchasing.md, which was not imported" in done.stderr
    assert repo.read("procedures/forms/FRM-002-supplier-checklist.md").endswith("---\n" + CHECKLIST_LINKED)
    assert "links between imported files" not in done.stdout


def test_a_link_to_a_file_refused_on_the_way_is_reported(linked: tuple[Repo, Path]) -> None:
    """checklist.md is not written (its picture is missing), so the link to it from purchasing.md, already rewritten
    to where it was planned, leads nowhere: a warning says so."""
    repo, source = linked
    (source / "checklist.md").write_text(CHECKLIST_LINKED + "\n![form](missing.png)\n")
    done = repo.qms("import", str(source / "checklist.md"), str(source / "purchasing.md"))
    assert done.returncode == 1
    assert "procedures/forms/FRM-002-supplier-checklist.md:15: QMS051 link target 'missing.png'" in done.stderr, done.stderr
    assert f"{source / 'purchasing.md'}:3: QMS172 warning: links to checklist.md#questions, which was not imported " \
        "(see above): the link points at procedures/forms/FRM-002-supplier-checklist.md" in done.stderr
    assert (repo.root / "procedures/sop/SOP-003-purchasing.md").exists()
    assert not (repo.root / "procedures/forms/FRM-002-supplier-checklist.md").exists()
