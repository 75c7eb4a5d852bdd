"""Chromium's PDF as PDF/A-3b, carrying the page's metadata, as WeasyPrint writes the whole manual's.

Chromium embeds its fonts and marks its links printable, but writes no XMP metadata, no output intent and no file
identifier, and only the title of the page's metadata; and, as WeasyPrint's (see engine.py), a compressed stream of
its that happens to end in a carriage return reads, before the line feed ahead of `endstream`, as a shorter stream
than its /Length says. One incremental update (pyHanko's writer; PDF/A-3 allows one, as it allows the seal's)
writes each such stream again, plain (see flate), and adds the rest: the page's <title> and <meta> (author,
description, generator, and the QMS's own names such as qmsfingerprint) in the document information and, for the
standard ones, in the XMP metadata, which says PDF/A-3b; the sRGB output intent that WeasyPrint's PDFs carry; and
an identifier.
"""

from __future__ import annotations

import bisect
import io
import os
import re
import zlib
from datetime import datetime
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from ..errors import EXIT_INTERNAL, QmsError

NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
      "xmp": "http://ns.adobe.com/xap/1.0/", "pdf": "http://ns.adobe.com/pdf/1.3/",
      "pdfaid": "http://www.aiim.org/pdfa/ns/id/"}
STANDARD = {"author": "/Author", "description": "/Subject", "generator": "/Creator", "keywords": "/Keywords"}
for _prefix, _uri in NS.items():
    register_namespace(_prefix, _uri)


def archival(pdf: bytes, html: str, moment: datetime) -> bytes:
    """`pdf`, printed from `html` at `moment`, as PDF/A-3b with the metadata of the page's head."""
    from pyhanko.pdf_utils import generic as objects
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class Writer(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            """Nothing: the metadata written here is all of it (pyHanko would write an XMP packet of its own)."""

    generic: Any = objects  # pyHanko's PDF objects carry no types
    name = generic.NameObject
    title, meta = head(html)
    writer: Any = Writer(io.BytesIO(pdf))
    for reference in _ending_in_cr(pdf, writer.prev):
        found = reference.get_object()
        if found.get("/Filter", "/FlateDecode") != "/FlateDecode" or found.data.endswith(b"\r"):
            raise QmsError(f"the PDFs could not be made, and none was written: object {reference.idnum} of "
                           "Chromium's PDF cannot be written again as PDF/A requires", EXIT_INTERNAL)
        writer.objects[(reference.generation, reference.idnum)] = _stream(generic, {
            key: value for key, value in found.items() if key not in ("/Length", "/Filter", "/DecodeParms")},
            found.data)
    producer = str(writer.trailer["/Info"].get("/Producer", "Chromium"))
    stamp = moment.strftime("D:%Y%m%d%H%M%S+00'00'")
    info = generic.DictionaryObject({name("/Producer"): generic.TextStringObject(producer),
                                     name("/CreationDate"): generic.TextStringObject(stamp),
                                     name("/ModDate"): generic.TextStringObject(stamp)})
    if title:
        info[name("/Title")] = generic.TextStringObject(title)
    for key, value in meta.items():
        info[name(STANDARD.get(key, "/" + key))] = generic.TextStringObject(value)
    writer.set_info(info)
    profile = _stream(generic, {name("/N"): generic.NumberObject(3)}, _srgb())
    intent = generic.DictionaryObject({
        name("/Type"): name("/OutputIntent"), name("/S"): name("/GTS_PDFA1"),
        name("/OutputConditionIdentifier"): generic.TextStringObject("sRGB IEC61966-2.1"),
        name("/DestOutputProfile"): writer.add_object(profile)})
    root = writer.root
    root[name("/OutputIntents")] = generic.ArrayObject([writer.add_object(intent)])
    root[name("/Metadata")] = writer.add_object(generic.StreamObject(
        {name("/Type"): name("/Metadata"), name("/Subtype"): name("/XML")},
        stream_data=_xmp(title, meta, producer, moment.strftime("%Y-%m-%dT%H:%M:%S+00:00"))))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flate(raw: bytes) -> bytes | None:
    """`raw` compressed, or None where that would end in a carriage return (a compressed stream ends in the checksum
    of `raw`, whatever the level: such a stream is written plain)."""
    packed = zlib.compress(raw, 6)
    return None if packed.endswith(b"\r") else packed


def _stream(generic: Any, extra: dict[str, Any], raw: bytes) -> Any:
    """A stream of `raw` with the entries `extra`, compressed unless that would end in a carriage return."""
    packed = flate(raw)
    entries = generic.DictionaryObject(extra)
    if packed is not None:
        entries[generic.NameObject("/Filter")] = generic.NameObject("/FlateDecode")
    return generic.StreamObject(entries, encoded_data=raw if packed is None else packed)


_STREAM_END = re.compile(rb"\rendstream|\r\nendstream")


def _ending_in_cr(pdf: bytes, reader: Any) -> list[Any]:
    """A reference to each stream object whose data ends in a carriage return: the object that starts last before
    such an end (by the offsets of the file's cross-reference table, which `reader` read)."""
    ends = [found.start() for found in _STREAM_END.finditer(pdf)]
    if not ends:
        return []
    starts = sorted((reader.xrefs[ref], ref) for ref in reader.xrefs.explicit_refs_in_revision(0)
                    if isinstance(reader.xrefs[ref], int))
    offsets = [offset for offset, _ref in starts]
    return [starts[bisect.bisect_left(offsets, end) - 1][1] for end in ends]


def head(html: str) -> tuple[str, dict[str, str]]:
    """The title of the page and its named <meta> values, in the order given."""
    reader = _Head()
    reader.feed(html[:html.find("</head>") + 7] if "</head>" in html else html)
    return reader.title.strip(), reader.meta


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.in_title = "", False
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("name") and found.get("content") is not None:
            self.meta[str(found["name"])] = str(found["content"])
        self.in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


def _xmp(title: str, meta: dict[str, str], producer: str, moment: str) -> bytes:
    """The XMP packet: PDF/A-3b, and the same facts as the document information, as PDF/A requires."""
    rdf = Element(f"{{{NS['rdf']}}}RDF")
    about = SubElement(rdf, f"{{{NS['rdf']}}}Description", {f"{{{NS['rdf']}}}about": "",
                                                             f"{{{NS['pdfaid']}}}part": "3",
                                                             f"{{{NS['pdfaid']}}}conformance": "B"})
    SubElement(about, f"{{{NS['pdf']}}}Producer").text = producer
    SubElement(about, f"{{{NS['xmp']}}}CreateDate").text = moment
    SubElement(about, f"{{{NS['xmp']}}}ModifyDate").text = moment
    for key, value in (("title", title), ("description", meta.get("description", ""))):
        if value:
            language = SubElement(SubElement(SubElement(about, f"{{{NS['dc']}}}{key}"), f"{{{NS['rdf']}}}Alt"),
                                  f"{{{NS['rdf']}}}li", {"xml:lang": "x-default"})
            language.text = value
    if meta.get("author"):
        SubElement(SubElement(SubElement(about, f"{{{NS['dc']}}}creator"), f"{{{NS['rdf']}}}Seq"),
                   f"{{{NS['rdf']}}}li").text = meta["author"]
    if meta.get("generator"):
        SubElement(about, f"{{{NS['xmp']}}}CreatorTool").text = meta["generator"]
    if meta.get("keywords"):
        SubElement(about, f"{{{NS['pdf']}}}Keywords").text = meta["keywords"]
    packet: bytes = tostring(rdf, encoding="utf-8", xml_declaration=False)
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
            + packet + b'</x:xmpmeta>\n<?xpacket end="r"?>')


@lru_cache(maxsize=1)
def _srgb() -> bytes:
    """The sRGB profile of the output intent: the one WeasyPrint ships and puts in the whole manual."""
    import weasyprint  # type: ignore[import-untyped,unused-ignore]

    with open(os.path.join(os.path.dirname(weasyprint.__file__), "pdf", "sRGB2014.icc"), "rb") as handle:
        data: bytes = handle.read()
    return data
