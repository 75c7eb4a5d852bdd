"""The published manual: exactly what is in force on the build date reaches site/, and nothing else."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from gitrepo import Repo, findings
from helpers import PROJECT, QmsFolder, baseline

FUTURE = date(2099, 1, 1)
MARKERS = ("zanzibarDRAFT", "quokkaOBSOLETE", "narwhalNEXTREVISION", "axolotlFUTURE", "pangolinRECORD")


def build(repo: Repo, *extra: str) -> tuple[int, str, Path]:
    site = repo.root / "site"
    result = repo.run(str(Path(repo.env["PATH"].split(":")[0]) / "mkdocs"), "build", "--strict", *extra, check=False)
    return result.returncode, result.stdout + result.stderr, site


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    base = tmp_path_factory.mktemp("manual")
    repo = Repo(base / "qms", base / "home")
    qms = baseline(repo.root)
    shutil.copy(PROJECT / "mkdocs.yml", repo.root / "mkdocs.yml")
    qms.document("SOP-003", "Welding", body="# Welding\n\nWeld with the first procedure text.\n\n"
                 "![torch](torch.png)\n")
    qms.write("procedures/sop/torch.png", b"\x89PNG torch")
    qms.document("SOP-004", "Painting", body="# Painting\n\nPaint with care, first revision.\n")
    qms.document("SOP-005", "Old Gluing", status="obsolete", extra={
        "obsoleted": date(2026, 2, 1), "reason": "Replaced by SOP-003.", "superseded_by": "SOP-003"},
        body="# Old Gluing\n\nGlue quokkaOBSOLETE parts.\n")
    qms.document("SOP-006", "Handling <script>alert(1)</script> parts", name="SOP-006-handling", body="# Handling\n\nHandle with gloves.\n")
    qms.record("NCR-002", "Burr pangolinRECORD", body="pangolinRECORD found.\n")
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt")
    qms.document("SOP-007", "Cutting", status="draft", effective=None,
                 body="# Cutting\n\nCut zanzibarDRAFT.\n\n![saw](saw-zanzibarDRAFT.png)\n")
    qms.write("procedures/sop/saw-zanzibarDRAFT.png", b"\x89PNG zanzibarDRAFT")
    qms.document("SOP-003", "Welding", revision=2, status="draft", effective=None,
                 body="# Welding\n\nWeld narwhalNEXTREVISION.\n")
    qms.document("SOP-004", "Painting", revision=2, effective=FUTURE,
                 body="# Painting\n\nPaint axolotlFUTURE.\n")
    repo.commit("Revise SOP-003 and SOP-004; draft SOP-007")
    carried = repo.git("rev-parse", "HEAD").stdout.strip()  # history written by hand, carried over as it stands
    repo.write("qms.yml", repo.read("qms.yml") + f"verify_from: {carried}\n")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Verify from here", "-m", "Config-Change: adopted as is")
    return repo


@pytest.fixture(scope="module")
def site(repo: Repo) -> Path:
    code, output, site = build(repo)
    assert code == 0, output
    return site


def every_file(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_bytes().decode("utf-8", errors="replace")
            for p in site.rglob("*") if p.is_file() and p.suffix != ".gz"}


def test_no_unpublished_text_anywhere(site: Path) -> None:
    files = every_file(site)
    assert "search/search_index.json" in files and "sitemap.xml" in files
    for name, text in files.items():
        for marker in MARKERS:
            assert marker not in text, (marker, name)
    assert not [name for name in files if name.endswith(".md")]
    assert not [name for name in files if "SOP-007" in name or "NCR" in name
                or any(marker in name for marker in MARKERS)]
    assert [name for name in files if "SOP-005" in name] == ["sop/SOP-005-old-gluing/index.html"]  # says withdrawn
    assert "sop/torch.png" in files  # an image a published page shows is published with it


def test_a_withdrawn_documents_address_says_so_and_names_its_successor(site: Path) -> None:
    page = (site / "sop" / "SOP-005-old-gluing" / "index.html").read_text()
    assert "SOP-005 has been withdrawn" in page and "withdrawn from use on <strong>2026-02-01</strong>" in page
    assert "Reason: Replaced by SOP-003." in page and 'href="../SOP-003-welding/"' in page
    assert "Glue" not in page  # none of its content
    index = json.loads((site / "search" / "search_index.json").read_text())
    assert not [doc for doc in index["docs"] if "SOP-005" in doc["location"]]


def test_previous_revisions_are_published_while_the_next_is_not_in_force(site: Path) -> None:
    welding = (site / "sop" / "SOP-003-welding" / "index.html").read_text()
    assert "Weld with the first procedure text." in welding
    assert 'data-qms-revision="1"' in welding
    painting = (site / "sop" / "SOP-004-painting" / "index.html").read_text()
    assert "Paint with care, first revision." in painting


def test_front_matter_cannot_inject_markup(site: Path) -> None:
    for name, text in every_file(site).items():
        if name != "qms-manifest.json":  # data, not markup: it keeps the title exactly as written
            assert "<script>alert(1)" not in text, name
    manifest = json.loads((site / "qms-manifest.json").read_text())
    assert "Handling <script>alert(1)</script> parts" in [d["title"] for d in manifest["documents"]]
    page = (site / "sop" / "SOP-006-handling" / "index.html").read_text()
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in page  # shown as text


def test_control_block_and_provenance(site: Path, repo: Repo) -> None:
    page = (site / "sop" / "SOP-001-nonconformity" / "index.html").read_text()
    for text in ('<div class="qms-control" data-qms-id="SOP-001" data-qms-revision="2" data-search-exclude>', "Pat Production",
                 "Production Manager", "approval, 2026-01-02 09:00 UTC", "Next review", "Revision history of SOP-001",
                 "Uncontrolled copy when printed", "from commit"):
        assert text in page, text
    head = repo.git("rev-parse", "--short=12", "HEAD").stdout.strip()
    assert f"from commit {head}, as in force on" in page
    history = (site / "history" / "SOP-003" / "index.html").read_text()
    assert "narwhal" not in history and "<td>1</td>" in history


def test_manifest_lists_what_was_published(site: Path, repo: Repo) -> None:
    manifest = json.loads((site / "qms-manifest.json").read_text())
    published = {d["id"]: d for d in manifest["documents"]}
    assert set(published) == {"QM-001", "FRM-001", "SOP-001", "SOP-003", "SOP-004", "SOP-006"}
    adopt = repo.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    assert published["SOP-003"]["revision"] == "1" and published["SOP-003"]["source_commit"] == adopt
    from qms.model.document import parse_document

    current = parse_document((repo.root / "procedures/sop/SOP-001-nonconformity.md").read_text(), "x").item
    assert current is not None and published["SOP-001"]["fingerprint"] == current.fingerprint
    assert manifest["built_from"] == repo.git("rev-parse", "--short=12", "HEAD").stdout.strip()


def test_master_list_names_obsolete_documents_without_linking_them(site: Path) -> None:
    page = (site / "master-list" / "index.html").read_text()
    assert "<td>SOP-005</td>" in page and "Replaced by SOP-003." in page and "SOP-005-old" not in page


def test_build_date_shows_the_manual_as_it_was(repo: Repo, tmp_path: Path) -> None:
    config = (repo.root / "mkdocs.yml").read_text().replace("  - qms\n", "  - qms:\n      build_date: 2099-06-01\n")
    audit = repo.root / "mkdocs-audit.yml"
    audit.write_text(config)
    code, output, _site = build(repo, "-f", str(audit), "--site-dir", str(tmp_path / "site"))
    assert code == 0, output
    painting = (tmp_path / "site" / "sop" / "SOP-004-painting" / "index.html").read_text()
    assert "axolotlFUTURE" in painting  # in force by 2099
    audit.unlink()


def test_rule_errors_fail_the_strict_build(repo: Repo, tmp_path: Path) -> None:
    path = repo.root / "procedures/sop/SOP-001-nonconformity.md"
    original = path.read_text()
    path.write_text(original.replace("Record it on", "Write it on"))
    try:
        code, output, _site = build(repo, "--site-dir", str(tmp_path / "site"))
        assert code == 1 and "procedures/sop/SOP-001-nonconformity.md:13: QMS042" in output
        code, output, _site = build(repo, "-q", "--site-dir", str(tmp_path / "quiet"))  # -q hides the warnings
        assert code == 1 and "a strict build of this manual fails on 3 error(s), the first: procedures/sop/" \
            "SOP-001-nonconformity.md:7: QMS040" in output, output
    finally:
        path.write_text(original)


def test_records_register_is_optional_and_holds_no_record_text(repo: Repo, tmp_path: Path) -> None:
    config = (repo.root / "mkdocs.yml").read_text().replace("  - qms\n", "  - qms:\n      records_register: true\n")
    alternative = repo.root / "mkdocs-records.yml"
    alternative.write_text(config)
    try:
        code, output, _site = build(repo, "-f", str(alternative), "--site-dir", str(tmp_path / "site"))
        assert code == 0, output
        register = (tmp_path / "site" / "records-register" / "index.html").read_text()
        assert "<td>NCR-001</td>" in register and "2032-03-01" in register and "Found and contained" not in register
    finally:
        alternative.unlink()


def test_link_to_an_unpublished_document_fails_strict(repo: Repo, tmp_path: Path) -> None:
    qms = QmsFolder.__new__(QmsFolder)
    qms.root = repo.root
    qms.document("FRM-002", "Checklist", body="# Checklist\n\nSee [cutting](../sop/SOP-007-cutting.md).\n")
    try:
        code, output, _site = build(repo, "--site-dir", str(tmp_path / "site"))
        assert code == 1
        assert "procedures/forms/FRM-002-checklist.md (FRM-002, line" in output
        assert "../sop/SOP-007-cutting.md, which is not published (draft)" in output
    finally:
        (repo.root / "procedures/forms/FRM-002-checklist.md").unlink()


def test_shallow_clone_is_explained(repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    shallow = repo.sibling(clone)
    code, output, _site = build(shallow, "--site-dir", str(tmp_path / "site"))
    assert code == 1 and "this clone is shallow" in output and "fetch-depth: 0" in output


def control_blocks(site: Path) -> dict[str, tuple[str, str]]:
    """Each published document's page: id -> (revision, the control block's text)."""
    found = {}
    for page in site.rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        match = re.search(r'<div class="qms-control" data-qms-id="([^"]+)" data-qms-revision="([^"]+)"[^>]*>(.*?)</div>',
                          text, re.S)
        if match:
            found[match.group(1)] = (match.group(2), re.sub(r"<[^>]+>|\s+", " ", match.group(3)).split(" Next review")[0])
    return found


def test_the_exported_manual_builds_the_same_without_the_plugin(repo: Repo, site: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    done = repo.qms("export", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "- qms" not in (out / "mkdocs.yml").read_text()
    binaries = Path(repo.env["PATH"].split(":")[0])
    plain = repo.run(str(binaries / "mkdocs"), "build", "--strict", "-f", str(out / "mkdocs.yml"), check=False)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    expected = control_blocks(site)
    assert set(expected) == {"QM-001", "FRM-001", "SOP-001", "SOP-003", "SOP-004", "SOP-006"}
    assert control_blocks(out / "site") == expected
    shutil.rmtree(out / "site")
    zensical = subprocess.run([str(binaries / "zensical"), "build"], cwd=out, capture_output=True, text=True,
                              check=False)
    assert zensical.returncode == 0, zensical.stdout + zensical.stderr
    assert control_blocks(out / "site") == expected
    welding = (out / "site" / "sop" / "SOP-003-welding" / "index.html").read_text()
    assert "Weld with the first procedure text." in welding and "narwhal" not in welding


def test_a_file_name_with_a_hash_or_a_space_is_linked_as_a_name(repo: Repo, tmp_path: Path) -> None:
    """'#' and '?' in a document's file name are part of the name: the generated pages link to its page."""
    clone = repo.sibling(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.root), str(clone.root))
    clone.git("mv", "procedures/sop/SOP-006-handling.md", "procedures/sop/SOP-006 handle#1?.md")
    clone.become("author")
    clone.commit("Rename SOP-004", no_verify=True)
    out = tmp_path / "out"
    done = clone.qms("export", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(sop/SOP-006%20handle%231%3F.md)" in (out / "docs" / "master-list.md").read_text()
    binaries = Path(repo.env["PATH"].split(":")[0])
    built = repo.run(str(binaries / "mkdocs"), "build", "--strict", "-f", str(out / "mkdocs.yml"), check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (out / "site" / "sop" / "SOP-006 handle#1?" / "index.html").is_file()
    assert 'href="../sop/SOP-006%20handle%231%3F/"' in (out / "site" / "master-list" / "index.html").read_text()


def test_an_image_is_published_as_approved_with_the_revision_in_force(repo: Repo, tmp_path: Path) -> None:
    """An image an approved revision shows, changed afterwards without a new revision (QMS109, forced past the
    hook), is published and printed as it was committed with that revision, never as the folder now holds it."""
    clone = repo.sibling(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.root), str(clone.root))
    (clone.root / "procedures/sop/torch.png").write_bytes(b"\x89PNG a different torch")
    clone.become("author")
    clone.commit("Swap the torch picture", no_verify=True)
    found = [f["code"] for f in findings(clone, "check", "--base", "HEAD~1")]
    assert "QMS109" in found, found
    out = tmp_path / "out"
    done = clone.qms("export", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "docs" / "sop" / "torch.png").read_bytes() == b"\x89PNG torch"
    (clone.root / "procedures/sop/torch.png").unlink()
    clone.commit("Remove the torch picture", no_verify=True)
    assert "QMS109" in [f["code"] for f in findings(clone, "check", "--base", "HEAD~1")]
    binaries = Path(repo.env["PATH"].split(":")[0])
    built = clone.run(str(binaries / "mkdocs"), "build", "-d", str(tmp_path / "site"), check=False)  # not strict
    assert built.returncode == 0, built.stdout + built.stderr
    assert (tmp_path / "site" / "sop" / "torch.png").read_bytes() == b"\x89PNG torch"


def test_export_refuses_what_a_strict_build_would_reject(repo: Repo, tmp_path: Path) -> None:
    broken = repo.sibling(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.root), str(broken.root))
    text = (broken.root / "procedures/sop/SOP-004-painting.md").read_text()
    (broken.root / "procedures/sop/SOP-004-painting.md").write_text(text.replace("Paint axolotlFUTURE.", "Paint."))
    refused = broken.qms("export", str(tmp_path / "out"))
    assert refused.returncode == 1 and "QMS042" in refused.stderr and "nothing was written" in refused.stderr
    assert not (tmp_path / "out").exists()


def test_a_revision_published_from_history_is_parsed_once_and_kept_by_blob(repo: Repo, tmp_path: Path) -> None:
    """SOP-003 is being revised: its revision in force is read from Git and parsed once, then kept in .git by blob
    id and path; a kept parse of another version of the tool, or a damaged file, is never served."""
    import pickle
    from dataclasses import replace

    from qms.model import cache

    clone = repo.sibling(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.root), str(clone.root))
    kept = clone.root / ".git" / "qms-document-cache"

    def export(name: str) -> dict[str, str]:
        done = clone.qms("export", str(tmp_path / name))
        assert done.returncode == 0, done.stdout + done.stderr
        return {str(p.relative_to(tmp_path / name)): p.read_text() for p in (tmp_path / name).rglob("*.md")}

    first = export("first")
    assert "Weld with the first procedure text." in first["docs/sop/SOP-003-welding.md"]
    stored = pickle.loads(kept.read_bytes())
    assert stored["format"] == cache.code_format("documents")
    assert {path for _blob, path in stored["payload"]} == {"procedures/sop/SOP-003-welding.md",
                                                           "procedures/sop/SOP-004-painting.md"}
    [(blob, path)] = [key for key in stored["payload"] if "SOP-003" in key[1]]
    assert clone.git("cat-file", "-t", blob).stdout.strip() == "blob"
    written = kept.stat().st_mtime_ns
    assert export("again") == first and kept.stat().st_mtime_ns == written  # served from the cache

    doc = stored["payload"][(blob, path)]
    forged = {(blob, path): replace(doc, body="# Welding\n\nForged text.\n")}
    kept.write_bytes(pickle.dumps({"format": stored["format"], "payload": forged}))
    assert "Forged text." in export("forged")["docs/sop/SOP-003-welding.md"]  # the cache is what is read
    kept.write_bytes(pickle.dumps({"format": "qms-documents-0000000000000000", "payload": forged}))
    assert export("other-version") == first  # a parse kept by another version of the tool is not
    kept.write_bytes(b"damaged")
    assert export("damaged") == first
    assert pickle.loads(kept.read_bytes())["format"] == cache.code_format("documents")


def test_search_indexes_neither_control_blocks_nor_banners_nor_histories(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text())
    texts = " ".join(doc["text"] + doc["title"] for doc in index["docs"])
    for label in ("Uncontrolled copy when printed", "Revision history of", "Pat Production"):
        assert label not in texts, label
    assert not [doc for doc in index["docs"] if doc["location"].startswith("history/")]
    welding = next(doc for doc in index["docs"] if doc["location"] == "sop/SOP-003-welding/")
    assert welding["title"] == "SOP-003 Welding" and welding.get("boost") == 10


def test_clause_matrix_marks_each_gap_row(site: Path) -> None:
    page = (site / "clause-matrix" / "index.html").read_text()
    assert '<div class="qms-table qms-clauses">' in page
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    gaps = [row for row in rows if 'class="qms-gap"' in row]
    assert gaps and len(gaps) == len([row for row in rows if "<a href" not in row and "<td>" in row])
    assert f"{len(gaps)} gap(s)." in page


def test_history_false_makes_no_history_pages(repo: Repo, tmp_path: Path) -> None:
    config = (repo.root / "mkdocs.yml").read_text().replace("  - qms\n", "  - qms:\n      history: false\n")
    (repo.root / "mkdocs-nohistory.yml").write_text(config)
    try:
        code, output, _site = build(repo, "-f", "mkdocs-nohistory.yml", "--site-dir", str(tmp_path / "site"))
    finally:
        (repo.root / "mkdocs-nohistory.yml").unlink()
    assert code == 0, output
    files = every_file(tmp_path / "site")
    assert not [name for name in files if name.startswith("history/")]
    assert not [name for name, text in files.items() if "Revision history of" in text or "uncommitted" in text]


def test_make_manual_swaps_in_only_a_site_that_built(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True)
    (clone / ".venv").symlink_to(PROJECT / ".venv")  # the test environment; -o: do not reinstall it
    shutil.copy(PROJECT / "Makefile", clone / "Makefile")  # the Makefile as it is in this work tree
    make = ["make", "-s", "-o", ".venv/.installed-stamp", "manual"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MAKE"))}
    first = subprocess.run(make, cwd=clone, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    built = (clone / "site" / "index.html").read_bytes()
    config = clone / "mkdocs.yml"
    config.write_text(config.read_text() + "unknown_setting: true\n")  # qms check passes; the strict build fails
    failed = subprocess.run(make, cwd=clone, capture_output=True, text=True, env=env, check=False)
    assert failed.returncode != 0 and "site/ is unchanged" in failed.stdout + failed.stderr
    assert (clone / "site" / "index.html").read_bytes() == built
    assert not (clone / ".site.new").exists() and not (clone / ".site.old").exists()
    shutil.rmtree(clone / "site")
    again = subprocess.run(make, cwd=clone, capture_output=True, text=True, env=env, check=False)
    assert again.returncode != 0 and not (clone / "site").exists()


def test_make_manual_fails_on_what_the_plugin_warns_about(tmp_path: Path) -> None:
    """Strict mode counts the plugin's warnings (a quiet build would drop them): a shallow clone cannot say where
    each published revision comes from, so make manual refuses it."""
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{PROJECT}", str(clone)], check=True)
    (clone / ".venv").symlink_to(PROJECT / ".venv")
    shutil.copy(PROJECT / "Makefile", clone / "Makefile")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MAKE"))}
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed-stamp", "manual"], cwd=clone, capture_output=True,
                          text=True, env=env, check=False)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "shallow" in done.stdout + done.stderr and not (clone / "site").exists()


@pytest.mark.parametrize("label", [
    "SOP-001 Nonconformity", "Storage &amp; handling", "O'Brien's checks (v2)", "Work instructions", "Yes", "on",
    "NULL", "1.0", "2026-01-01 plan", "e1", "a: b", "#tag", "x #y", "- x", "'quoted'", "a  b", "trailing ", "",
    "Qualität", "x" * 101, "y" * 1500, "Handling &lt;script&gt;alert(1&lt;/script&gt; parts", "a,b", "[x]"])
def test_the_exported_navigation_is_written_as_ruamel_writes_it(label: str) -> None:
    """Plain labels and paths are written without ruamel (it took a third of a second over 1,000 entries); any other
    is left to ruamel. Either way the navigation reads back the same and is written as ruamel writes it."""
    import io

    from qms.commands import export

    nav = [{"Home": "index.md"}, {label: [{label: "sop/x.md"}, {"B": "b.md"}]}, {"G": [{"A": label}]}]
    text = io.StringIO()
    export._yaml().dump({"nav": nav}, text)
    plain = export._plain_nav(nav)
    if plain is not None:
        assert "nav:\n" + "".join(plain) == text.getvalue()
    assert (plain is not None) == (label in {"SOP-001 Nonconformity", "Storage &amp; handling", "O'Brien's checks (v2)",
                                             "Work instructions", "e1", "a,b",
                                             "Handling &lt;script&gt;alert(1&lt;/script&gt; parts"})
