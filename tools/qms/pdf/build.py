"""The controlled PDFs of an edition: one per document in force, and the whole manual; cached.

A PDF is cached under a key made of everything that can change what it shows: the engine's version, the
templates and this package's source (rendition.template_version), the document's fingerprint, and the HTML the
document becomes (its control block, signatures and how they were proved, revision history, next review, role
titles, the files it shows). The render date is left out, so a rebuild on a later day renders nothing new: a
cached PDF keeps the date it was rendered. The cache lives in .git/qms-pdf (QMS_PDF_CACHE names another folder,
for a CI cache); an entry that cannot be read is rendered again, and a new entry replaces the older ones of the
same document.
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
from . import engine, rendition

MANUAL = "manual"  # the whole manual's PDF is pdf/manual.pdf (no document id is lower case)


@dataclass(frozen=True)
class Rendition:
    """One PDF: what it is of, its bytes, and whether it came from the cache."""

    name: str  # a document id, or MANUAL
    data: bytes
    cached: bool
    fingerprint: str | None = None
    source_commit: str | None = None


def documents(edition: Edition, ids: list[str] | None = None, manual_url: str | None = None) -> list[Rendition]:
    """The PDF of each document in force (of those named in `ids`, if given), in id order."""
    about = rendition.context(edition, manual_url)
    store = _Store(edition.ws.root)
    wanted = set(ids) if ids is not None else None
    made = []
    for src, item in sorted(edition.published.items(), key=lambda pair: pair[1].doc.id):
        if wanted is not None and item.doc.id not in wanted:
            continue
        page = rendition.sheet(edition, src)
        html = rendition.document_html(page, about)
        data, cached = store.get_or_render(item.doc.id, item.doc.fingerprint, html, src, edition)
        made.append(Rendition(item.doc.id, data, cached, item.doc.fingerprint, item.source_commit))
    return made


def manual(edition: Edition, manual_url: str | None = None) -> Rendition:
    """The whole manual as one PDF: cover, master list, contents with page numbers, every document in force."""
    ordered = sorted(edition.published, key=lambda src: edition.published[src].doc.id)
    sheets = [rendition.sheet(edition, src, together=True) for src in ordered]
    anchors = {item.doc.id: "#" + rendition.anchor(item.doc.id) for item in edition.published.values()}
    listing = pages.master_list(edition.ws, list(edition.published.values()), edition.left, anchors)
    html = rendition.manual_html(sheets, listing, rendition.context(edition, manual_url))
    data, cached = _Store(edition.ws.root).get_or_render(MANUAL, None, html, pages.MASTER_LIST, edition)
    return Rendition(MANUAL, data, cached, None, edition.built_from)


class _Store:
    """Rendered PDFs by key, one file an entry (model.cache's format: a damaged entry is no entry)."""

    def __init__(self, root: str) -> None:
        chosen = os.environ.get("QMS_PDF_CACHE")
        inside = cache.cache_file(root, "qms-pdf")
        if inside is None and git.is_repository(root):  # a linked worktree: .git is a file naming the folder
            inside = os.path.join(git.git_dir(root), "qms-pdf")
        self.folder = os.path.abspath(chosen) if chosen else inside
        self.format = cache.code_format("pdf")

    def get_or_render(self, name: str, fingerprint: str | None, html: str, src: str, edition: Edition
                      ) -> tuple[bytes, bool]:
        """The PDF of `html`: from the cache when its key is there, else rendered now (and kept)."""
        digest = hashlib.sha256("\0".join((self.format, engine.version(), rendition.template_version(),
                                           fingerprint or "", html, _shown(edition, html, src))).encode())
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        path = os.path.join(self.folder, f"{safe}.{digest.hexdigest()[:40]}.pdf") if self.folder else None
        found = cache.load(path, self.format)
        if isinstance(found, bytes) and found.startswith(b"%PDF-"):
            return found, True
        data = engine.render(rendition.dated(html, clock.now()), src, edition.ws.root, edition.attachments)
        if self.folder and path:
            try:
                os.makedirs(self.folder, exist_ok=True)
            except OSError:
                return data, False
            for older in glob.glob(os.path.join(glob.escape(self.folder), f"{glob.escape(safe)}.*.pdf")):
                if older != path:
                    try:
                        os.remove(older)
                    except OSError:
                        pass
            cache.save(path, self.format, data)
        return data, False


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
