"""The manual as plain Markdown pages: what any renderer publishes. One edition is made for a day: the documents
in force then (model.inforce) with their control blocks, the generated pages, the navigation, the files the
pages show, and the manifest. The MkDocs plugin serves it to MkDocs; `qms export` writes it to a folder that
mkdocs-material or Zensical builds without the plugin."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from .. import rules
from ..commands import established
from ..commands.common import in_force_config, workspace_on
from ..commands.control import Judged, judge_history
from ..commands.history import adopted_approvals
from ..gitlog import git, index
from ..gitlog.trail import Revision, problems_by_entry, proofs, revisions_by_document
from ..model import cache
from ..model.active import EDITION_EXTENSIONS
from ..model.config import Config, load_config
from ..model.finding import Finding
from ..model.workspace import Workspace
from ..model.writer import atomic_write_bytes
from . import pages
from .publish import Left, Published, in_force

ASSETS = os.path.join(os.path.dirname(__file__), "assets")
TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
MANIFEST = "qms-manifest.json"
STYLES, SCRIPTS = ("assets/qms/qms.css",), ("assets/qms/qms.js",)
# sane_lists: numbered steps keep the numbers of the approved text (<ol start>); md_in_html: generated tables
# sit in blocks the stylesheet sizes for screen and paper.
MARKDOWN_EXTENSIONS = EDITION_EXTENSIONS  # added to mkdocs.yml's (model.active: the manual's whole set)


@dataclass(frozen=True)
class Options:
    """How the edition is made (the plugin's options in mkdocs.yml, or qms export's)."""

    day: date
    history: bool = True
    records_register: bool = False
    docs_prefix: str = "procedures"  # docs_dir, relative to the QMS root
    directory_urls: bool = True
    pdf: bool = False  # a controlled PDF of each document in force, linked from its control block
    manual_url: str | None = None  # where the current revision lives, printed in each PDF's footer
    training: bool = False  # show on each document how many of those concerned are trained on it


@dataclass
class Edition:
    """The manual on one day, renderer-neutral."""

    ws: Workspace
    published: dict[str, Published]  # by source path relative to docs_dir
    left: list[Left]
    built_from: str
    pages: dict[str, str] = field(default_factory=dict)  # source path -> the whole Markdown of the page
    nav: list[Any] = field(default_factory=list)
    attachments: dict[str, str] = field(default_factory=dict)  # source path -> the file's path in the QMS (or where
    #                                                            the version committed with the linking one is kept)
    files: dict[str, bytes] = field(default_factory=dict)  # site path -> generated file (the controlled PDFs)
    findings: list[Finding] = field(default_factory=list)  # the rules' findings: errors fail a strict build
    problems: list[str] = field(default_factory=list)  # what else fails a strict build
    notes: list[str] = field(default_factory=list)  # what a reader of the build log should know
    proofs: dict[str, str] | None = None  # what history proved about each approval, by entry key (None: not read)
    judged: Judged | None = None  # history as judged from verify_from (None: not read, or verify_from not here)

    def manifest(self) -> dict[str, Any]:
        """qms-manifest.json: what was published, so that anyone can check the site against the repository."""
        return pages.manifest(self.ws, self.published, self.built_from, True)


def make(root: str, options: Options) -> Edition:
    """The edition of the QMS at `root` in force on `options.day`."""
    with cache.settled():  # the plugin's build, like every qms command: the caches stay out of the collector's walks
        return _make(root, options)


def _make(root: str, options: Options) -> Edition:
    today_config = in_force_config(root, load_config(root))
    ws = workspace_on(root, today_config, options.day)  # a past day: the QMS as it stood then
    revised, judged, built_from, proved, warnings = _history(root, ws, options, today_config)
    published, left = in_force(revised, ws)
    src = {item.doc.path: posixpath.relpath(item.doc.path, options.docs_prefix) for item in published}
    edition = Edition(ws, {src[item.doc.path]: item for item in published}, left, built_from, problems=warnings,
                      proofs=proved, judged=judged)
    edition.findings = rules.run(ws)
    edition.notes += [f"{item.doc.id}: publishing revision {item.doc.revision} from commit "
                      f"{(item.source_commit or '')[:12]} (the file is being revised)" for item in published
                      if item.from_history]
    edition.notes += [f"not published: {x.doc.id} {x.doc.path} ({x.reason})" for x in left]
    _pages(edition, options, proved)
    if options.pdf:
        _pdfs(edition, options)
    edition.nav = pages.nav(ws.config, edition.published, options.records_register)
    return edition


def _history(root: str, ws: Workspace, options: Options, today_config: Config
             ) -> tuple[dict[str, list[Revision]], Judged | None, str, dict[str, str] | None, list[str]]:
    """The revisions history holds of each document (and the judgement of history), the commit the edition is
    built from, what history proved about each approval, and what keeps the manual from being complete (a strict
    build fails on it)."""
    notes: list[str] = []
    verify_from = today_config.verify_from
    if not options.history:
        head = ws.commit or (git.head_or_empty(root) if git.is_repository(root) else git.EMPTY_TREE)
        return {}, None, head[:12] if head != git.EMPTY_TREE else "uncommitted", None, notes
    if not git.is_repository(root):
        notes.append(f"{root} is not a Git repository: revision histories and earlier revisions cannot be published "
                     "(set history: false to build without them)")
        return {}, None, "uncommitted", None, notes
    git.require_root(root)
    proved, judged = None, None
    if verify_from and git.commit_id(root, verify_from) is None:
        notes.append(f"verify_from {verify_from} is not in this repository, so the control blocks say nothing about "
                     "how approvals were proved (qms verify says the same)")
        history = index.build(root, heads=(ws.commit or "HEAD",))
    else:
        judged = judge_history(root, ws.config, established.judged_after(root, today_config), ws.commit)
        history = judged.history
    revised = revisions_by_document(history.transitions)
    if judged is not None:
        proved = proofs((revision for found in revised.values() for revision in found),
                        adopted_approvals(root, today_config, history.transitions), problems_by_entry(judged.findings))
    if history.shallow:
        notes.append("this clone is shallow, so revision histories are incomplete and earlier revisions of documents "
                     "being revised cannot be published: fetch full history (git fetch --unshallow; in CI, "
                     "actions/checkout with fetch-depth: 0)")
    head = ws.commit or history.head
    return revised, judged, head[:12] if head != git.EMPTY_TREE else "uncommitted", proved, notes


def _attachments(edition: Edition, prefix: str) -> None:
    """The files the published versions link to (images, drawings), each as the commit of the first version that
    links to it holds it: what was approved with it, even where the folder's file was changed since (QMS109). Such
    a file is kept in .git/qms-attachments by its digest, and published, copied and printed from there; a version
    not committed yet links to the folder's file."""
    ws, linked = edition.ws, dict[str, str | None]()
    for item in edition.published.values():
        for link in item.doc.links:
            path = link.resolved
            if path.startswith(prefix + "/") and not path.endswith(".md") and (path in ws.files or item.source_commit):
                linked.setdefault(path, item.source_commit)  # a file removed since is published as committed
    committed = git.read_blobs(ws.root, [f"{commit}:{path}" for path, commit in sorted(linked.items()) if commit])
    folder = cache.cache_file(ws.root, "qms-attachments")
    for path, commit in sorted(linked.items()):
        data = committed.get(f"{commit}:{path}") if commit else None
        kept = _kept(folder, data) if data is not None and folder else None
        if kept or path in ws.files:
            edition.attachments[posixpath.relpath(path, prefix)] = kept or path


def _kept(folder: str, data: bytes) -> str | None:
    """The absolute path of a file holding `data` in `folder`, written once (by digest) and atomically."""
    target = os.path.join(folder, hashlib.sha256(data).hexdigest())
    if not os.path.exists(target):
        try:
            os.makedirs(folder, exist_ok=True)
            atomic_write_bytes(target, data)
        except OSError:
            return None
    return target


def _pages(edition: Edition, options: Options, proved: dict[str, str] | None) -> None:
    ws, day = edition.ws, edition.ws.today
    ids = {item.doc.id: quote(src) for src, item in edition.published.items()}  # a '#' or '?' in a name is a name
    _attachments(edition, options.docs_prefix)
    trained = pages.trained_counts(ws.training) if options.training else {}
    for src, item in edition.published.items():
        doc = item.doc
        meta = {"title": pages.e(f"{doc.id} {doc.title}"), "qms": {"id": doc.id, "revision": doc.revision, "type": doc.type},
                "search": {"boost": 10}}
        block = pages.control_block(item, ws.config, src, day, options.directory_urls, proved,
                                    history=options.history, due=ws.next_review(doc), pdf=options.pdf,
                                    trained=trained.get(doc.id))
        body = "\n" + doc.body if doc.body.startswith("---") else doc.body
        edition.pages[src] = _front(meta) + block + body + pages.provenance(item.source_commit, edition.built_from,
                                                                             day)
        if options.history:
            edition.pages[pages.history_uri(doc.id)] = _front({
                "title": f"Revision history of {doc.id}", "template": "qms-history.html",
                "search": {"exclude": True}}) + pages.history_page(
                item, ws.config, day, quote(pages.link(pages.history_uri(doc.id), src))) + \
                pages.provenance(None, edition.built_from, day, generated=True)
    for gone in edition.left:
        if gone.standing.withdrawn is not None:
            uri = posixpath.relpath(gone.doc.path, options.docs_prefix)
            edition.pages[uri] = _front({"title": f"{gone.doc.id} withdrawn", "search": {"exclude": True}}) + \
                pages.withdrawn(gone, uri, ids) + \
                pages.provenance(None, edition.built_from, day, generated=True)
    generated = {
        "index.md": pages.home(ws, list(edition.published.values()), ids),
        pages.MASTER_LIST: pages.master_list(ws, list(edition.published.values()), edition.left, ids),
        pages.CLAUSE_MATRIX: pages.clause_matrix(list(edition.published.values()), ids),
    }
    if options.records_register:
        generated[pages.RECORDS] = pages.records_register(ws)
    for uri, content in generated.items():
        edition.pages[uri] = content + pages.provenance(None, edition.built_from, day, generated=True)
    for item in edition.published.values():
        _check_links(edition, item, options.docs_prefix)


def _pdfs(edition: Edition, options: Options) -> None:
    """The controlled PDF of each document in force (pdf/build.py: only what changed is rendered)."""
    from ..pdf import build  # WeasyPrint is imported only when PDFs are wanted

    made = build.documents(edition, manual_url=options.manual_url)
    edition.files.update({pages.pdf_uri(pdf.name): pdf.data for pdf in made})
    fresh = sum(not pdf.cached for pdf in made)
    edition.notes.append(f"controlled PDFs: {fresh} rendered, {len(made) - fresh} unchanged (from the cache)")


def _front(meta: dict[str, Any]) -> str:
    """YAML front matter (JSON is YAML): what the renderer takes the page's title and search weight from."""
    return "---\n" + "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items()) + \
        "---\n\n"


def _check_links(edition: Edition, item: Published, docs_prefix: str) -> None:
    """A link to a controlled document that is not published fails a strict build, naming both."""
    ws = edition.ws
    for target in item.doc.links:
        if not target.resolved.startswith(docs_prefix + "/") or not target.resolved.endswith(".md"):
            continue
        uri = posixpath.relpath(target.resolved, docs_prefix)
        if uri in edition.pages and uri not in edition.published:
            edition.notes.append(f"{item.doc.path} ({item.doc.id}, line {target.line}) links to {target.target}, "
                                 "which is withdrawn: the link leads to the page that says so")
        elif uri not in edition.published:
            other = next((d for d in ws.documents if d.path == target.resolved), None)
            state = ws.assessment(other).state if other else "missing"
            edition.problems.append(f"{item.doc.path} ({item.doc.id}, line {target.line}) links to {target.target}, "
                                    f"which is not published ({state})")
