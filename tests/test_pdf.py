"""Controlled PDFs (qms pdf, pdf/ID.pdf in the site, the audit pack): read back with pdftotext, pdftoppm and pypdf.

A handful of the starter's documents and its whole manual are rendered once for the module; the cache is tested
on a small repository of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, cast

import pypdf
import pytest
from gitrepo import Repo, approve_all, revise
from helpers import PROJECT, baseline

from qms.cli import main
from qms.gitlog.trail import VERDICTS
from qms.mkdocs import edition
from qms.mkdocs.publish import in_force_revisions
from qms.model.config import load_config
from qms.pdf import chromium, press, rendition

DOCS = ("WI-003", "SOP-001", "QM-001")  # numbered steps around a table; a revised SOP; two approvers


def pdftotext(path: Path, page: int | None = None) -> str:
    """The text in reading order (a table cell's lines stay together)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_texts(path: Path) -> list[str]:
    return [pdftotext(path, number) for number in range(1, len(pypdf.PdfReader(path).pages) + 1)]


def words(text: str) -> str:
    """The text with runs of white space as one space (pdftotext wraps table cells)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, edition.Edition]]:
    """The starter's PDFs, every document in force (rendered in a pool of processes) and the whole manual, and the
    edition they were made from."""
    out = tmp_path_factory.mktemp("starter-pdf")
    cache = tmp_path_factory.mktemp("pdf-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QMS_PDF_CACHE", str(cache))
        assert main(["pdf", "-C", str(PROJECT), "--out", str(out)]) == 0
        made = edition.make(str(PROJECT), edition.Options(date.today()))
        yield out, made


def test_every_pdf_is_pdf_a_3b_as_a_validator_reads_it(starter: tuple[Path, edition.Edition]) -> None:
    out, made = starter
    assert len(list(out.glob("*.pdf"))) == len(made.published) + 1 > press.cpus() + 1  # every browser printed
    for path in sorted(out.glob("*.pdf")):
        assert_pdf_a(path)


def assert_pdf_a(path: Path) -> None:
    """The PDF at `path` conforms to PDF/A-3b, as page (a PDF/A validator that passes veraPDF's corpus) reads it."""
    import page  # type: ignore[import-untyped,unused-ignore]

    report = page.validate_pdf(str(path), profile="3b")
    assert report.is_compliant, (path.name, [(f.rule_id, f.message) for f in report.failures])


def test_each_page_carries_the_header_and_page_x_of_y(starter: tuple[Path, edition.Edition]) -> None:
    out, made = starter
    organisation = load_config(str(PROJECT)).organisation
    for doc_id in DOCS:
        doc = next(p.doc for p in made.published.values() if p.doc.id == doc_id)
        texts = page_texts(out / f"{doc_id}.pdf")
        assert len(texts) >= 2
        for number, text in enumerate(texts, 1):
            header = f"{organisation} {doc_id} {doc.title} Revision {doc.revision} · effective {doc.effective}"
            assert words(text).startswith(header), (doc_id, number, text[:200])
            assert f"Page {number} of {len(texts)}" in text
            assert "Uncontrolled copy when printed; current revision at" in words(text)
            assert re.search(r"Rendered \d{4}-\d{2}-\d{2} (Page \d+ of \d+ )?\d{2}:\d{2} UTC", words(text))


def test_signature_page_manifests_each_approval_and_how_it_was_proved(starter: tuple[Path, edition.Edition]
                                                                       ) -> None:
    out, made = starter
    config = made.ws.config
    for doc_id in DOCS:
        item = next(p for p in made.published.values() if p.doc.id == doc_id)
        texts = page_texts(out / f"{doc_id}.pdf")
        signature_page = next(i for i, text in enumerate(texts) if "Signature manifestation" in text)
        page = words(" ".join(texts[signature_page:]))
        approvals = [a for a in item.doc.approvals if a.fingerprint == item.doc.fingerprint]
        assert approvals
        for approval in approvals:
            assert f"{approval.name} {config.roles[approval.role].title} {approval.meaning} " \
                   f"{approval.at.strftime('%Y-%m-%d %H:%M:%S')} UTC" in page
        proofs = {rendition.signatures(item, config, made.proofs)[i].proof for i in range(len(approvals))}
        assert proofs <= set(VERDICTS.values())
        for proof in proofs:  # the table wraps a proof over lines, so each word in order
            assert re.search(r"\s+".join(map(re.escape, proof.split())), page)
        assert item.doc.fingerprint in page and str(item.source_commit) in page
        history = page.split("Revision history", 1)[1]
        shown = in_force_revisions(item, made.ws.today)
        assert shown
        dates = [str(start) for (_release, start, _end), _revision in shown]
        assert [day for day in re.findall(r"\d{4}-\d{2}-\d{2}(?= )", history) if day in dates][:len(dates)] == \
            sorted(dates, reverse=True)  # newest first
    assert "adopted (made before the QMS lived in Git)" in words(pdftotext(out / "WI-003.pdf"))


def test_numbered_steps_keep_their_approved_numbers(starter: tuple[Path, edition.Edition]) -> None:
    text = words(pdftotext(starter[0] / "WI-003.pdf"))
    assert "8. Compare each deviation with the permitted error" in text
    assert "9. If every point passes" in text and "11. Return the instrument" in text  # after the table
    assert "Up to 50 mm ±2 µm" in text  # the table's rows


def test_metadata_carries_fingerprint_and_source_commit(starter: tuple[Path, edition.Edition]) -> None:
    out, made = starter
    for doc_id in DOCS:
        item = next(p for p in made.published.values() if p.doc.id == doc_id)
        reader = pypdf.PdfReader(out / f"{doc_id}.pdf")
        info = reader.metadata
        assert info is not None
        assert (info["/qmsid"], info["/qmsrevision"]) == (doc_id, item.doc.revision)
        assert (info["/qmsfingerprint"], info["/qmssourcecommit"]) == (item.doc.fingerprint, item.source_commit)
        assert info.title.startswith(f"{doc_id} {item.doc.title}")
        assert item.doc.fingerprint in info.subject and str(item.source_commit) in info.subject
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp  # PDF/A-3b, as WeasyPrint declares it
        assert item.doc.fingerprint in xmp


def test_whole_manual_has_cover_contents_bookmarks_and_no_draft_or_obsolete_text(
        starter: tuple[Path, edition.Edition]) -> None:
    out, made = starter
    path = out / "manual.pdf"
    texts = page_texts(path)
    assert f"As in force on {made.ws.today.isoformat()}" in texts[0]
    contents = words(next(text for text in texts if "\nContents\n" in text))
    published = sorted(made.published.values(), key=lambda p: p.doc.id)
    starts = {}
    for item in published:
        found = re.search(rf"{re.escape(f'{item.doc.id} {item.doc.title}, revision {item.doc.revision}')} ?\.[. ]*(\d+)",
                          contents)
        assert found, item.doc.id
        starts[item.doc.id] = int(found.group(1))
        assert f"{item.doc.id} {item.doc.title} Revision" in words(texts[starts[item.doc.id] - 1])[:300]
    assert all(f"Page {n} of {len(texts)}" in text for n, text in enumerate(texts, 1))
    bookmarks = [entry.title for entry in pypdf.PdfReader(path).outline if not isinstance(entry, list)]
    assert [f"{item.doc.id} {item.doc.title}" for item in published] == \
        [title for title in bookmarks if re.match(r"[A-Z]+-\d", title)]
    everything = words(" ".join(texts))
    assert "Packaging and Preservation of Finished Parts" not in everything  # WI-004 is a draft
    assert "decides whether a supplier is approved" not in everything  # SOP-012's text: obsolete


def test_page_one_and_the_signature_page_as_pictures(starter: tuple[Path, edition.Edition],
                                                     tmp_path_factory: pytest.TempPathFactory) -> None:
    out, _made = starter
    pictures = tmp_path_factory.mktemp("pdf-pictures")  # kept by pytest as the run's artefacts
    pdf = out / "SOP-001.pdf"
    signature = next(n for n, text in enumerate(page_texts(pdf), 1) if "Signature manifestation" in text)
    for page, name in ((1, "first"), (signature, "signatures")):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                        str(pictures / f"SOP-001-{name}")], check=True)
        picture = pictures / f"SOP-001-{name}.png"
        assert picture.read_bytes().startswith(b"\x89PNG") and picture.stat().st_size > 5000


def test_qms_pdf_names_what_is_not_in_force(starter: tuple[Path, edition.Edition], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pdf", "-C", str(PROJECT), "WI-004", "SOP-012", "NOPE-9", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "WI-004: not in force" in err and "SOP-012: not in force" in err and "NOPE-9: no such document" in err
    assert not list((tmp_path / "out").glob("*.pdf"))


@pytest.fixture
def small(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt the QMS")
    return repo


def rendered(result: subprocess.CompletedProcess[str]) -> int:
    found = re.search(r"\((\d+) rendered, (\d+) from the cache\)", result.stderr)
    assert result.returncode == 0 and found, result.stdout + result.stderr
    return int(found.group(1))


def test_a_rebuild_renders_only_what_changed_and_a_damaged_cache_is_rendered_again(small: Repo) -> None:
    out = small.root.parent / "pdf"
    first = small.qms("pdf", "--out", str(out))
    documents = len(list(out.glob("*.pdf"))) - 1  # and manual.pdf
    assert documents >= 3 and rendered(first) == documents + 1
    assert rendered(small.qms("pdf", "--out", str(out))) == 0
    revise(small, "Photograph the part.", "Photographs.")
    approve_all(small, small.today)
    again = small.qms("pdf", "--out", str(out))
    assert rendered(again) == 2  # SOP-001 and the whole manual
    text = words(pdftotext(out / "SOP-001.pdf"))
    assert "Photograph the part." in text
    assert "recorded by the approver's Git identity (no cryptographic proof)" in text  # made after the adoption
    cached = sorted((small.root / ".git/qms-pdf").glob("SOP-001.*.pdf"))
    assert len(cached) == 1  # the new entry replaced the old one
    cached[0].write_bytes(b"not a pickle")
    assert rendered(small.qms("pdf", "SOP-001", "--out", str(out))) == 1
    assert pypdf.PdfReader(out / "SOP-001.pdf").metadata["/qmsrevision"] == "3"


def test_the_site_links_each_document_in_force_to_its_pdf(small: Repo, tmp_path: Path) -> None:
    shutil.copy(PROJECT / "mkdocs.yml", small.root / "mkdocs.yml")
    small.commit("Publish the manual", "mkdocs.yml")
    site = tmp_path / "site"
    mkdocs = str(Path(small.env["PATH"].split(":")[0]) / "mkdocs")
    built = small.run(mkdocs, "build", "--strict", "--site-dir", str(site), check=False)
    assert built.returncode == 0, built.stderr
    manifest = json.loads((site / "qms-manifest.json").read_text())
    fingerprints = {entry["id"]: entry["fingerprint"] for entry in manifest["documents"]}
    assert sorted(p.stem for p in (site / "pdf").glob("*.pdf")) == sorted(fingerprints)
    assert "SOP-002" not in fingerprints  # the draft has neither a page nor a PDF
    page = (site / "sop/SOP-001-nonconformity/index.html").read_text()
    assert 'href="../../pdf/SOP-001.pdf"' in page
    for doc_id, fingerprint in fingerprints.items():
        assert pypdf.PdfReader(site / f"pdf/{doc_id}.pdf").metadata["/qmsfingerprint"] == fingerprint


def test_a_long_unbroken_title_stays_on_the_page(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    qms = baseline(repo.root)
    qms.document("SOP-003", "Welding" + "Verylongtitleword" * 12, body="# Welding\n\nWeld.\n")
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt the QMS")
    out = tmp_path / "pdf"
    assert rendered(repo.qms("pdf", "SOP-003", "--out", str(out))) == 1
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(out / "SOP-003.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    page = re.search(r'<page width="([\d.]+)"', boxes)
    assert page is not None
    lefts = [float(x) for x in re.findall(r'xMin="([\d.-]+)"', boxes)]
    rights = [float(x) for x in re.findall(r'xMax="([\d.-]+)"', boxes)]
    assert lefts and min(lefts) >= 0 and max(rights) <= float(page.group(1)), (min(lefts), max(rights))


# The organisation's seal (qms.yml pdf.seal): a throwaway key and self-signed certificate, made here.

SEAL = """
pdf:
  seal:
    key: secrets/seal.key
    certificate: secrets/seal.crt
    passphrase_env: TEST_SEAL_PASSPHRASE
"""
PASSPHRASE = {"TEST_SEAL_PASSPHRASE": "correct horse battery staple"}


def make_seal(folder: Path, passphrase: str | None = PASSPHRASE["TEST_SEAL_PASSPHRASE"], *, expired: bool = False,
              signing: bool = True) -> bytes:
    """A new key (seal.key, encrypted with `passphrase`) and its self-signed certificate (seal.crt) in `folder`;
    the certificate's DER bytes."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Works Ltd"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Test Works QMS seal")])
    now = datetime.now(timezone.utc)
    until = datetime(2026, 2, 1, tzinfo=timezone.utc) if expired else now + timedelta(days=3650)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(datetime(2025, 1, 1, tzinfo=timezone.utc)).not_valid_after(until)
                   .add_extension(x509.KeyUsage(signing, signing, False, False, False, not signing, False, False,
                                                False), critical=True)
                   .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    encryption = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else \
        serialization.NoEncryption()
    (folder / "seal.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        encryption))
    (folder / "seal.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate.public_bytes(serialization.Encoding.DER)


def validate(path: Path, certificate: bytes) -> object:
    """pyHanko's verdict on the one signature in the PDF at `path`, trusting `certificate`."""
    import io

    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    assert len(reader.embedded_signatures) == 1
    signature = reader.embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[x509.Certificate.load(certificate)]))


@pytest.fixture
def sealed(tmp_path: Path) -> tuple[Repo, bytes]:
    """A small QMS whose qms.yml names a seal, with the throwaway key (outside Git) and its certificate."""
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    with open(repo.root / "qms.yml", "a", encoding="utf-8") as config:
        config.write(SEAL)
    with open(repo.root / ".gitignore", "a", encoding="utf-8") as ignored:
        ignored.write("secrets/\n")
    certificate = make_seal(repo.root / "secrets")
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt the QMS")
    repo.env.update(PASSPHRASE)
    return repo, certificate


def test_each_pdf_is_sealed_over_the_whole_file_and_a_changed_byte_breaks_the_seal(
        sealed: tuple[Repo, bytes]) -> None:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    repo, certificate = sealed
    out = repo.root.parent / "pdf"
    made = repo.qms("pdf", "--out", str(out))
    assert rendered(made) == 4  # QM-001, FRM-001, SOP-001 and the whole manual (QMS190-QMS193 stay quiet)
    fingerprint = hashlib.sha256(certificate).hexdigest()
    for path in sorted(out.glob("*.pdf")):
        status: Any = validate(path, certificate)
        assert status.bottom_line and status.intact and status.valid and status.trusted, \
            (path.name, status.pretty_print_details())
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert status.signing_cert.dump() == certificate
        assert f"SHA-256 {fingerprint}" in words(pdftotext(path))  # the signature page names the certificate
        info = pypdf.PdfReader(path).metadata
        assert info is not None and (path.stem == "manual" or info["/qmsid"] == path.stem)
        assert_pdf_a(path)  # the seal is an incremental update, which PDF/A-3 allows
    data = bytearray((out / "SOP-001.pdf").read_bytes())
    inside = data.index(b"stream\n") + 20  # a byte of the first content stream, inside the signed range
    data[inside] ^= 0x01
    tampered = out / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    status = validate(tampered, certificate)
    assert not status.intact and not status.bottom_line  # the digest no longer matches: the seal is broken


def test_the_audit_pack_and_the_site_carry_sealed_pdfs(sealed: tuple[Repo, bytes], tmp_path: Path) -> None:
    repo, certificate = sealed
    assert repo.qms("audit", "--out", str(tmp_path / "pack")).returncode == 0
    pack = json.loads((tmp_path / "pack/audit.json").read_text())
    assert {entry["sealed_by"] for entry in pack["pdfs"]} == {hashlib.sha256(certificate).hexdigest()}
    for entry in pack["pdfs"]:
        assert cast(Any, validate(tmp_path / "pack" / entry["path"], certificate)).intact
    shutil.copy(PROJECT / "mkdocs.yml", repo.root / "mkdocs.yml")
    mkdocs = str(Path(repo.env["PATH"].split(":")[0]) / "mkdocs")
    built = repo.run(mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site"), check=False)
    assert built.returncode == 0, built.stderr
    assert cast(Any, validate(tmp_path / "site/pdf/SOP-001.pdf", certificate)).valid


def test_the_cache_keys_on_the_seal(sealed: tuple[Repo, bytes]) -> None:
    repo, _certificate = sealed
    out = repo.root.parent / "pdf"
    assert rendered(repo.qms("pdf", "SOP-001", "--out", str(out))) == 1
    assert rendered(repo.qms("pdf", "SOP-001", "--out", str(out))) == 0
    certificate = make_seal(repo.root / "secrets")  # a new key and certificate: sealed anew
    assert rendered(repo.qms("pdf", "SOP-001", "--out", str(out))) == 1
    assert cast(Any, validate(out / "SOP-001.pdf", certificate)).signing_cert.dump() == certificate
    config = repo.read("qms.yml")
    repo.write("qms.yml", config.replace(SEAL, "\n"))  # no seal: rendered again, unsealed
    assert rendered(repo.qms("pdf", "SOP-001", "--out", str(out))) == 1
    assert b"/ETSI.CAdES.detached" not in (out / "SOP-001.pdf").read_bytes()


def _certificate_of_another_key(repo: Repo) -> None:
    make_seal(repo.root / "other")
    shutil.copy(repo.root / "other/seal.crt", repo.root / "secrets/seal.crt")


def _key_committed(repo: Repo) -> None:
    repo.git("add", "-f", "secrets/seal.key")
    repo.git("commit", "-q", "-m", "Keep the seal key")


@pytest.mark.parametrize(("change", "code", "setting"), [
    (lambda repo: (repo.root / "secrets/seal.key").unlink(), "QMS190", "key"),
    (lambda repo: (repo.root / "secrets/seal.crt").write_text("not a certificate"), "QMS190", "certificate"),
    (lambda repo: (repo.root / "secrets/seal.key").write_text("not a key"), "QMS190", "key"),
    (lambda repo: repo.env.pop("TEST_SEAL_PASSPHRASE"), "QMS191", "passphrase_env"),
    (lambda repo: repo.env.update(TEST_SEAL_PASSPHRASE="wrong"), "QMS191", "passphrase_env"),
    (lambda repo: repo.write("qms.yml", repo.read("qms.yml").replace("    passphrase_env: TEST_SEAL_PASSPHRASE\n",
                                                                     "")), "QMS191", "key"),
    (lambda repo: _certificate_of_another_key(repo), "QMS192", "certificate"),
    (lambda repo: make_seal(repo.root / "secrets", expired=True), "QMS192", "certificate"),
    (lambda repo: make_seal(repo.root / "secrets", signing=False), "QMS192", "certificate"),
    (_key_committed, "QMS193", "key"),
], ids=["key-missing", "not-a-certificate", "not-a-key", "passphrase-unset", "passphrase-wrong",
        "encrypted-without-passphrase", "certificate-of-another-key", "expired", "not-for-signing", "key-in-git"])
def test_a_seal_that_cannot_be_used_writes_no_pdf(sealed: tuple[Repo, bytes], change: Any, code: str,
                                                  setting: str, tmp_path: Path) -> None:
    repo, _certificate = sealed
    change(repo)
    line = next(number for number, text in enumerate(repo.read("qms.yml").splitlines(), 1)
                if text.strip().startswith(f"{setting}:"))
    out = tmp_path / "pdf"
    made = repo.qms("pdf", "--out", str(out))
    assert made.returncode == 2 and f"qms.yml:{line}: {code} " in made.stderr, made.stderr
    assert "Traceback" not in made.stderr and not (out.exists() and list(out.glob("*.pdf")))
    audit = repo.qms("audit", "--out", str(tmp_path / "pack"))
    assert audit.returncode == 2 and code in audit.stderr and not (tmp_path / "pack").exists()


@pytest.mark.parametrize(("seal", "code", "words"), [
    ("    key: /etc/qms/seal.key\n    certificate: seal.crt\n", "QMS091", "is not a path relative to the QMS folder"),
    ("    key: seal.key\n    certificate: seal.crt\n    passphrase: hunter2\n", "QMS091",
     "a passphrase is never written in qms.yml"),
    ("    key: seal.key\n    certificate: seal.crt\n    passphrase_env: not a name\n", "QMS091",
     "is not the name of an environment variable"),
    ("    key: seal.key\n", "QMS021", "missing required key 'certificate'"),
    ("    key: seal.key\n    certificate: seal.crt\n    chian: [ca.crt]\n", "QMS020", "did you mean 'chain'?"),
])
def test_a_seal_setting_qms_yml_cannot_use_is_reported_at_its_line(tmp_path: Path, seal: str, code: str,
                                                                    words: str) -> None:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    with open(repo.root / "qms.yml", "a", encoding="utf-8") as config:
        config.write("pdf:\n  seal:\n" + seal)
    checked = repo.qms("check")
    assert checked.returncode == 2 and code in checked.stderr and words in checked.stderr, checked.stderr
    assert re.search(rf"qms.yml:\d+: {code} ", checked.stderr) and "Traceback" not in checked.stderr


def test_a_browser_that_fails_leaves_no_pdf_and_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from qms.errors import QmsError

    monkeypatch.setattr(chromium, "binary", lambda: "/bin/false")  # a browser that stops at once, saying nothing
    jobs = [press.Job("<p>x</p>", "x.md", "x", ("", ""))] * 3
    setting = press.Setting(str(tmp_path), {}, "", "", None, datetime.now(timezone.utc))
    with pytest.raises(QmsError, match="none was written: Chromium stopped"):
        press.run(jobs, setting)


def test_without_chromium_qms_pdf_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, small: Repo,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(chromium, "BINARIES", ("no-such-chromium-here",))
    monkeypatch.setenv("QMS_PDF_CACHE", str(small.root.parent / "cache"))
    assert main(["pdf", "-C", str(small.root), "--out", str(small.root.parent / "pdf")]) == 2
    assert "need headless Chromium (Debian's chromium-headless-shell): run make setup" in capsys.readouterr().err


def test_the_audit_pack_makes_its_edition_once(small: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack's documents, findings and PDFs come from one edition: history is judged and the rules run once."""
    from qms import rules
    from qms.mkdocs import edition as editions

    calls = {"make": 0, "judge_history": 0, "run": 0}

    def counted(module: Any, name: str) -> None:
        original = getattr(module, name)

        def count(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, count)

    counted(editions, "make")
    counted(editions, "judge_history")
    counted(rules, "run")
    monkeypatch.setenv("QMS_PDF_CACHE", str(tmp_path / "cache"))
    assert main(["audit", "-C", str(small.root), "--out", str(tmp_path / "pack")]) == 0
    assert calls == {"make": 1, "judge_history": 1, "run": 1}
    assert len(list((tmp_path / "pack/pdf").glob("*.pdf"))) == 4


def test_a_pdf_that_cannot_be_sealed_is_refused_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timezone

    from qms.errors import QmsError
    from qms.model.config import SealSettings
    from qms.pdf import seal

    make_seal(tmp_path, passphrase=None)
    loaded = seal.load(str(tmp_path), SealSettings("seal.key", "seal.crt"), datetime.now(timezone.utc))
    assert "key=" not in repr(loaded)  # the private key is never printed
    with pytest.raises(QmsError, match="could not be sealed .*none was written"):
        loaded.sign(b"%PDF-1.7 not really", "x")


def _pdf_with_a_stream_ending_in_cr() -> bytes:
    """A one-page PDF, as Chromium writes one, whose page's compressed content ends in a carriage return (the last
    byte of a compressed stream is the last of its checksum, Adler-32, of the content: a comment pads it)."""
    import zlib

    content = next(text for text in (b"0 0 m 100 100 l S\n%" + bytes([a, b]) + b"\n" for a in range(48, 123)
                                     for b in range(48, 123)) if zlib.compress(text).endswith(b"\r"))
    objects = [b"<</Type /Catalog /Pages 2 0 R>>", b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
               b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources <<>>>>",
               b"<</Filter /FlateDecode /Length %d>> stream\n" % len(zlib.compress(content))
               + zlib.compress(content) + b"\nendstream",
               b"<</Producer (Skia/PDF m156) /Title (A page)>>"]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d /Root 1 0 R /Info 5 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def test_a_stream_ending_in_a_carriage_return_is_written_again_as_pdf_a_requires(tmp_path: Path) -> None:
    from qms.pdf import pdfa

    pdf = _pdf_with_a_stream_ending_in_cr()
    assert b"\r\nendstream" in pdf
    html = '<html><head><title>A page</title><meta name="qmsid" content="SOP-001"></head><body></body></html>'
    path = tmp_path / "made.pdf"
    path.write_bytes(pdfa.archival(pdf, html, datetime.now(timezone.utc)))
    assert_pdf_a(path)
    assert pypdf.PdfReader(path).metadata["/qmsid"] == "SOP-001"
    assert pypdf.PdfReader(path).pages[0].get_contents().get_data().startswith(b"0 0 m 100 100 l S")


def _png(width: int, height: int) -> bytes:
    """A grey PNG of this size."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _row in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_a_pdf_shows_the_images_its_document_shows_and_fetches_nothing_else(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    qms = baseline(repo.root)
    qms.document("SOP-003", "Welding", body="# Welding\n\n![torch](torch.png)\n\n![secret](../../records/secret.png)\n")
    qms.write("procedures/sop/torch.png", _png(7, 5))
    qms.write("records/secret.png", _png(9, 3))  # in the QMS, but not a file the manual publishes
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt the QMS")
    out = tmp_path / "pdf"
    assert rendered(repo.qms("pdf", "SOP-003", "--out", str(out))) == 1
    listed = subprocess.run(["pdfimages", "-list", str(out / "SOP-003.pdf")], capture_output=True, text=True,
                            check=True).stdout
    sizes = {tuple(line.split()[3:5]) for line in listed.splitlines()[2:]}
    assert ("7", "5") in sizes and ("9", "3") not in sizes, listed
    assert_pdf_a(out / "SOP-003.pdf")
