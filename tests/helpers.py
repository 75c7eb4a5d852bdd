"""Builders for small QMS folders used by the tests: real files, real fingerprints, real approvals."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from qms.model.fingerprint import fingerprint

PROJECT = Path(__file__).resolve().parent.parent

CONFIG = """\
# Test QMS configuration
organisation: Test Works Ltd
revision_scheme: numeric
separation_of_duties: true
signed_approvals: false
administrators: [administrator, quality-manager]
document_types:
  manual: {prefix: QM, folder: procedures/manual, review_months: 12, approvals: [quality-manager]}
  procedure: {prefix: SOP, folder: procedures/sop, review_months: 24, approvals: [owner, quality-manager]}
  form: {prefix: FRM, folder: procedures/forms, review_months: 36, approvals: [quality-manager]}
roles:
  quality-manager:
    title: Quality Manager
    people: [{name: Dana Quality, email: quality@example.com}, {name: Quinn Deputy, email: deputy.quality@example.com}]
    approves: [manual, procedure, form]
    disposes: [nonconformity]
  production-manager:
    title: Production Manager
    people: [{name: Pat Production, email: production@example.com}]
    approves: [procedure]
  author:
    title: Technical Author
    people: [{name: Alex Author, email: author@example.com}]
    approves: []
  administrator:
    title: QMS Administrator
    people: [{name: Ada Admin, email: admin@example.com}]
    approves: []
record_types:
  nonconformity: {prefix: NCR, folder: records/ncr, retention_years: 6, procedure: SOP-001, clauses: ["10.2.2"]}
mandatory:
  - {clause: "4.3", what: scope of the quality management system}
  - {clause: "10.2.2", what: record of nonconformities, kind: record}
"""

PEOPLE = {
    "managing-director": ("Max Director", "director@example.com"),
    "quality-manager": ("Dana Quality", "quality@example.com"),
    "deputy-quality": ("Quinn Deputy", "deputy.quality@example.com"),
    "purchasing-manager": ("Sam Supply", "purchasing@example.com"),
    "maintenance-lead": ("Lee Metrology", "metrology@example.com"),
    "production-manager": ("Pat Production", "production@example.com"),
    "author": ("Alex Author", "author@example.com"),
    "admin": ("Ada Admin", "admin@example.com"),
    "outsider": ("Eve Outsider", "eve@example.com"),  # named in no qms.yml
}
TYPES = {"QM": ("manual", "procedures/manual"), "SOP": ("procedure", "procedures/sop"), "FRM": ("form", "procedures/forms")}


def scalar(value: Any) -> str:
    """A YAML scalar both YAML versions read the same way."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {scalar(item)}" for key, item in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def render(fields: dict[str, Any], body: str) -> str:
    """A document: front matter from `fields` in order, then the body."""
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            lines.extend(f"  - {scalar(item)}" for item in value)
        else:
            lines.append(f"{key}: {scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def approval(fields: dict[str, Any], body: str, role: str, meaning: str = "approval",
             at: str = "2026-01-02T09:00:00Z") -> dict[str, Any]:
    """A valid approval by the person holding `role` over the given fields and body."""
    name, email = PEOPLE[role]
    print_ = fingerprint(fields["id"], fields["title"], fields["type"], str(fields["revision"]),
                         fields.get("effective"), body)
    return {"name": name, "email": email, "role": role, "meaning": meaning, "at": at, "fingerprint": print_}


class QmsFolder:
    """A QMS in a folder: qms.yml plus documents and records written as a user would write them."""

    def __init__(self, root: Path, config: str = CONFIG) -> None:
        self.root = root
        (root / "qms.yml").write_text(config, encoding="utf-8")

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))
        return target

    def document(self, doc_id: str, title: str, *, owner: str = "quality-manager", revision: int = 1,
                 status: str = "approved", effective: date | None = date(2026, 1, 5), body: str | None = None,
                 approvers: tuple[str, ...] | None = None, extra: dict[str, Any] | None = None,
                 name: str | None = None) -> str:
        """Write a document; approved ones are signed by the roles their type requires."""
        doc_type, folder = TYPES[doc_id.split("-")[0]]
        fields: dict[str, Any] = {"id": doc_id, "title": title, "type": doc_type, "owner": owner,
                                  "revision": revision, "status": status}
        if effective is not None:
            fields["effective"] = effective
        if revision > 1:
            fields["change"] = "Clarified the steps."
        fields.update(extra or {})
        body = body if body is not None else f"# {title}\n\n## Purpose\n\nHow {title.lower()} is done.\n"
        if approvers is None:
            required = {"manual": ["quality-manager"], "form": ["quality-manager"],
                        "procedure": list(dict.fromkeys([owner, "quality-manager"]))}[doc_type]
            approvers = tuple(required) if status != "draft" else ()
        meaning = "obsoletion" if status == "obsolete" else "approval"
        if approvers:
            fields["approvals"] = [approval(fields, body, role, meaning) for role in approvers]
        rel = f"{folder}/{name or doc_id + '-' + title.lower().replace(' ', '-')}.md"
        self.write(rel, render(fields, body))
        return rel

    def record(self, record_id: str, title: str, *, body: str = "Found and contained.\n",
               extra: dict[str, Any] | None = None) -> str:
        fields: dict[str, Any] = {"id": record_id, "title": title, "type": "nonconformity", "date": date(2026, 3, 1),
                                  "owner": "quality-manager", "procedure": "SOP-001"}
        fields.update(extra or {})
        rel = f"records/ncr/{record_id}.md"
        self.write(rel, render(fields, f"# {title}\n\n{body}"))
        return rel


def baseline(root: Path) -> QmsFolder:
    """A small QMS that passes every rule: manual, procedure, form, a first draft, a record."""
    qms = QmsFolder(root)
    qms.document("QM-001", "Quality Manual", extra={"clauses": ["4.3", "5.2"]})
    qms.document("FRM-001", "Nonconformity Report", extra={"clauses": ["10.2.2"]})
    qms.document(
        "SOP-001", "Nonconformity", owner="production-manager", revision=2,
        extra={"clauses": ["10.2"], "references": ["FRM-001"]},
        body="# Nonconformity\n\nRecord it on [FRM-001](../forms/FRM-001-nonconformity-report.md).\n",
    )
    qms.document("SOP-002", "Calibration", status="draft", effective=None)
    qms.record("NCR-001", "Burr on bracket", extra={"form": "FRM-001"})
    return qms


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` (not following links) with its bytes, to prove nothing was changed."""
    found = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            full = Path(folder) / name
            found[str(full.relative_to(root))] = full.read_bytes() if not full.is_symlink() else b"->" + \
                os.readlink(full).encode()
    return found


TRAINING_RECORD_TYPE = ("  training: {prefix: TRN, folder: records/training, retention_years: 6, procedure: SOP-001, "
                        "clauses: [\"7.2\"]}\n")
TRAINING = """training:
  grace_days: 30
  trainers: [quality-manager]
  required:
    - {roles: [production-manager], people: [author@example.com], documents: [procedure]}
"""


def with_training(config: str) -> str:
    """The test qms.yml with a training record type and a training section: the production manager and the
    author are trained on procedures, the quality managers attest training."""
    return config.replace("record_types:\n", "record_types:\n" + TRAINING_RECORD_TYPE) + TRAINING


def training_record(record_id: str, document: str, revision: int | str, print_: str, trainee: str,
                    trainer: str | None = None, day: date = date(2026, 3, 2)) -> str:
    """A training record written by hand: `trainee` (a PEOPLE key) trained on the document's revision, read and
    understood, or given by `trainer` (a PEOPLE key) in a classroom."""
    name, email = PEOPLE[trainee]
    lines = ["---", f"id: {record_id}", f"title: \"Training on {document}\"", "type: training",
             f"date: {day.isoformat()}", "owner: quality-manager", "procedure: SOP-001", "training:",
             f"  document: {document}", f"  revision: {revision}", f"  fingerprint: \"{print_}\"",
             f"  method: {'classroom' if trainer else 'read-and-understood'}",
             f"  trainee: {{name: {name}, email: {email}}}"]
    if trainer:
        trainer_name, trainer_email = PEOPLE[trainer]
        lines.append(f"  trainer: {{name: {trainer_name}, email: {trainer_email}}}")
    return "\n".join(lines + ["---", f"# Training on {document}", "", "Read and understood.", ""])
