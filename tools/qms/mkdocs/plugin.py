"""MkDocs events of the `qms` plugin; what to publish is decided in publish.py, pages are made in pages.py."""

from __future__ import annotations

import json
import os
import posixpath
from datetime import date, datetime, timezone

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .. import rules
from ..errors import QmsError
from ..gitlog import git, index
from ..model.config import Config, load_config
from ..commands.control import authority, judge_history
from ..commands.history import adopted_commits
from ..gitlog.trail import problems_by_entry, proofs
from ..model.workspace import Workspace, scan
from . import pages
from .config import QmsPluginConfig
from .publish import Left, Published, in_force

log = get_plugin_logger(__name__)
ASSETS = os.path.join(os.path.dirname(__file__), "assets")
TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
MANIFEST = "qms-manifest.json"


class QmsPlugin(BasePlugin[QmsPluginConfig]):  # type: ignore[no-untyped-call]
    """Publishes exactly the documents in force, from one parse of their front matter."""

    def __init__(self) -> None:
        self.ws: Workspace | None = None
        self.published: dict[str, Published] = {}  # by source path relative to docs_dir
        self.left: list[Left] = []
        self.docs_prefix = "procedures"
        self.built_from = "uncommitted"
        self.proofs: dict[str, str] | None = None  # what history proved about each approval, by entry key

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        root = os.path.dirname(os.path.abspath(config.config_file_path))
        self.docs_prefix = os.path.relpath(config.docs_dir, root).replace(os.sep, "/")
        wanted = self.config.build_date
        try:
            day = wanted if isinstance(wanted, date) else date.fromisoformat(str(wanted)) if wanted else \
                datetime.now(timezone.utc).date()
        except ValueError:
            raise PluginError(f"mkdocs.yml: qms build_date '{self.config.build_date}' is not YYYY-MM-DD") from None
        try:
            self.ws = scan(root, load_config(root), day, authority=authority(root))
            history = self._history(root, self.ws.config)
        except QmsError as exc:
            raise PluginError(exc.message) from None
        for finding in rules.run(self.ws):  # the same rules as pre-commit and CI: errors fail --strict
            (log.warning if finding.severity == "error" else log.info)("%s", finding.text())
        published, self.left = in_force(history, self.ws)
        self.published = {self._src(item.doc.path): item for item in published}
        for item in published:
            if item.from_history:
                log.info("%s: publishing revision %s from commit %s (the file is being revised)", item.doc.id,
                         item.doc.revision, (item.source_commit or "")[:12])
        for unpublished in self.left:
            log.info("not published: %s %s (%s)", unpublished.doc.id, unpublished.doc.path, unpublished.reason)
        config.nav = pages.nav(self.ws.config, self.published, self.config.records_register)
        config.extra_css.append("assets/qms/qms.css")
        config.extra_javascript.append("assets/qms/qms.js")
        return config

    def _history(self, root: str, config: Config) -> index.HistoryIndex | None:
        if not self.config.history:
            return None
        if not git.succeeds(["rev-parse", "--is-inside-work-tree"], root):
            log.warning("%s is not a Git repository: revision histories and earlier revisions cannot be "
                        "published (set history: false to build without them)", root)
            return None
        git.require_root(root)
        since = config.verify_from
        if since and git.commit_id(root, since) is None:
            log.warning("verify_from %s is not in this repository, so the control blocks say nothing about how "
                        "approvals were proved (qms verify says the same)", since)
            history = index.build(root)
        else:
            judged = judge_history(root, config, since)
            history = judged.history
            self.proofs = proofs(history.transitions, adopted_commits(root, config, history.transitions),
                                 problems_by_entry(judged.findings))
        self.built_from = history.head[:12] if history.head != git.EMPTY_TREE else "uncommitted"
        if history.shallow:
            log.warning("this clone is shallow, so revision histories are incomplete and earlier revisions of "
                        "documents being revised cannot be published: fetch full history (git fetch --unshallow; "
                        "in CI, actions/checkout with fetch-depth: 0)")
        return history

    def _src(self, path: str) -> str:
        return posixpath.relpath(path, self.docs_prefix)

    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.ws is None:
            return files
        docs_dir = os.path.abspath(config.docs_dir) + os.sep
        linked = {link.resolved for item in self.published.values() for link in item.doc.links}
        for file in list(files):
            in_docs = os.path.abspath(file.abs_src_path or os.sep).startswith(docs_dir)
            if file.src_uri.endswith(".md") or (in_docs and f"{self.docs_prefix}/{file.src_uri}" not in linked):
                # pages are generated from our own parse; other files go out only if a published page uses them
                files.remove(file)
        ids = {item.doc.id: src for src, item in self.published.items()}
        for src, item in self.published.items():
            # A body that itself begins with '---' must not be taken for front matter by MkDocs.
            body = "\n" + item.doc.body if item.doc.body.startswith("---") else item.doc.body
            files.append(File.generated(config, src, content=body))
            files.append(File.generated(config, pages.history_uri(item.doc.id), content=pages.history_page(
                item, self.ws.config, self.ws.today, pages.link(pages.history_uri(item.doc.id), src))))
        generated = {
            "index.md": pages.home(self.ws, list(self.published.values()), ids),
            pages.MASTER_LIST: pages.master_list(self.ws, list(self.published.values()), self.left, ids),
            pages.CLAUSE_MATRIX: pages.clause_matrix(list(self.published.values()), ids),
        }
        if self.config.records_register:
            generated[pages.RECORDS] = pages.records_register(self.ws)
        for uri, content in generated.items():
            files.append(File.generated(config, uri, content=content))
        for name in ("qms.css", "qms.js"):
            files.append(File.generated(config, f"assets/qms/{name}", abs_src_path=os.path.join(ASSETS, name)))
        return files

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment | None:
        if self.config.enabled and env.loader is not None:  # the theme's templates first, then ours
            env.loader = jinja2.ChoiceLoader([env.loader, jinja2.FileSystemLoader(TEMPLATES)])
        return env

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.ws is None:
            return markdown
        item = self.published.get(page.file.src_uri)
        if page.file.src_uri.startswith("history/"):
            page.meta["template"] = "qms-history.html"
        if item is None:
            return markdown + pages.provenance(None, self.built_from, self.ws.today).replace(
                "; this document from the working tree", "")
        doc = item.doc
        page.meta = {"title": pages.e(doc.title), "qms": {"id": doc.id, "revision": doc.revision, "type": doc.type}}
        self._check_links(item)
        block = pages.control_block(item, self.ws.config, page.file.src_uri, self.ws.today, config.use_directory_urls,
                                    self.proofs)
        return block + doc.body + pages.provenance(item.source_commit, self.built_from, self.ws.today)

    def _check_links(self, item: Published) -> None:
        """A link to a controlled document that is not published fails --strict, naming both."""
        assert self.ws is not None
        for target in item.doc.links:
            if not target.resolved.startswith(self.docs_prefix + "/") or not target.resolved.endswith(".md"):
                continue
            if self._src(target.resolved) not in self.published:
                other = next((d for d in self.ws.documents if d.path == target.resolved), None)
                state = self.ws.assessment(other).state if other else "missing"
                log.warning("%s (%s, line %d) links to %s, which is not published (%s)", item.doc.path,
                            item.doc.id, target.line, target.target, state)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.ws is None:
            return
        manifest = pages.manifest(self.ws, self.published, self.built_from, config.use_directory_urls)
        with open(os.path.join(config.site_dir, MANIFEST), "w", encoding="utf-8") as out:
            json.dump(manifest, out, indent=2, ensure_ascii=False)
            out.write("\n")
