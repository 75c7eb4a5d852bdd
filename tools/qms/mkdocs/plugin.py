"""MkDocs events of the `qms` plugin; the logic lives in the model and in pages.py."""

from __future__ import annotations

import os
import posixpath
from datetime import date, datetime, timezone
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from ..errors import QmsError
from ..model.config import load_config
from ..model.document import Document
from ..model.state import EFFECTIVE
from ..model.workspace import Workspace, scan
from . import pages
from .config import QmsPluginConfig

log = get_plugin_logger(__name__)


class QmsPlugin(BasePlugin[QmsPluginConfig]):  # type: ignore[no-untyped-call]
    """Publishes only effective documents, from one parse of their front matter."""

    def __init__(self) -> None:
        self.workspace: Workspace | None = None
        self.published: list[Document] = []
        self.docs_prefix = "procedures"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        root = os.path.dirname(os.path.abspath(config.config_file_path))
        self.docs_prefix = os.path.relpath(config.docs_dir, root).replace(os.sep, "/")
        try:
            build_date = date.fromisoformat(self.config.build_date) if self.config.build_date else None
        except ValueError:
            raise PluginError(f"mkdocs.yml: qms build_date '{self.config.build_date}' is not YYYY-MM-DD") from None
        try:
            self.workspace = scan(root, load_config(root), build_date or datetime.now(timezone.utc).date())
        except QmsError as exc:
            raise PluginError(exc.message) from None
        ws = self.workspace
        self.published = [doc for doc in ws.documents if ws.assessment(doc).state == EFFECTIVE]
        for doc in ws.documents:
            if doc not in self.published:
                log.info("not published: %s (%s)", doc.path, ws.assessment(doc).state)
        config.nav = self._nav()
        return config

    def _nav(self) -> list[Any]:
        assert self.workspace is not None
        nav: list[Any] = [{"Home": "index.md"}]
        for doc_type in self.workspace.config.document_types.values():
            docs = sorted((d for d in self.published if d.type == doc_type.name), key=lambda d: d.id)
            if docs:
                nav.append({doc_type.label: [{f"{d.id} {d.title}": self._src(d)} for d in docs]})
        return nav

    def _src(self, doc: Document) -> str:
        return posixpath.relpath(doc.path, self.docs_prefix)

    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.workspace is None:
            return files
        keep = {self._src(doc) for doc in self.published}
        for file in list(files):
            if file.src_uri.endswith(".md") and file.src_uri not in keep:
                files.remove(file)
        home = pages.home(self.workspace, self.published, self.docs_prefix)
        files.append(File.generated(config, "index.md", content=home))
        return files
