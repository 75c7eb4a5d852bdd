"""`qms pdf [ID...] [--as-of D] --out DIR`: controlled PDFs of the documents in force, and of the whole manual.

The PDFs are made from the same edition as the manual (mkdocs/edition.py): the revision in force and its control
block, never the working tree. A PDF already rendered for the same content is taken from the cache (pdf/build.py).
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, QmsError
from ..mkdocs import edition
from ..model.writer import atomic_write_bytes
from .common import add_common, find_root, today
from .export import _plugin_options, _site_config

EXAMPLE = """examples:
  qms pdf --out pdf                          every document in force, and manual.pdf (the whole manual)
  qms pdf SOP-001 WI-003 --out pdf           these two documents only
  qms pdf --as-of 2026-03-01 --out audit-pdf as they were in force on that day

Each PDF carries the organisation, id, title, revision and effective date on every page, "Page X of Y", a
signature page (name, role, meaning, UTC time, and how each approval was proved) and the revision history; its
metadata holds the fingerprint and the source commit (pdfinfo, or any PDF reader's document properties). Where
qms.yml names a seal (pdf.seal), each PDF is signed with it, and none is written if it cannot be.
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("pdf", help="write controlled PDFs of documents in force and of the whole manual",
                                 epilog=EXAMPLE)
    parser.add_argument("ids", nargs="*", metavar="ID", help="documents to print (default: every document in force, "
                        "and the whole manual as manual.pdf)")
    parser.add_argument("--out", required=True, metavar="DIR", help="the folder to write the PDFs into (created if "
                        "missing; a PDF of the same name is replaced)")
    parser.add_argument("--manual-url", metavar="URL", help="where the current revision is published, printed in "
                        "each page's footer (default: site_url in mkdocs.yml)")
    add_common(parser, main)


def main(args: argparse.Namespace) -> int:
    from ..pdf import build  # Markdown, Jinja2 and WeasyPrint: the manual's packages, imported only to print

    root = find_root(args.directory)
    site = _site_config(root)
    docs_prefix = os.path.relpath(os.path.join(root, str(site.get("docs_dir", "procedures"))), root)
    plugin = _plugin_options(site)
    made = edition.make(root, edition.Options(today(args), bool(plugin.get("history", True)), False,
                                              docs_prefix.replace(os.sep, "/")))
    errors = [finding.text() for finding in made.findings if finding.severity == "error"] + made.problems
    if errors:
        raise QmsError("refused, and nothing was written: the manual these PDFs come from would not build:\n" +
                       "\n".join(errors), EXIT_FINDINGS)
    url = args.manual_url or site.get("site_url") or None
    in_force = {item.doc.id for item in made.published.values()}
    missing = [doc_id for doc_id in args.ids if doc_id not in in_force]
    for doc_id in missing:
        print(f"qms pdf: {doc_id}: {_why_not(made, doc_id)}: no PDF", file=sys.stderr)
    renditions = build.documents(made, args.ids or None, url)
    if not args.ids:
        renditions.append(build.manual(made, url))
    out = os.path.abspath(os.path.join(args.directory, args.out))
    os.makedirs(out, exist_ok=True)
    for pdf in renditions:
        name = f"{pdf.name}.pdf"
        atomic_write_bytes(os.path.join(out, name), pdf.data)
        print(f"wrote {os.path.join(args.out, name)}" + (" (unchanged, from the cache)" if pdf.cached else ""))
    fresh = sum(not pdf.cached for pdf in renditions)
    print(f"qms pdf: {len(renditions)} PDFs as in force on {made.ws.today} ({fresh} rendered, "
          f"{len(renditions) - fresh} from the cache)", file=sys.stderr)
    return EXIT_FINDINGS if missing else EXIT_CLEAN


def _why_not(made: edition.Edition, doc_id: str) -> str:
    """Why a document has no PDF on the edition's day, in the words of model.inforce."""
    left = next((x for x in made.left if x.doc.id == doc_id), None)
    return f"not in force on {made.ws.today} ({left.reason})" if left else "no such document"

