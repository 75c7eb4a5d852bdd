"""The `qms` MkDocs plugin: a thin wrapper that serves MkDocs the edition of the manual (edition.py), which is
also what `qms export` writes for renderers that run no plugins."""

from __future__ import annotations

import json
import os
from datetime import date

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ..errors import QmsError
from ..model import clock
from . import edition
from .config import QmsPluginConfig

log = get_plugin_logger(__name__)


class QmsPlugin(BasePlugin[QmsPluginConfig]):  # type: ignore[no-untyped-call]
    """Publishes exactly the documents in force, from one parse of their front matter."""

    def __init__(self) -> None:
        self.edition: edition.Edition | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        root = os.path.dirname(os.path.abspath(config.config_file_path))
        wanted = self.config.build_date
        try:
            day = wanted if isinstance(wanted, date) else date.fromisoformat(str(wanted)) if wanted else \
                clock.today()
        except ValueError:
            raise PluginError(f"mkdocs.yml: qms build_date '{self.config.build_date}' is not YYYY-MM-DD") from None
        options = edition.Options(day, self.config.history, self.config.records_register,
                                  os.path.relpath(config.docs_dir, root).replace(os.sep, "/"),
                                  config.use_directory_urls, self.config.pdf, config.site_url or None,
                                  self.config.training)
        try:
            self.edition = made = edition.make(root, options)
        except QmsError as exc:
            raise PluginError(exc.message) from None
        for finding in made.findings:  # the same rules as pre-commit and CI: errors fail --strict
            (log.warning if finding.severity == "error" else log.info)("%s", finding.text())
        for problem in made.problems:
            log.warning("%s", problem)
        for note in made.notes:
            log.info("%s", note)
        failed = [f.text() for f in made.findings if f.severity == "error"] + made.problems
        if failed and config.strict:  # also when -q silences the warnings --strict would count
            raise PluginError(f"a strict build of this manual fails on {len(failed)} error(s), the first: {failed[0]}")
        config.nav = made.nav
        config.extra_css.extend(edition.STYLES)
        config.extra_javascript.extend(edition.SCRIPTS)
        for name in edition.MARKDOWN_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        made = self.edition
        if not self.config.enabled or made is None:
            return files
        for file in list(files):  # every page is generated from our own parse; other files only if a page shows them
            if file.src_uri.endswith(".md") or file.abs_src_path is None or \
                    os.path.abspath(file.abs_src_path).startswith(os.path.abspath(config.docs_dir) + os.sep):
                files.remove(file)
        for uri, content in made.pages.items():
            files.append(File.generated(config, uri, content=content))
        for uri, path in made.attachments.items():
            files.append(File.generated(config, uri, abs_src_path=os.path.join(made.ws.root, path)))
        for uri, data in made.files.items():
            files.append(File.generated(config, uri, content=data))
        for uri in (*edition.STYLES, *edition.SCRIPTS):
            files.append(File.generated(config, uri, abs_src_path=os.path.join(edition.ASSETS, os.path.basename(uri))))
        return files

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment | None:
        if self.config.enabled and env.loader is not None:  # the theme's templates first, then ours
            env.loader = jinja2.ChoiceLoader([env.loader, jinja2.FileSystemLoader(edition.TEMPLATES)])
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.edition is None:
            return
        with open(os.path.join(config.site_dir, edition.MANIFEST), "w", encoding="utf-8") as out:
            json.dump(self.edition.manifest(), out, indent=2, ensure_ascii=False)
            out.write("\n")
