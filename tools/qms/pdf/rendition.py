"""What a controlled PDF says, as data, and its HTML: one document in force, or the whole manual.

Everything comes from the edition (mkdocs/edition.py): the revision in force and its control block, what history
proved about each approval, the revision history. Nothing is read from the working tree here. The HTML comes from
Jinja2 templates with autoescape; the Markdown of a document's body is converted with the extensions the manual
uses, so that numbered steps keep their approved numbers (sane_lists: <ol start>).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import jinja2
import markdown  # type: ignore[import-untyped,unused-ignore]
from markupsafe import Markup

from ..model.config import Config
from ..model.document import Approval
from ..model.transition import entry_key
from ..mkdocs import pages
from ..mkdocs.edition import Edition
from ..model.active import EXTENSIONS as ACTIVE_EXTENSIONS
from ..mkdocs.publish import Published
from .seal import Seal

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
# The manual's own Markdown extensions (mkdocs.yml) and the edition's: the PDF prints what the site shows.
EXTENSIONS = ACTIVE_EXTENSIONS
NOT_COMMITTED = "not yet committed"
UNKNOWN = "not verified (history was not read)"
RENDERED = "\x00rendered\x00"  # where the render date goes: outside the cache key, so a new day renders nothing


@dataclass(frozen=True)
class Signature:
    """One approval as the signature page manifests it (21 CFR 11.50): who, in which role, meaning what, when,
    how history proved it, and the commit that added it."""

    name: str
    role: str
    meaning: str
    at: str  # UTC
    proof: str
    commit: str | None


@dataclass(frozen=True)
class Sheet:
    """One controlled document as printed: its identity, body, signatures and history."""

    doc_id: str
    title: str
    revision: str
    effective: str
    fingerprint: str
    source_commit: str | None
    control: Markup  # the control block, as on the site
    body: Markup
    signatures: tuple[Signature, ...]
    history: Markup
    anchor: str


def signatures(item: Published, config: Config, proofs: dict[str, str] | None) -> tuple[Signature, ...]:
    """The approvals of the revision in force, with what history proved about each (trail.VERDICTS)."""
    doc = item.doc
    added = {entry_key(s.approval): s.act.sha for revision in item.revisions for s in revision.signed}

    def proof(approval: Approval) -> str:
        return UNKNOWN if proofs is None else proofs.get(entry_key(approval), NOT_COMMITTED)

    return tuple(Signature(a.name, config.roles[a.role].title if a.role in config.roles else a.role, a.meaning,
                           a.at.strftime("%Y-%m-%d %H:%M:%S UTC"), proof(a), added.get(entry_key(a)))
                 for a in doc.approvals if a.fingerprint == doc.fingerprint)


def anchor(doc_id: str) -> str:
    """Where a document starts in the whole manual's PDF."""
    return "doc-" + re.sub(r"[^A-Za-z0-9_-]", "_", doc_id)


def sheet(edition: Edition, src: str, together: bool = False) -> Sheet:
    """The printed form of the published document at source path `src`; `together`: inside the whole manual,
    where its links to other documents lead to them."""
    item, ws = edition.published[src], edition.ws
    doc = item.doc
    control = pages.control_block(item, ws.config, src, ws.today, proofs=edition.proofs, history=False)
    history = pages.history_table(item, ws.config, ws.today) if item.revisions else []
    body = _links(to_html(doc.body), src, {s: p.doc.id for s, p in edition.published.items()}, together)
    return Sheet(doc.id, doc.title, doc.revision, doc.effective.isoformat() if doc.effective else "-",
                 doc.fingerprint, item.source_commit, Markup(to_html(control)), Markup(body),
                 signatures(item, ws.config, edition.proofs), Markup(to_html("\n".join(history))),
                 anchor(doc.id))


def to_html(text: str) -> str:
    """Markdown as the manual converts it (front-matter values in it are already escaped by mkdocs/pages.py)."""
    html: str = markdown.markdown(text, extensions=list(EXTENSIONS), output_format="html")
    return html


_HREF = re.compile(r'<a href="([^"#:]*)(#[^"]*)?"')


def _links(html: str, src: str, ids: dict[str, str], together: bool) -> str:
    """Links between documents lead to the document inside the whole manual; elsewhere (a relative link means
    nothing on paper, and would name a folder of the machine that rendered it) they are kept as text only."""
    def replace(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(src), match.group(1))) if match.group(1) \
            else src
        if together and target in ids:
            return f'<a href="#{anchor(ids[target])}"'
        return "<a" if match.group(1) else match.group(0)
    return _HREF.sub(replace, html)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=1)
def template_version() -> str:
    """The templates', the stylesheet's and this package's source: a change to any of them renders every PDF anew."""
    digest = hashlib.sha256()
    here = os.path.dirname(__file__)
    for folder in (here, TEMPLATES):
        for name in sorted(os.listdir(folder)):
            if name.endswith((".py", ".html", ".css")):
                with open(os.path.join(folder, name), "rb") as handle:
                    digest.update(name.encode() + b"\0" + handle.read())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Context:
    """What every page of a PDF carries beside the document: who, where the current revision lives, which day."""

    organisation: str
    manual_url: str | None
    day: date
    built_from: str
    seal: Seal | None = None  # what the PDFs are signed with (the signature page says so)


def context(edition: Edition, manual_url: str | None, seal: Seal | None = None) -> Context:
    """The running text of the PDFs of an edition."""
    return Context(edition.ws.config.organisation, manual_url, edition.ws.today, edition.built_from, seal)


def document_html(page: Sheet, about: Context) -> str:
    """The HTML of one document's PDF; the render date is left as RENDERED (see `dated`)."""
    return _environment().get_template("document.html").render(
        sheet=page, ctx=about, rendered=RENDERED, manual=False)


def document_margins(page: Sheet, about: Context) -> tuple[str, str]:
    """The running header and footer Chromium prints on each page of a document's PDF; the render date is left as
    RENDERED."""
    header, footer = (_environment().get_template(name).render(sheet=page, ctx=about, rendered=RENDERED)
                      for name in ("chromium-header.html", "chromium-footer.html"))
    return header, footer


def manual_html(sheets: list[Sheet], master_list: str, about: Context) -> str:
    """The HTML of the whole manual: cover, master list, contents with page numbers, every document in force."""
    return _environment().get_template("manual.html").render(
        sheets=sheets, master=Markup(to_html(master_list)), ctx=about, rendered=RENDERED, manual=True)


def dated(html: str, moment: datetime) -> str:
    """The HTML with its render date filled in."""
    return html.replace(RENDERED, moment.strftime("%Y-%m-%d %H:%M UTC"))


def reason(page: Sheet, about: Context) -> str:
    """What a document's seal says it is (a PDF reader shows it beside the signature)."""
    return f"Issued by the QMS of {about.organisation}: {page.doc_id} revision {page.revision}, {page.fingerprint}"


def manual_reason(about: Context) -> str:
    """What the whole manual's seal says it is."""
    return f"Issued by the QMS of {about.organisation}: the manual as in force on {about.day}, from {about.built_from}"


@lru_cache(maxsize=2)
def stylesheet(chromium: bool = False) -> str:
    """The CSS of every page of every PDF; `chromium`: with what a document's PDF needs when Chromium prints it."""
    found = []
    for name in ("pdf.css", "chromium.css") if chromium else ("pdf.css",):
        with open(os.path.join(TEMPLATES, name), encoding="utf-8") as handle:
            found.append(handle.read())
    return "\n".join(found)

