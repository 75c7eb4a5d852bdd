"""HTML to PDF with WeasyPrint: page X of Y, running header and footer, bookmarks, the contents' page numbers,
PDF/A-3b, and the QMS's facts in the PDF's metadata.

Nothing is fetched from the network or from outside the QMS: the pages' base URL is a name of no host, and the
fetcher serves only the files the edition publishes (the images a document shows), read from the QMS folder.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import posixpath
from collections.abc import Mapping
from typing import Any

from ..errors import EXIT_USAGE, QmsError

BASE = "https://qms.invalid/"  # RFC 2606: no such host; every URL under it is served by _Fetcher, or refused
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


def render(html: str, src: str, root: str, files: Mapping[str, str]) -> bytes:
    """The PDF of `html`, a page at source path `src` of the site; `files` maps a site path to its file in the QMS
    at `root` (what the page may show)."""
    weasyprint = _weasyprint()
    fetcher = _fetcher(weasyprint, root, files)
    document = weasyprint.HTML(string=html, base_url=BASE + posixpath.dirname(src) + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(pdf_variant=VARIANT, custom_metadata=True, presentational_hints=True,
                                    uncompressed_pdf=False)  # presentational hints: <ol start> keeps step numbers
    return pdf


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
