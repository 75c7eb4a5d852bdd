"""`qms export DIR [--as-of D]`: the manual as plain Markdown, for any static site generator that reads
mkdocs.yml (mkdocs-material without the qms plugin, Zensical). The same edition the MkDocs plugin serves
(mkdocs/edition.py): the documents in force with their control blocks, the generated pages, the navigation, the
files the pages show, the stylesheet and the manifest. DIR gets its own mkdocs.yml; build it with
`mkdocs build -f DIR/mkdocs.yml` or `cd DIR && zensical build`."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, QmsError
from ..model.writer import check_new_folder, write_folder
from ..mkdocs import edition
from .common import add_common, find_root, today

EXAMPLE = """examples:
  qms export manual-export
  qms export audit-edition --as-of 2026-03-01
  mkdocs build -f manual-export/mkdocs.yml      (or: cd manual-export && zensical build)
"""
DOCS, OVERRIDES = "docs", "overrides"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("export", help="write the manual in force as plain Markdown with its own mkdocs.yml",
                                 epilog=EXAMPLE)
    parser.add_argument("out", metavar="DIR", help="the folder to create; must not exist or be empty")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    root = find_root(args.directory)
    out = os.path.abspath(os.path.join(args.directory, args.out))
    check_new_folder(out, root, "the exported manual")
    site = _site_config(root)
    docs_prefix = os.path.relpath(os.path.join(root, str(site.get("docs_dir", "procedures"))), root)
    plugin = _plugin_options(site)
    made = edition.make(root, edition.Options(today(args), bool(plugin.get("history", True)),
                                              bool(plugin.get("records_register", False)),
                                              docs_prefix.replace(os.sep, "/"),
                                              bool(site.get("use_directory_urls", True)),
                                              bool(plugin.get("pdf", True)), site.get("site_url") or None,
                                              bool(plugin.get("training", False))))
    errors = [finding.text() for finding in made.findings if finding.severity == "error"] + made.problems
    if errors:
        raise QmsError("refused, and nothing was written: a strict build of this manual would fail:\n" +
                       "\n".join(errors), EXIT_FINDINGS)
    files: dict[str, str | bytes] = {f"{DOCS}/{uri}": content for uri, content in made.pages.items()}
    files.update({f"{DOCS}/{uri}": data for uri, data in made.files.items()})
    files[f"{DOCS}/{edition.MANIFEST}"] = json.dumps(made.manifest(), indent=2, ensure_ascii=False) + "\n"
    files["mkdocs.yml"] = _exported_config(site, made)
    copies = {f"{DOCS}/{uri}": os.path.join(root, path) for uri, path in made.attachments.items()}
    copies.update({f"{DOCS}/{uri}": os.path.join(edition.ASSETS, os.path.basename(uri))
                   for uri in (*edition.STYLES, *edition.SCRIPTS)})
    copies.update({f"{OVERRIDES}/{name}": os.path.join(edition.TEMPLATES, name)
                   for name in sorted(os.listdir(edition.TEMPLATES))})
    write_folder(out, files, copies)
    published = len(made.published)
    print(f"qms export: {published} documents in force on {made.ws.today}, from commit {made.built_from}, written "
          f"to {args.out} (build it with: mkdocs build -f {os.path.join(args.out, 'mkdocs.yml')})", file=sys.stderr)
    return EXIT_CLEAN


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments and key order survive, and tags such as !!python/name are kept as written
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _site_config(root: str) -> Any:
    path = os.path.join(root, "mkdocs.yml")
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        try:
            loaded = _yaml().load(handle)
        except Exception as exc:  # ruamel's errors share no base class worth naming
            raise QmsError(f"mkdocs.yml: cannot be read: {str(exc).splitlines()[0]} (fix mkdocs.yml)") from None
    return loaded if isinstance(loaded, dict) else {}


def _plugin_options(site: Any) -> dict[str, Any]:
    for entry in site.get("plugins", []) or []:
        if isinstance(entry, dict) and "qms" in entry:
            return dict(entry["qms"] or {})
    return {}


def _exported_config(site: Any, made: edition.Edition) -> str:
    """The site's mkdocs.yml for the exported tree: the qms plugin out, our pages, navigation and styles in."""
    config = site if site else {"site_name": f"{made.ws.config.organisation}: Quality Management System"}
    config["docs_dir"] = DOCS
    config["site_dir"] = "site"
    config["nav"] = made.nav
    plugins = [entry for entry in config.get("plugins", ["search"]) or []
               if entry != "qms" and not (isinstance(entry, dict) and "qms" in entry)]
    config["plugins"] = plugins
    config["extra_css"] = [*(config.get("extra_css") or []), *edition.STYLES]
    config["extra_javascript"] = [*(config.get("extra_javascript") or []), *edition.SCRIPTS]
    extensions = list(config.get("markdown_extensions") or [])
    names = {entry if isinstance(entry, str) else next(iter(entry)) for entry in extensions}
    config["markdown_extensions"] = extensions + [name for name in edition.MARKDOWN_EXTENSIONS if name not in names]
    theme = config.get("theme") or {"name": "material"}
    if isinstance(theme, str):
        theme = {"name": theme}
    theme["custom_dir"] = OVERRIDES
    config["theme"] = theme
    config.pop("not_in_nav", None)
    listed = _in_nav(made.nav)
    config["not_in_nav"] = LiteralScalarString("/history/\n" + "".join(
        f"/{uri}\n" for uri in made.pages if uri not in listed and not uri.startswith("history/")))
    text = io.StringIO()
    text.write("# Exported by qms export: the manual as in force on "
               f"{made.ws.today}, from commit {made.built_from}. Build with mkdocs-material or Zensical.\n")
    plain = _plain_nav(made.nav) if not (hasattr(site, "ca") and site.ca.items.get("nav")) else None
    if plain is None:
        _yaml().dump(config, text)
        return text.getvalue()
    config["nav"] = _NAV_MARK  # ruamel takes about 0.3 s over a thousand entries: plain ones are written here
    _yaml().dump(config, text)
    return text.getvalue().replace(f"\nnav: {_NAV_MARK}\n", "\nnav:\n" + "".join(plain), 1)


_NAV_MARK = "qms-export-navigation"
# A label or path that YAML writes as it is, whatever the writer (no indicator, no ': ' or ' #', nothing a
# resolver reads as a number, date, boolean or null), so that writing it here gives what ruamel would.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/()&;,+'-]*(?: [A-Za-z0-9._/()&;,+'-]+)*")
_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _plain_nav(nav: list[Any], depth: int = 0) -> list[str] | None:
    """The navigation's lines as ruamel writes them (a sequence at the key's indent, mappings of one key), or None
    where a label or path needs ruamel's own judgement (quotes, an empty section, something other than text)."""
    lines, pad = [], "  " * depth
    for entry in nav:
        if not isinstance(entry, dict) or len(entry) != 1:
            return None
        [(label, value)] = entry.items()
        if not _plain(label) or len(label) > 100:  # a longer key is written as a complex key ("? ...")
            return None
        if isinstance(value, list) and value:
            inner = _plain_nav(value, depth + 1)
            if inner is None:
                return None
            lines += [f"{pad}- {label}:\n", *inner]
        elif isinstance(value, str) and _plain(value):
            lines.append(f"{pad}- {label}: {value}\n")
        else:
            return None
    return lines


def _plain(value: object) -> bool:
    return type(value) is str and len(value) < 1000 and _PLAIN.fullmatch(value) is not None and \
        value.lower() not in _WORDS


def _in_nav(nav: list[Any]) -> set[str]:
    found: set[str] = set()
    for entry in nav:
        for value in (entry.values() if isinstance(entry, dict) else [entry]):
            if isinstance(value, list):
                found |= _in_nav(value)
            else:
                found.add(str(value))
    return found
