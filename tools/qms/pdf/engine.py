"""HTML to PDF with WeasyPrint, for the whole manual: page X of Y, running header and footer, bookmarks, the
contents' page numbers, PDF/A-3b, and the QMS's facts in the PDF's metadata.

Nothing is fetched from the network or from outside the QMS: the pages' base URL is a name of no host, and the
fetcher serves only the files the edition publishes (the images a document shows), read from the QMS folder.
An Engine is made once for many PDFs: the fonts WeasyPrint finds and measures, and the parsed stylesheet, are
shared by all of them.

PDF/A-3b as a validator reads it (the tests run one): WeasyPrint's own compression packs objects into object
streams and filters the XMP metadata, and a compressed stream that happens to end in a carriage return reads,
before the line feed ahead of `endstream`, as a shorter stream than its /Length says. So the PDF is written
uncompressed, and the finisher compresses each stream itself, never to end in a carriage return (pdfa.flate), and
leaves the metadata plain.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import posixpath
from collections.abc import Mapping
from typing import Any

from ..errors import EXIT_USAGE, QmsError

BASE = "https://qms.invalid/"  # RFC 2606: no such host; every URL under it is served by the fetcher, or refused
VARIANT = "pdf/a-3b"  # archival; PDF/A-3 also allows a later signature and attached files


def _weasyprint() -> Any:
    try:
        import weasyprint  # type: ignore[import-untyped,unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: Pango missing (the Python package loads it with cffi)
        raise QmsError(f"PDFs need WeasyPrint and Pango ({exc}): run make setup, or pip install -e '.[manual]' and "
                       "bash tools/setup/ensure-pdf.sh", EXIT_USAGE) from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint


def version() -> str:
    """The engine's version (part of every cache key)."""
    return f"weasyprint-{_weasyprint().__version__}"


class Engine:
    """WeasyPrint for the pages of one QMS: `stylesheet` is the CSS of every page, `files` maps a site path to its
    file in the QMS at `root` (what a page may show)."""

    def __init__(self, root: str, files: Mapping[str, str], stylesheet: str) -> None:
        weasyprint = self.weasyprint = _weasyprint()
        from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped,unused-ignore]

        self.fonts = FontConfiguration()
        self.fetcher = _fetcher(weasyprint, root, files)
        self.stylesheet = weasyprint.CSS(string=stylesheet, base_url=BASE, url_fetcher=self.fetcher,
                                         font_config=self.fonts)

    def render(self, html: str, src: str) -> bytes:
        """The PDF of `html`, a page at source path `src` of the site."""
        document = self.weasyprint.HTML(string=html, base_url=BASE + posixpath.dirname(src) + "/",
                                        url_fetcher=self.fetcher)
        pdf: bytes = document.write_pdf(stylesheets=[self.stylesheet], font_config=self.fonts, pdf_variant=VARIANT,
                                        custom_metadata=True, presentational_hints=True, uncompressed_pdf=True,
                                        finisher=_compress)
        return pdf  # presentational hints: <ol start> keeps the approved step numbers


def _compress(_document: Any, pdf: Any) -> None:
    """Compress every stream WeasyPrint left plain, except the XMP metadata (see the module's docstring)."""
    import pydyf  # type: ignore[import-untyped,unused-ignore]

    from .pdfa import flate

    class Flate(pydyf.Stream):  # type: ignore[misc]
        @property
        def data(self) -> bytes:
            raw = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
            extra = pydyf.Dictionary(self.extra.copy())
            packed = flate(raw)
            if packed is not None:
                extra["Filter"] = "/FlateDecode"
            body = raw if packed is None else packed
            extra["Length"] = len(body)
            data: bytes = b"\n".join((extra.data, b"stream", body, b"endstream"))
            return data

    metadata = pdf.catalog.get("Metadata")
    for found in pdf.objects:
        if isinstance(found, pydyf.Stream) and "Filter" not in found.extra and found.reference != metadata:
            found.__class__ = Flate


def _fetcher(weasyprint: Any, root: str, files: Mapping[str, str]) -> Any:
    urls = weasyprint.urls
    base: type = urls.URLFetcher

    class Fetcher(base):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = url.split("#")[0].split("?")[0]
            if not path.startswith(BASE) or path[len(BASE):] not in files:
                raise ValueError(f"{url} is not a file the manual publishes")
            with open(os.path.join(root, files[path[len(BASE):]]), "rb") as handle:
                body = handle.read()
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return urls.URLFetcherResponse(url, body, {"Content-Type": kind})

    return Fetcher(fail_on_errors=False)
