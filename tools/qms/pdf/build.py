"""The controlled PDFs of an edition: one per document in force, and the whole manual; sealed where qms.yml asks;
cached.

A PDF is cached under a key made of everything that can change what it shows: the version of what prints it
(Chromium for a document, WeasyPrint for the whole manual), the templates and this package's source
(rendition.template_version), the document's fingerprint, the HTML the document becomes (its control block,
signatures and how they were proved, revision history, next review, role titles, the files it shows), and the
seal's certificate (none, or which). The render date is left out, so a
rebuild on a later day renders nothing new: a cached PDF keeps the date it was rendered. The cache lives in
.git/qms-pdf (QMS_PDF_CACHE names another folder, for a CI cache); an entry that cannot be read is rendered again,
and a new entry replaces the older ones of the same document. The PDFs not in the cache are rendered together
(press.py: a document's by Chromium, in one browser per CPU; the whole manual by WeasyPrint).
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
from dataclasses import dataclass

from ..gitlog import git
from ..model import cache, clock
from ..mkdocs import pages
from ..mkdocs.edition import Edition
from . import chromium, engine, press, rendition, seal

MANUAL = "manual"  # the whole manual's PDF is pdf/manual.pdf (no document id is lower case)


@dataclass(frozen=True)
class Rendition:
    """One PDF: what it is of, its bytes, and whether it came from the cache."""

    name: str  # a document id, or MANUAL
    data: bytes
    cached: bool
    fingerprint: str | None = None
    source_commit: str | None = None
    sealed_by: str | None = None  # the SHA-256 fingerprint of the seal's certificate; None: not sealed


@dataclass(frozen=True)
class _Wanted:
    """A PDF to find in the cache, or to make."""

    name: str
    fingerprint: str | None
    source_commit: str | None
    html: str
    src: str
    reason: str
    margins: tuple[str, str] | None = None  # a document's running header and footer, as Chromium prints them


class Printing:
    """The PDFs of one edition, all sealed with the seal qms.yml names (read and checked once, before anything is
    rendered) and kept in one cache."""

    def __init__(self, edition: Edition, manual_url: str | None = None) -> None:
        self.edition = edition
        self.seal = seal.of_qms(edition.ws.root, clock.now())
        self.about = rendition.context(edition, manual_url, self.seal)
        self.store = _Store(edition.ws.root, self.seal)

    def documents(self, ids: list[str] | None = None) -> list[Rendition]:
        """The PDF of each document in force (of those named in `ids`, if given), in id order."""
        wanted = []
        for src, item in sorted(self.edition.published.items(), key=lambda pair: pair[1].doc.id):
            if ids is not None and item.doc.id not in ids:
                continue
            page = rendition.sheet(self.edition, src)
            wanted.append(_Wanted(item.doc.id, item.doc.fingerprint, item.source_commit,
                                  rendition.document_html(page, self.about), src, rendition.reason(page, self.about),
                                  rendition.document_margins(page, self.about)))
        return self._make(wanted)

    def manual(self) -> Rendition:
        """The whole manual as one PDF: cover, master list, contents with page numbers, every document in force."""
        edition = self.edition
        ordered = sorted(edition.published, key=lambda src: edition.published[src].doc.id)
        sheets = [rendition.sheet(edition, src, together=True) for src in ordered]
        anchors = {item.doc.id: "#" + rendition.anchor(item.doc.id) for item in edition.published.values()}
        listing = pages.master_list(edition.ws, list(edition.published.values()), edition.left, anchors)
        html = rendition.manual_html(sheets, listing, self.about)
        return self._make([_Wanted(MANUAL, None, edition.built_from, html, pages.MASTER_LIST,
                                   rendition.manual_reason(self.about))])[0]

    def _make(self, wanted: list[_Wanted]) -> list[Rendition]:
        keys = [self.store.key(pdf.name, pdf.fingerprint, pdf.html + "".join(pdf.margins or ()),
                               _shown(self.edition, pdf.html, pdf.src), pdf.margins is not None) for pdf in wanted]
        found = [self.store.load(key) for key in keys]
        missing = [index for index, data in enumerate(found) if data is None]
        now = clock.now()
        jobs = [press.Job(rendition.dated(pdf.html, now), pdf.src, pdf.reason,
                          None if pdf.margins is None else (pdf.margins[0], rendition.dated(pdf.margins[1], now)))
                for pdf in (wanted[i] for i in missing)]
        made = press.run(jobs, press.Setting(self.edition.ws.root, self.edition.attachments, rendition.stylesheet(),
                                             rendition.stylesheet(chromium=True), self.seal, now))
        for index, data in zip(missing, made):
            self.store.save(wanted[index].name, keys[index], data)
            found[index] = data
        sealed_by = self.seal.fingerprint if self.seal else None
        return [Rendition(pdf.name, data or b"", index not in missing, pdf.fingerprint, pdf.source_commit, sealed_by)
                for index, (pdf, data) in enumerate(zip(wanted, found))]


def documents(edition: Edition, ids: list[str] | None = None, manual_url: str | None = None) -> list[Rendition]:
    """The PDF of each document in force (of those named in `ids`, if given), in id order."""
    return Printing(edition, manual_url).documents(ids)


def manual(edition: Edition, manual_url: str | None = None) -> Rendition:
    """The whole manual as one PDF."""
    return Printing(edition, manual_url).manual()


class _Store:
    """Rendered PDFs by key, one file an entry (model.cache's format: a damaged entry is no entry)."""

    def __init__(self, root: str, sealed: seal.Seal | None) -> None:
        chosen = os.environ.get("QMS_PDF_CACHE")
        inside = cache.cache_file(root, "qms-pdf")
        if inside is None and git.is_repository(root):  # a linked worktree: .git is a file naming the folder
            inside = os.path.join(git.git_dir(root), "qms-pdf")
        self.folder = os.path.abspath(chosen) if chosen else inside
        self.format = cache.code_format("pdf")
        self.sealed_by = f"sealed:{sealed.fingerprint}" if sealed else "not sealed"

    def key(self, name: str, fingerprint: str | None, html: str, shown: str, chromium_prints: bool) -> str:
        """Where the PDF of `html` is kept: a file named by the document and everything the PDF shows."""
        printer = chromium.version() if chromium_prints else engine.version()
        digest = hashlib.sha256("\0".join((self.format, printer, rendition.template_version(),
                                           self.sealed_by, fingerprint or "", html, shown)).encode())
        return f"{_safe(name)}.{digest.hexdigest()[:40]}.pdf"

    def load(self, key: str) -> bytes | None:
        """The PDF kept under `key`, if there is one that can be read."""
        found = cache.load(os.path.join(self.folder, key) if self.folder else None, self.format)
        return found if isinstance(found, bytes) and found.startswith(b"%PDF-") else None

    def save(self, name: str, key: str, data: bytes) -> None:
        """Keep `data` under `key`, in place of the older entries of the same document (a cache that cannot be
        written is no error)."""
        if not self.folder:
            return
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError:
            return
        for older in glob.glob(os.path.join(glob.escape(self.folder), f"{glob.escape(_safe(name))}.*.pdf")):
            if os.path.basename(older) != key:
                try:
                    os.remove(older)
                except OSError:
                    pass
        cache.save(os.path.join(self.folder, key), self.format, data)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _shown(edition: Edition, html: str, src: str) -> str:
    """The digests of the files the page shows (an image can change without the document's fingerprint)."""
    folder = os.path.dirname(src)
    found = []
    for uri, path in sorted(edition.attachments.items()):
        if os.path.relpath(uri, folder or ".") in html or uri in html:
            try:
                with open(os.path.join(edition.ws.root, path), "rb") as handle:
                    found.append(f"{uri}:{hashlib.sha256(handle.read()).hexdigest()}")
            except OSError:
                found.append(f"{uri}:missing")
    return "\n".join(found)
