"""Differences between two revisions: a unified diff, front-matter changes, and a standalone HTML redline."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator

from .document import Document

FIELDS = ("title", "type", "owner", "status", "effective", "change", "clauses", "references", "review_months",
          "obsoleted", "reason", "superseded_by")


def field_changes(old: Document, new: Document) -> list[tuple[str, str, str]]:
    """(field, before, after) for every front-matter field that differs, approvals aside."""
    found = []
    for name in FIELDS:
        before, after = _show(getattr(old, name)), _show(getattr(new, name))
        if before != after:
            found.append((name, before, after))
    return found


def _show(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return ", ".join(value) if value else "-"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def unified(old: Document, new: Document) -> Iterator[str]:
    """The body diff, as `diff -u` prints it."""
    yield from difflib.unified_diff(old.body.splitlines(keepends=True), new.body.splitlines(keepends=True),
                                    f"{old.id} revision {old.revision}", f"{new.id} revision {new.revision}")


_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def _inline(old: str, new: str) -> str:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
    return "".join(out)


STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left;vertical-align:top}pre{white-space:pre-wrap;font:14px/1.45 ui-monospace,monospace;border:1px solid
#ddd;padding:1rem}del{background:#fdd;color:#900;text-decoration:line-through}ins{background:#dfd;color:#060;
text-decoration:none}.legend{color:#555}"""


def html_redline(old: Document, new: Document, organisation: str) -> str:
    """A self-contained HTML page: front-matter changes, then the body with deletions and insertions marked."""
    a, b = old.body.splitlines(), new.body.splitlines()
    lines = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [html.escape(line) for line in a[i1:i2]]
        elif op == "replace" and i2 - i1 == j2 - j1:
            lines += [_inline(x, y) for x, y in zip(a[i1:i2], b[j1:j2])]
        else:
            lines += [f"<del>{html.escape(line)}</del>" for line in a[i1:i2]]
            lines += [f"<ins>{html.escape(line)}</ins>" for line in b[j1:j2]]
    rows = "".join(f"<tr><th>{html.escape(name)}</th><td><del>{html.escape(before)}</del></td>"
                   f"<td><ins>{html.escape(after)}</ins></td></tr>" for name, before, after in field_changes(old, new))
    title = f"{old.id}: revision {old.revision} to {new.revision}"
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n<h1>{html.escape(title)}</h1>\n"
            f"<p>{html.escape(organisation)} · {html.escape(new.title)}</p>\n"
            "<p class=\"legend\"><del>deleted</del> <ins>inserted</ins></p>\n"
            f"<h2>Front matter</h2>\n" + (f"<table><tr><th>field</th><th>revision {html.escape(old.revision)}</th>"
                                          f"<th>revision {html.escape(new.revision)}</th></tr>{rows}</table>\n"
                                          if rows else "<p>No changes.</p>\n") +
            f"<h2>Text</h2>\n<pre>{chr(10).join(lines)}</pre>\n</body></html>\n")
