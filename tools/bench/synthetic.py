"""A synthetic QMS: many documents with realistic front matter and 3-4 KB bodies, validly approved."""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from qms.model.fingerprint import fingerprint

WORDS = ("inspection operator drawing tolerance supplier batch record calibration gauge customer order "
         "release quarantine deviation approval revision training competence audit finding corrective "
         "action machine spindle fixture torque surface finish measurement report review responsibility").split()
TYPES = (("procedure", "SOP", "procedures/sop"), ("work-instruction", "WI", "procedures/work-instructions"),
         ("form", "FRM", "procedures/forms"))
APPROVERS = {
    "procedure": [("Pat Production", "production@example.com", "production-manager"),
                  ("Dana Quality", "quality@example.com", "quality-manager")],
    "work-instruction": [("Pat Production", "production@example.com", "production-manager")],
    "form": [("Dana Quality", "quality@example.com", "quality-manager")],
}
AUTHOR = ("Alex Author", "author@example.com")
MANDATORY = ["4.3", "5.2", "6.2"]  # so that the synthetic QMS is complete and checks clean
CLAUSES = ["7.1.5.1", "7.2", "7.5.3", "8.4.1", "8.5.1", "8.5.2", "8.6", "8.7.1", "9.2.2", "10.2.1"]


@dataclass(frozen=True)
class Doc:
    """The state of one synthetic document."""

    type: str
    id: str
    path: str
    title: str
    owner: str
    revision: int
    status: str
    effective: date | None
    change: str | None
    clauses: tuple[str, ...]
    references: tuple[str, ...]
    body: str
    signed_by: tuple[int, ...] = field(default=())  # indexes into APPROVERS[type]
    signed_at: tuple[str, ...] = field(default=())


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, title: str, links: list[str]) -> str:
    parts = [f"# {title}", ""]
    for section in ("Purpose", "Scope", "Responsibilities", "Procedure", "Records", "References"):
        parts += [f"## {section}", "", paragraph(rng, rng.randint(45, 65)), ""]
    parts += ["See " + ", ".join(f"[{os.path.basename(link)[:7]}]({link})" for link in links) + ".", ""]
    return "\n".join(parts)


def render(doc: Doc) -> str:
    """The file text of `doc`, its approvals fingerprinted over its current content."""
    print_ = fingerprint(doc.id, doc.title, doc.type, str(doc.revision), doc.effective, doc.body)
    front = ["---", f"id: {doc.id}", f"title: {doc.title}", f"type: {doc.type}", f"owner: {doc.owner}",
             f"revision: {doc.revision}", f"status: {doc.status}"]
    front += [f"effective: {doc.effective.isoformat()}"] if doc.effective else []
    front += [f"change: {doc.change}"] if doc.change else []
    front += ["clauses: [" + ", ".join(f'"{c}"' for c in doc.clauses) + "]",
              f"references: [{', '.join(doc.references)}]"]
    if doc.signed_by:
        front.append("approvals:")
        for which, at in zip(doc.signed_by, doc.signed_at):
            name, email, role = APPROVERS[doc.type][which]
            front += [f"  - name: {name}", f"    email: {email}", f"    role: {role}", "    meaning: approval",
                      f"    at: '{at}'", f"    fingerprint: {print_}"]
    front.append("---")
    return "\n".join(front) + "\n" + doc.body


def plan(count: int) -> list[tuple[str, str, str, str]]:
    """(type, id, folder, title) for `count` documents, spread over the types."""
    rows = []
    for index in range(count):
        doc_type, prefix, folder = TYPES[index % len(TYPES)]
        rows.append((doc_type, f"{prefix}-{index // len(TYPES) + 1:03d}", folder, f"Synthetic {doc_type} {index + 1}"))
    return rows


def documents(count: int, rng: random.Random) -> list[Doc]:
    """`count` approved, effective documents that link to and reference each other."""
    rows = plan(count)
    paths = [f"{folder}/{doc_id}.md" for _t, doc_id, folder, _title in rows]
    docs = []
    for index, (doc_type, doc_id, folder, title) in enumerate(rows):
        others = [rng.randrange(count) for _ in range(2)]
        effective = date(2026, 1, 1) + timedelta(days=rng.randrange(200))
        revision = rng.randint(1, 4)
        approvers = tuple(range(len(APPROVERS[doc_type])))
        docs.append(Doc(
            doc_type, doc_id, paths[index], title, "quality-manager" if doc_type == "form" else "production-manager",
            revision, "approved", effective, paragraph(rng, 12) if revision > 1 else None,
            tuple(MANDATORY if index == 0 else [rng.choice(CLAUSES), rng.choice(CLAUSES)]),
            tuple(rows[i][1] for i in others), body(rng, title, [os.path.relpath(paths[i], folder) for i in others]),
            approvers, tuple(f"{(effective - timedelta(days=3)).isoformat()}T1{i}:00:00Z" for i in approvers)))
    return docs


def write(root: str, docs: list[Doc], project: str) -> None:
    """qms.yml (without the project's verify_from, a commit the synthetic history does not hold) and every
    document, as files under `root`."""
    with open(os.path.join(project, "qms.yml"), encoding="utf-8") as source:
        config = "".join(line for line in source if not line.startswith("verify_from:"))
    with open(os.path.join(root, "qms.yml"), "w", encoding="utf-8") as target:
        target.write(config)
    for doc in docs:
        os.makedirs(os.path.join(root, os.path.dirname(doc.path)), exist_ok=True)
        with open(os.path.join(root, doc.path), "w", encoding="utf-8") as handle:
            handle.write(render(doc))


def generate(root: str, count: int, project: str, seed: int = 7) -> list[Doc]:
    """Write qms.yml and `count` effective documents under `root`; return them."""
    docs = documents(count, random.Random(seed))
    write(root, docs, project)
    return docs


def draft_of(doc: Doc, rng: random.Random) -> Doc:
    """The next revision of an approved document, as a draft with an edited body."""
    lines = doc.body.split("\n")
    lines[4] = paragraph(rng, rng.randint(45, 65))
    return replace(doc, revision=doc.revision + 1, status="draft", effective=None, change=paragraph(rng, 10),
                   body="\n".join(lines), signed_by=(), signed_at=())


SITE_CONFIG = """site_name: Synthetic QMS
docs_dir: procedures
plugins:
  - search
  - qms:
      pdf: false  # the PDFs are measured on their own (make bench --only pdf)
"""


def write_site_config(root: str) -> None:
    """The mkdocs.yml `qms export` reads, if the repository has none: the edition without its PDFs, so that the
    export is measured against the same pages plain mkdocs-material builds."""
    path = os.path.join(root, "mkdocs.yml")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(SITE_CONFIG)
