"""`qms import PATH...`: bring existing Markdown and Word procedures in as drafts, planned first."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, QmsError
from ..model import revision
from ..model.finding import Finding, FindingError
from ..model.importing import PLAN_COLUMNS, Planned, Source, check_plan, draft_text, markdown_source, plan
from ..model.links import relative_links
from ..model.relink import Relinked, is_document_file, relink
from ..model.workspace import Workspace
from ..model.writer import create_all, create_each
from .common import add_common
from .new import next_id, slug, taken
from .writing import author, editing, refusals

EXAMPLE = """examples:
  qms import old-manual/ --dry-run --plan plan.csv     propose ids, types, titles, owners, clauses
  qms import old-manual/ --mapping plan.csv            import as corrected in plan.csv
  qms import "Calibration.docx" --type procedure --owner production-manager
"""
SUFFIXES = (".md", ".markdown", ".docx")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("import", help="import Markdown and Word procedures as drafts", epilog=EXAMPLE)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Markdown (.md) or Word (.docx) files, or folders "
                        "holding them")
    parser.add_argument("--type", metavar="TYPE", help="the document type for every file (default: proposed from "
                        "the file name and title; procedure otherwise)")
    parser.add_argument("--owner", metavar="ROLE", help="the owning role for every file (default: the file's own, "
                        "else quality-manager)")
    parser.add_argument("--dry-run", action="store_true", help="show the plan and write nothing")
    parser.add_argument("--plan", metavar="FILE", help="with --dry-run: also write the plan as CSV to FILE, for "
                        "correcting and passing back with --mapping")
    parser.add_argument("--mapping", metavar="FILE", help="a plan CSV corrected by the administrator: its non-empty "
                        "id, type, title, owner and clauses cells win")
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _import(args, ws)


def _import(args: argparse.Namespace, ws: Workspace) -> int:
    config = ws.config
    if args.type and args.type not in config.document_types:
        raise QmsError(f"unknown document type '{args.type}' (use one of: {', '.join(config.document_types)})",
                       EXIT_USAGE)
    if args.owner and args.owner not in config.roles:
        raise QmsError(f"unknown role '{args.owner}' (use one of: {', '.join(config.roles)})", EXIT_USAGE)
    sources, problems = _sources(_files(args.paths))
    names = taken(ws)
    numbers = {kind.prefix: int(next_id(ws, kind, names).rsplit("-", 1)[1]) for kind in config.document_types.values()}
    plans = plan(sources, config, numbers, slug, args.type, args.owner, _mapping(args.mapping), taken=names,
                 existing={doc.title.lower(): doc.id for doc in ws.documents})
    problems += check_plan(plans, config)
    problems += [loss for source in sources for loss in source.losses]
    by_source = {source.path: _media_named(source, item) for source in sources for item in plans
                 if item.source == source.path}
    relinked = _relinked(plans, by_source)
    problems += [loss for found in relinked.values() for loss in found.losses]
    _print_plan(plans, relinked)
    if args.dry_run:
        if args.plan:
            _write_plan(args.plan, plans)
        return _report(problems, [], dry_run=True)
    if any(p.severity == "error" for p in problems):
        return _report(problems, [], dry_run=False)
    first = revision.first(config.revision_scheme)
    texts = {item.path: draft_text(item, replace(by_source[item.source], body=relinked[item.source].body), first)
             for item in plans}
    attachments = {os.path.join(os.path.dirname(item.path), name): "(attachment)" for item in plans
                   for name in by_source[item.source].images}
    refused, _config = refusals(ws, author(ws), {**attachments, **texts})
    reported = _reported(plans, texts, relinked)
    refused = [f for f in refused if (f.code, f.path, f.line) not in reported]
    problems += refused
    blocked = {finding.path for finding in refused}
    items = [item for item in plans if item.path not in blocked]
    groups = []
    for item in items:
        folder = os.path.dirname(item.path)
        files = {os.path.join(ws.root, folder, name): data for name, data in by_source[item.source].images.items()}
        files[os.path.join(ws.root, item.path)] = texts[item.path].encode("utf-8")
        groups.append(files)
    written = []
    for exists, item, files in zip(create_each(groups), items, groups):  # create_each first: it runs to its end
        if exists is not None:
            where = os.path.relpath(str(exists.filename2 or exists.filename), ws.root)
            problems.append(Finding(item.source, 1, "QMS173", f"{where} already exists, so {item.source} was not "
                                    "imported", "move it away, or correct the plan's id or title with --mapping"))
            continue
        written.append(item)
        rewritten = len(relinked[item.source].rewrites)
        print(f"imported {item.source} -> {item.path}: {item.id} \"{item.title}\", draft" +
              (f", {len(files) - 1} image(s)" if len(files) > 1 else "") +
              (f", {rewritten} link(s) rewritten" if rewritten else ""))
    return _report(problems + _dangling(written, plans, relinked), written, dry_run=False)


def _sources(paths: list[str]) -> tuple[list[Source], list[Finding]]:
    """Each file read, in order, and what could not be; Word files are converted as many at a time as there are
    cores (one pandoc process each)."""
    words = [path for path in paths if path.lower().endswith(".docx")]
    with ThreadPoolExecutor(max_workers=min(len(words), os.cpu_count() or 1) or 1) as pool:
        converted = dict(zip(words, pool.map(_attempt, words)))
    read = [converted[path] if path in converted else _attempt(path) for path in paths]
    return [item for item in read if isinstance(item, Source)], [item for item in read if isinstance(item, Finding)]


def _attempt(path: str) -> Source | Finding:
    try:
        return _read(path)
    except FindingError as exc:
        return exc.finding


def _relinked(plans: list[Planned], by_source: dict[str, Source]) -> dict[str, Relinked]:
    """Each planned source's body with its links to the other imported files pointing at their new paths."""
    full = {item.source: os.path.normpath(os.path.abspath(item.source)) for item in plans}
    imported = {full[item.source]: item.path for item in plans}
    return {item.source: relink(by_source[item.source].body, item.source, full[item.source], item.path, imported)
            for item in plans}


def _reported(plans: list[Planned], texts: dict[str, str], relinked: dict[str, Relinked]) -> set[tuple[str, str, int]]:
    """The QMS051 findings the drafts are expected to have: their links to files that were not imported, which are
    kept as written and reported as QMS172, and do not stop the import (qms check reports them until fixed)."""
    found = set()
    for item in plans:
        text, kept = texts[item.path], relinked[item.source]
        body_line = text.count("\n", 0, len(text) - len(kept.body))
        found |= {("QMS051", item.path, body_line + link.line) for link in kept.kept}
    return found


def _dangling(written: list[Planned], plans: list[Planned], relinked: dict[str, Relinked]) -> list[Finding]:
    """Links rewritten to a planned document that was not written after all (the errors above say why)."""
    missing = {item.path: item.source for item in plans} if len(written) < len(plans) else {}
    for item in written:
        missing.pop(item.path, None)
    return [Finding(item.source, rewrite.line, "QMS172", f"links to {rewrite.old}, which was not imported (see above): "
                    f"the link points at {rewrite.target}, where it was planned", "import that file with the same id, "
                    "using --mapping, or change the link in the draft", "warning")
            for item in written for rewrite in relinked[item.source].rewrites if rewrite.target in missing]


def _files(paths: list[str]) -> list[str]:
    """The files named, and the Markdown and Word files under the folders named, in a stable order."""
    found = []
    for path in paths:
        if os.path.islink(path):
            raise QmsError(f"{path}: a symbolic link, refused (import the file itself; links are never followed)",
                           EXIT_USAGE)
        if os.path.isdir(path):
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
                found += [os.path.join(folder, n) for n in sorted(names) if n.lower().endswith(SUFFIXES)
                          and not n.startswith(("~$", ".")) and not os.path.islink(os.path.join(folder, n))]
        elif os.path.isfile(path):
            found.append(path)
        else:
            raise QmsError(f"{path}: no such file or folder", EXIT_USAGE)
    return list(dict.fromkeys(found))


def _read(path: str) -> Source:
    """One source file, converted to Markdown where it is a Word file."""
    if path.lower().endswith(".docx"):
        from ..model.word import word_source  # only Word imports pay for pandoc

        return word_source(path, f"{_media_stem(path)}-media")
    if not path.lower().endswith((".md", ".markdown")):
        raise FindingError(Finding(path, 1, "QMS171", "neither Markdown (.md) nor Word (.docx)",
                                   "save it as .docx or .md; .doc, .rtf and .pdf cannot be imported"))
    folder = os.path.dirname(path)
    with open(path, "rb") as handle:
        data = handle.read()
    images = {}
    for link in relative_links(data.decode("utf-8", errors="replace"), "file.md", 1):  # read as the body is read
        rel = os.path.normpath(link.resolved)
        full = os.path.join(folder, rel)
        if not rel.startswith("..") and not os.path.isabs(rel) and not is_document_file(rel) and os.path.isfile(full):
            with open(full, "rb") as handle:
                images[rel.replace(os.sep, "/")] = handle.read()
    return markdown_source(data, path, images)


def _media_named(source: Source, item: Planned) -> Source:
    """A Word file's images go in a folder named after the document they belong to (`SOP-013-welding-media/`),
    so that two files of the same name (two sites' "Welding.docx") never share one."""
    if not source.path.lower().endswith(".docx"):
        return source
    old = f"{_media_stem(source.path)}-media/"
    new = f"{os.path.splitext(os.path.basename(item.path))[0]}-media/"
    return replace(source, body=source.body.replace(f"]({old}", f"]({new}"),
                   images={new + name.removeprefix(old): data for name, data in source.images.items()})


def _media_stem(path: str) -> str:
    return slug(os.path.splitext(os.path.basename(path))[0])


def _mapping(path: str | None) -> dict[str, dict[str, str]]:
    """The administrator's corrections: plan CSV rows by source."""
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise QmsError(f"{path}:1: QMS174 the mapping file cannot be read: {exc} (pass the CSV that "
                       "--dry-run --plan wrote)", EXIT_USAGE) from None
    if rows and "source" not in rows[0]:
        raise QmsError(f"{path}:1: QMS174 the mapping file has no 'source' column (pass the CSV that "
                       "--dry-run --plan wrote)", EXIT_USAGE)
    return {row["source"]: {key: (value or "").strip() for key, value in row.items()
                            if key in ("id", "type", "title", "owner", "clauses")} for row in rows}


def _print_plan(plans: list[Planned], relinked: dict[str, Relinked]) -> None:
    """The plan as a table, then each link between imported files as it will be rewritten."""
    widths = [max([len(column)] + [len(_cell(p, column)) for p in plans]) for column in PLAN_COLUMNS[:7]]
    print("  ".join(column.ljust(width) for column, width in zip(PLAN_COLUMNS[:7], widths)).rstrip())
    for item in plans:
        line = "  ".join(_cell(item, c).ljust(w) for c, w in zip(PLAN_COLUMNS[:7], widths)).rstrip()
        print(line + (f"  ({'; '.join(item.notes)})" if item.notes else ""))
    rewrites = [(item.source, rewrite) for item in plans for rewrite in relinked[item.source].rewrites]
    if rewrites:
        print("\nlinks between imported files, rewritten to the documents' new paths:")
        for source, rewrite in rewrites:
            print(f"  {source}:{rewrite.line}: {rewrite.old} -> {rewrite.new}")


def _cell(item: Planned, column: str) -> str:
    value = getattr(item, column)
    return " ".join(value) if isinstance(value, tuple) else str(value)


def _write_plan(path: str, plans: list[Planned]) -> None:
    """The plan as CSV, for the administrator to correct; never over an existing file."""
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    for item in plans:
        writer.writerow([_cell(item, column) if column != "notes" else "; ".join(item.notes)
                         for column in PLAN_COLUMNS])
    try:
        create_all({os.path.abspath(path): out.getvalue().encode("utf-8")})
    except FileExistsError:
        raise QmsError(f"{path} already exists (name another file for the plan)", EXIT_USAGE) from None
    print(f"wrote the plan to {path}: correct it, then run qms import with --mapping {path}")


def _report(problems: list[Finding], written: list[Planned], dry_run: bool) -> int:
    for finding in sorted(set(problems)):
        print(finding.text(), file=sys.stderr)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(set(problems)) - errors
    verb = "nothing written (dry run)" if dry_run else f"{len(written)} imported as drafts"
    print(f"qms import: {verb}; {errors} errors, {warnings} warnings (what could not be carried over)",
          file=sys.stderr)
    return EXIT_FINDINGS if errors else EXIT_CLEAN
