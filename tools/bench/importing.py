"""Adopting an existing QMS: `qms import` of N Markdown procedures without front matter against `qms check` on the
QMS it makes (target: within 3x), and of N/10 Word files made with python-docx (target: under 60 s for 100), beside
pandoc alone converting the same files one at a time."""

from __future__ import annotations

import io
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import zlib

from . import measure, synthetic

AUTHOR = {"GIT_AUTHOR_NAME": "Alex Author", "GIT_AUTHOR_EMAIL": "author@example.com",
          "GIT_COMMITTER_NAME": "Alex Author", "GIT_COMMITTER_EMAIL": "author@example.com"}
CLAUSES = ("7.1.5", "7.2", "7.5.3", "8.4.1", "8.5.1", "8.7", "9.2", "10.2")


def _png(rng: random.Random, size: int = 64) -> bytes:
    """A real PNG of `size` x `size` noisy pixels (about 12 KB: a screenshot-sized flow chart compresses to that)."""
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(size * 3)) for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def markdown_corpus(folder: str, count: int, seed: int = 5) -> None:
    """`count` procedures as public template sets publish them: Markdown without front matter, 3-4 KB, a title
    heading, sections, numbered steps, a clause table in one in four, and a link to another by its file name."""
    rng = random.Random(seed)
    os.makedirs(folder)
    for number in range(1, count + 1):
        title = f"Legacy procedure {number}"
        text = synthetic.body(rng, title, [f"legacy-{rng.randrange(count) + 1:04d}.md"])
        steps = "".join(f"{step}. {synthetic.paragraph(rng, 8)}\n" for step in range(1, 5))
        text = text.replace("## Records", f"{steps}\n## Records", 1)
        if number % 4 == 0:
            text += "\n| ISO 9001 clause | Title |\n|---|---|\n" + "".join(
                f"| {clause} | {synthetic.paragraph(rng, 3)} |\n" for clause in rng.sample(CLAUSES, 2))
        with open(os.path.join(folder, f"legacy-{number:04d}.md"), "w", encoding="utf-8") as handle:
            handle.write(text)


def word_corpus(folder: str, count: int, seed: int = 9) -> None:
    """`count` Word procedures made with python-docx: headings, numbered steps, a clause table, an image, and a
    hyperlink to another by its file name (about 40 KB each, as a short procedure saved by Word is)."""
    from docx import Document  # only this part of the bench needs python-docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.shared import OxmlElement, qn
    from docx.shared import Inches

    rng = random.Random(seed)
    os.makedirs(folder)
    for number in range(1, count + 1):
        doc = Document()
        doc.add_heading(f"Word procedure {number}", 1)
        for section in ("Purpose", "Scope", "Responsibilities", "Procedure", "Records"):
            doc.add_heading(section, 2)
            doc.add_paragraph(synthetic.paragraph(rng, rng.randint(45, 65)))
            if section == "Procedure":
                for _step in range(6):
                    doc.add_paragraph(synthetic.paragraph(rng, 10), style="List Number")
        table = doc.add_table(rows=3, cols=2)
        for row, (clause, title) in enumerate([("Clause", "Title")] + [(c, synthetic.paragraph(rng, 3))
                                                                       for c in rng.sample(CLAUSES, 2)]):
            table.cell(row, 0).text, table.cell(row, 1).text = clause, title
        doc.add_picture(io.BytesIO(_png(rng)), width=Inches(2))
        see = doc.add_paragraph("See ")
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), see.part.relate_to(f"word-{rng.randrange(count) + 1:03d}.docx",
                                                     RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.text = "the related procedure"
        run.append(text)
        hyperlink.append(run)
        see._p.append(hyperlink)
        doc.save(os.path.join(folder, f"word-{number:03d}.docx"))


def _repository(root: str, project: str) -> None:
    """A QMS before the import: the project's qms.yml (without its verify_from), committed by the administrator."""
    os.makedirs(root)
    with open(os.path.join(project, "qms.yml"), encoding="utf-8") as source:
        config = "".join(line for line in source if not line.startswith("verify_from:"))
    with open(os.path.join(root, "qms.yml"), "w", encoding="utf-8") as target:
        target.write(config)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Dana Quality", "GIT_AUTHOR_EMAIL": "quality@example.com",
           "GIT_COMMITTER_NAME": "Dana Quality", "GIT_COMMITTER_EMAIL": "quality@example.com"}
    for command in (["init", "-q", "-b", "main"], ["config", "user.name", AUTHOR["GIT_AUTHOR_NAME"]],
                    ["config", "user.email", AUTHOR["GIT_AUTHOR_EMAIL"]], ["add", "-A"],
                    ["commit", "-q", "--no-verify", "-m", "QMS configuration"]):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True, env=env)


def _fresh(base: str, copy: str) -> str:
    """A copy of the repository before the import (imports never overwrite, so each run needs its own)."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(base, copy, symlinks=True)
    return copy


def bench_import(root: str, count: int, project: str, runs: int, qms: list[str]) -> None:
    base, markdown, word = root + "-before", root + "-markdown", root + "-word"
    _repository(base, project)
    markdown_corpus(markdown, count)
    word_corpus(word, max(1, count // 10))
    try:
        _measure_markdown(base, root, markdown, count, runs, qms)
        _measure_word(base, root, word, max(1, count // 10), max(1, min(runs, 3)), qms)
    finally:
        for folder in (base, markdown, word, root):
            shutil.rmtree(folder, ignore_errors=True)


def _measure_markdown(base: str, root: str, sources: str, count: int, runs: int, qms: list[str]) -> None:
    samples: dict[str, list[measure.Sample]] = {}
    for _ in range(runs):
        target = _fresh(base, root)
        for name, command, ok in ((f"qms import of {count} Markdown files", ["import", sources], (0,)),
                                  ("qms check on the result, first run", ["check"], (0, 1)),
                                  ("qms check on the result (parse cache warm)", ["check"], (0, 1))):
            samples.setdefault(name, []).append(measure.run([*qms, *command], cwd=target, ok=ok))
    results = {name: measure.Result(name, statistics.median(s.seconds for s in found), max(s.peak_mb for s in found))
               for name, found in samples.items()}
    floor = "qms check on the result (parse cache warm)"
    measure.report(f"import: {count} Markdown files without front matter, into a QMS that has only its qms.yml",
                   results, floor, {f"qms import of {count} Markdown files": 3.0})


def _measure_word(base: str, root: str, sources: str, count: int, runs: int, qms: list[str]) -> None:
    from pypandoc import get_pandoc_path  # type: ignore[import-untyped]

    pandoc = get_pandoc_path()
    files = sorted(os.path.join(sources, name) for name in os.listdir(sources))
    samples: dict[str, list[measure.Sample]] = {}
    for _ in range(runs):
        target = _fresh(base, root)
        samples.setdefault(f"pandoc alone, {count} files one at a time", []).append(measure.run(
            [sys.executable, "-c", "import subprocess, sys\nfor f in sys.argv[2:]: subprocess.run([sys.argv[1], f, "
             "'-f', 'docx', '-t', 'gfm-raw_html', '--wrap=none'], check=True, capture_output=True)", pandoc, *files]))
        samples.setdefault(f"qms import of {count} Word files", []).append(
            measure.run([*qms, "import", sources], cwd=target))
    results = {name: measure.Result(name, statistics.median(s.seconds for s in found), max(s.peak_mb for s in found))
               for name, found in samples.items()}
    floor = f"pandoc alone, {count} files one at a time"
    measure.report(f"import: {count} Word files (python-docx: headings, numbered steps, a table, an image, a link), "
                   f"{os.cpu_count()} cores", results, floor)
    imported = results[f"qms import of {count} Word files"].median
    print(f"  qms import of {count} Word files: {imported:.1f} s, target < 60 s for 100: "
          f"{'met' if imported * 100 / count < 60 else 'MISSED'}")
