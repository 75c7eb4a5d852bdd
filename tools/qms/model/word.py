"""Word (.docx) files as Markdown, converted by pandoc (through pypandoc-binary), and what the conversion cannot
carry over: tracked changes, comments, embedded objects and fields, found in the file's own XML."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile

from .finding import Finding, FindingError
from .importing import Source

_MEDIA = "media"
# (what, the XML that holds it, the part it lives in, what to do about it)
_LOSSES = (
    ("tracked changes", re.compile(rb"<w:(?:ins|del|moveFrom|moveTo)\b"), "word/document.xml",
     "pandoc accepted every change; check the text against the Word file, or accept or reject them in Word and "
     "import again"),
    ("comments", re.compile(rb"<w:comment\b"), "word/comments.xml",
     "comments are not part of the text: resolve them in Word, or copy what matters into the document"),
    ("embedded objects", re.compile(rb"<w:object\b|<o:OLEObject\b|<w:altChunk\b"), "word/document.xml",
     "embedded spreadsheets or drawings are not converted: attach them as files and link them"),
    ("fields", re.compile(rb"<w:fldSimple\b|<w:fldChar\b[^>]*w:fldCharType=\"begin\""), "word/document.xml",
     "fields (page numbers, cross-references, dates) keep only their last shown value: check them"),
)


def word_source(path: str, media_folder: str) -> Source:
    """A .docx file as Markdown; images are named `media_folder/imageN.ext`, relative to the new document.
    Raises FindingError if the file is not a Word document or pandoc is missing."""
    losses = _losses(path)
    try:
        import pypandoc  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise FindingError(Finding(path, 1, "QMS171", "converting Word files needs pandoc, which is not installed",
                                   "pip install 'qms[word]' (pypandoc-binary)")) from None
    with tempfile.TemporaryDirectory(prefix="qms-import-") as media:
        try:
            body = pypandoc.convert_file(path, "gfm-raw_html", format="docx", verify_format=False,  # one pandoc
                                         extra_args=["--wrap=none", f"--extract-media={media}"])  # run, not three
        except RuntimeError as exc:
            raise FindingError(Finding(path, 1, "QMS171", f"pandoc cannot read it: {str(exc).strip()[:200]}",
                                       "open it in Word and save it again as .docx")) from None
        images: dict[str, bytes] = {}
        for folder, _dirs, names in os.walk(media):
            for name in sorted(names):
                full = os.path.join(folder, name)
                with open(full, "rb") as handle:
                    images[f"{media_folder}/{name}"] = handle.read()
                body = body.replace(full, f"{media_folder}/{name}")
    return Source(path, body.replace("\r\n", "\n"), {}, images, tuple(losses))


def _losses(path: str) -> list[Finding]:
    """What pandoc will not carry over, each counted, as warnings that say what to do."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()
                     if name in ("word/document.xml", "word/comments.xml")}
    except (zipfile.BadZipFile, KeyError, OSError):
        raise FindingError(Finding(path, 1, "QMS171", "not a Word .docx file (not a zip archive)",
                                   "save it from Word as .docx; .doc and .rtf files cannot be imported")) from None
    if "word/document.xml" not in parts:
        raise FindingError(Finding(path, 1, "QMS171", "not a Word .docx file (no word/document.xml)",
                                   "save it from Word as .docx"))
    found = []
    for what, pattern, part, hint in _LOSSES:
        count = len(pattern.findall(parts.get(part, b"")))
        if count:
            found.append(Finding(path, 1, "QMS172", f"{count} {what} not carried over", hint, "warning"))
    return found
