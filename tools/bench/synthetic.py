"""A synthetic QMS: many documents with realistic front matter and 3-4 KB bodies, validly approved."""

from __future__ import annotations

import os
import random
import shutil
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
MANDATORY = ["4.3", "5.2", "6.2"]  # so that the synthetic QMS is complete and checks clean
CLAUSES = ["7.1.5.1", "7.2", "7.5.3", "8.4.1", "8.5.1", "8.5.2", "8.6", "8.7.1", "9.2.2", "10.2.1"]


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, title: str, links: list[str]) -> str:
    parts = [f"# {title}", ""]
    for section in ("Purpose", "Scope", "Responsibilities", "Procedure", "Records", "References"):
        parts += [f"## {section}", "", paragraph(rng, rng.randint(45, 65)), ""]
    parts += ["See " + ", ".join(f"[{os.path.basename(link)[:7]}]({link})" for link in links) + ".", ""]
    return "\n".join(parts)


def document_text(rng: random.Random, doc_type: str, doc_id: str, title: str, owner: str, revision: int,
                  effective: date, links: list[str], refs: list[str]) -> str:
    text = body(rng, title, links)
    print_ = fingerprint(doc_id, title, doc_type, str(revision), effective, text)
    front = [
        "---", f"id: {doc_id}", f"title: {title}", f"type: {doc_type}", f"owner: {owner}", f"revision: {revision}",
        "status: approved", f"effective: {effective.isoformat()}",
    ]
    if revision > 1:
        front.append(f"change: {paragraph(rng, 12)}")
    clauses = MANDATORY if doc_id.endswith("-0001") else [rng.choice(CLAUSES), rng.choice(CLAUSES)]
    front += ["clauses: [" + ", ".join(f'"{c}"' for c in clauses) + "]", f"references: [{', '.join(refs)}]",
              "approvals:"]
    for index, (name, email, role) in enumerate(APPROVERS[doc_type]):
        front += [f"  - name: {name}", f"    email: {email}", f"    role: {role}", "    meaning: approval",
                  f"    at: '{(effective - timedelta(days=3)).isoformat()}T1{index}:00:00Z'",
                  f"    fingerprint: {print_}"]
    front.append("---")
    return "\n".join(front) + "\n" + text


def plan(count: int) -> list[tuple[str, str, str, str]]:
    """(type, id, folder, title) for `count` documents, spread over the types."""
    rows = []
    for index in range(count):
        doc_type, prefix, folder = TYPES[index % len(TYPES)]
        rows.append((doc_type, f"{prefix}-{index // len(TYPES) + 1:04d}", folder, f"Synthetic {doc_type} {index + 1}"))
    return rows


def generate(root: str, count: int, project: str, seed: int = 7) -> list[str]:
    """Write qms.yml and `count` effective documents under `root`; return their paths (relative)."""
    rng = random.Random(seed)
    shutil.copy(os.path.join(project, "qms.yml"), os.path.join(root, "qms.yml"))
    rows = plan(count)
    paths = [f"{folder}/{doc_id}.md" for _t, doc_id, folder, _title in rows]
    for index, (doc_type, doc_id, folder, title) in enumerate(rows):
        others = [rng.randrange(count) for _ in range(2)]
        links = [os.path.relpath(paths[i], folder) for i in others]
        refs = [rows[i][1] for i in others]
        effective = date(2026, 1, 1) + timedelta(days=rng.randrange(200))
        text = document_text(rng, doc_type, doc_id, title, "quality-manager" if doc_type == "form" else
                             "production-manager", rng.randint(1, 4), effective, links, refs)
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        with open(os.path.join(root, paths[index]), "w", encoding="utf-8") as handle:
            handle.write(text)
    return paths
