"""Mandatory documented information: what ISO 9001 requires to be maintained or retained is present, and who
administers the configuration that says so."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import iso9001
from ..model.config import CONFIG_FILE
from ..model.finding import Finding
from ..model.workspace import Workspace


def check_mandatory(ws: Workspace) -> Iterator[Finding]:
    """Each `mandatory` entry of qms.yml is covered by a document in force (model.inforce) or a record type."""
    config = ws.config
    for entry in config.mandatory:
        if entry.kind == "record":
            covered = any(iso9001.covers(clause, entry.clause)
                          for record_type in config.record_types.values() for clause in record_type.clauses)
            hint = f"add a record type with clauses: [\"{entry.clause}\"] to qms.yml"
        else:
            in_force = [item.in_force.doc for item in ws.in_force() if item.in_force is not None]
            covered = any(iso9001.covers(clause, entry.clause) for doc in in_force for clause in doc.clauses)
            hint = f"make a document with clauses: [\"{entry.clause}\"] effective"
        if not covered:
            provider = "record type" if entry.kind == "record" else "document in force"
            yield Finding(CONFIG_FILE, entry.line, "QMS070", f"no {provider} provides the {entry.what} "
                          f"(ISO 9001 {entry.clause})", hint)


def check_administration(ws: Workspace) -> Iterator[Finding]:
    """qms.yml says which roles administer it (who may change who may sign)."""
    if ws.config.administrators is None:
        yield Finding(CONFIG_FILE, 1, "QMS092", "qms.yml names no administering role: anyone named under a role "
                      "may change who may sign", "add 'administrators: [quality-manager]' (the roles that may "
                      "change qms.yml), in a commit by one of them with a Config-Change: trailer", "warning")
