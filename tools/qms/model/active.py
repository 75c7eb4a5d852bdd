"""Active content: what a reader's browser would run, or what would restyle the page, in a body as the manual
renders it: a script, a frame, a form, a style sheet, an event handler (`onerror=`, also written `{: onclick=...}`
through attr_list), a `style` attribute, or a `javascript:`, `vbscript:` or `data:` URL. Markdown passes HTML
through, so the manual would publish it as written: no approval could vouch for what it shows.

The body is rendered as the manual renders it (Python-Markdown, its extensions) and the HTML is read as a browser
reads it (entities decoded, control characters dropped from URLs); a body with nothing that could produce a tag, an
attribute or such a URL is not rendered at all."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .placeholders import Placeholder

EDITION_EXTENSIONS = ("sane_lists", "md_in_html")
"""The Markdown extensions the edition adds to those of mkdocs.yml."""
EXTENSIONS = ("tables", "toc", "admonition", "attr_list", "fenced_code", *EDITION_EXTENSIONS)
"""The Markdown extensions of the manual (mkdocs.yml, and those the edition adds), as the PDFs render them too."""

_SCHEMES = ("javascript", "vbscript", "data:")
_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link",
                       "style", "form", "portal"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
                             "lowsrc", "dynsrc", "codebase", "cite"})
_IGNORED = re.compile(r"[\x00-\x20]")  # what a browser drops from a URL before reading its scheme
_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)
_PICTURE = re.compile(r"data:image/(?:png|jpeg|gif|webp);", re.IGNORECASE)  # an inline picture runs nothing


def active_content(body: str, body_line: int) -> list[Placeholder]:
    """The active content in `body`, each with the file line it is first written on."""
    if "<" not in body and "{" not in body:  # most bodies: nothing that could become a tag or an attribute
        lowered = body.lower()
        if not any(word in lowered for word in _SCHEMES):
            return []  # nor such a URL: nothing to render
    import markdown  # type: ignore[import-untyped,unused-ignore]  # only bodies that may hold HTML pay for it

    reader = _Reader()
    reader.feed(markdown.markdown(body, extensions=list(EXTENSIONS), output_format="html"))
    reader.close()
    lines = body.lower().split("\n")
    return [Placeholder(what, body_line + next((n for clue in clues for n, line in enumerate(lines) if clue in line), 0))
            for what, clues in dict.fromkeys(reader.found)]


class _Reader(HTMLParser):
    """Collects what is active in rendered HTML: what to name, and words to find its line by (the first found)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ELEMENTS:
            self.found.append((f"<{tag}>", (f"<{tag}", tag)))
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append((f"{name}= on <{tag}>", (name, tag)))
            elif name in _URL_ATTRIBUTES and value is not None:
                url = _IGNORED.sub("", value)
                if _SCHEME.match(url) and not (tag == "img" and _PICTURE.match(url)):
                    scheme = url[:url.index(":")].lower()
                    self.found.append((f"{name}=\"{scheme}:\" on <{tag}>", (scheme, name, tag)))

    handle_startendtag = handle_starttag
