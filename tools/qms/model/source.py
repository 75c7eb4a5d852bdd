"""Reading a controlled file as text and splitting off its front matter, with a finding for each defect."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .finding import Finding, FindingError

_DELIMITER = re.compile(r"---[ \t]*\Z")


@dataclass(frozen=True)
class Text:
    """A file decoded as UTF-8 with LF line endings, plus findings about how it was stored."""

    text: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Split:
    """Front matter YAML (starting at file line 2) and the body that follows it."""

    yaml: str
    body: str
    body_line: int


def oversize(path: str, size: int, limit_bytes: int) -> Finding:
    """The finding for a file over its size limit."""
    return Finding(path, 1, "QMS002", f"file is {size // 1024} KB, over the {limit_bytes // 1024} KB limit",
                   "split it, or keep large evidence outside the repository and record where it is")


def decode(data: bytes, path: str, limit_bytes: int) -> Text:
    """Decode `data` strictly; refuse oversized, binary and non-UTF-8 files; report BOM and CRLF."""
    if len(data) > limit_bytes:
        raise FindingError(oversize(path, len(data), limit_bytes))
    nul = data.find(b"\0")
    if nul >= 0:
        raise FindingError(
            Finding(path, data.count(b"\n", 0, nul) + 1, "QMS001", "binary file where a Markdown text file is expected",
                    "save the document as UTF-8 text")
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FindingError(
            Finding(path, line, "QMS001", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", "save the file as UTF-8")
        ) from None
    findings = []
    if text.startswith("\ufeff"):
        findings.append(Finding(path, 1, "QMS004", "file starts with a byte order mark", "save as UTF-8 without BOM"))
        text = text[1:]
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        findings.append(
            Finding(path, line, "QMS005", "CRLF or CR line endings", "convert to LF; .gitattributes sets eol=lf for *.md")
        )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Text(text, tuple(findings))


def split_front_matter(text: str, path: str) -> Split:
    """Split `---` front matter from the body; raise a finding if it is missing or not closed."""
    if not text.strip():
        raise FindingError(Finding(path, 1, "QMS010", "empty file", "start the file with --- front matter ---"))
    lines = text.split("\n")
    if not _DELIMITER.match(lines[0]):
        raise FindingError(
            Finding(path, 1, "QMS010", "no front matter", "start the file with a '---' line, the YAML, and a closing '---'")
        )
    for index in range(1, len(lines)):
        if _DELIMITER.match(lines[index]):
            return Split("\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1:]), index + 2)
    raise FindingError(
        Finding(path, 1, "QMS011", "front matter is not closed", "add a line '---' after the last front matter key")
    )


_MARKDOWN_SPECIAL = str.maketrans({char: f"&#{ord(char)};" for char in "\\`*_[]<>&|#!\"'"})


def markdown_text(value: str) -> str:
    """`value` as literal text in generated Markdown or HTML (attribute values too): no markup, no link, no
    table-column break."""
    return value.translate(_MARKDOWN_SPECIAL).replace("\n", " ")


def heading_text(value: str) -> str:
    """`value` as literal text in a Markdown file people edit: markup characters escaped, readable as written."""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace("\n", " ")
    return "".join("\\" + char if char in "\\`*_[]()#!|" else char for char in text)
