"""Identity rules: ids well formed, prefixed by their type, unique; type, owner, folder and clauses known."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import iso9001, revision
from ..model.finding import Finding
from ..model.ids import ID_PATTERN, canonical, identity, is_canonical
from ..model.workspace import Workspace


def check_identity(ws: Workspace) -> Iterator[Finding]:
    """Id format and prefix, known type and owner, folder, clause numbers and revision scheme."""
    config = ws.config
    for doc in ws.documents:
        doc_type = config.document_types.get(doc.type)
        if doc_type is None:
            yield Finding(doc.path, doc.line("type"), "QMS033", f"unknown document type '{doc.type}'",
                          "use one of: " + ", ".join(config.document_types))
        else:
            yield from _id_findings(doc.path, doc.line("id"), doc.id, doc_type.prefix, doc_type.width, doc.type)
            if not doc.path.startswith(doc_type.folder + "/"):
                yield Finding(doc.path, doc.line("type"), "QMS035", f"a {doc.type} belongs in {doc_type.folder}/",
                              f"git mv it into {doc_type.folder}/")
        if doc.owner not in config.roles:
            yield Finding(doc.path, doc.line("owner"), "QMS034", f"unknown owner role '{doc.owner}'",
                          "use a role from qms.yml: " + ", ".join(config.roles))
        for clause in doc.clauses:
            if not iso9001.is_clause(clause):
                yield Finding(doc.path, doc.line("clauses"), "QMS023", f"'{clause}' is not an ISO 9001:2015 clause",
                              "use clause numbers from 4 to 10.3, such as 7.5.3")
        if not revision.is_valid(config.revision_scheme, doc.revision):
            example = "1, 2, 3" if config.revision_scheme == "numeric" else "A, B, C"
            yield Finding(doc.path, doc.line("revision"), "QMS046", f"revision '{doc.revision}' does not follow "
                          f"the {config.revision_scheme} scheme of qms.yml", f"use {example}")
    for record in ws.records:
        record_type = config.record_types.get(record.type)
        if record_type is None:
            yield Finding(record.path, record.line("type"), "QMS081", f"unknown record type '{record.type}'",
                          "use one of: " + ", ".join(config.record_types))
        else:
            yield from _id_findings(record.path, record.line("id"), record.id, record_type.prefix, 3, record.type)
        if record.owner not in config.roles:
            yield Finding(record.path, record.line("owner"), "QMS034", f"unknown owner role '{record.owner}'",
                          "use a role from qms.yml: " + ", ".join(config.roles))


def _id_findings(path: str, line: int, item_id: str, prefix: str, width: int, type_name: str) -> Iterator[Finding]:
    match = ID_PATTERN.match(item_id)
    if match is None or not is_canonical(item_id, width):
        form = canonical(match.group(1), int(match.group(2)), width) if match else f"{prefix}-{'0' * (width - 1)}1"
        yield Finding(path, line, "QMS030", f"id '{item_id}' is not of the form {form}",
                      f"ids are PREFIX-{'N' * width}, with no extra leading zeros; qms new picks the next free one")
    elif match.group(1) != prefix:
        yield Finding(path, line, "QMS031", f"id '{item_id}' has prefix {match.group(1)}, but a {type_name} "
                      f"uses {prefix}", f"renumber it as {prefix}-NNN with qms new, or correct the type")


def check_unique_ids(ws: Workspace) -> Iterator[Finding]:
    """No two documents or records share an id (ids that differ only in leading zeros are the same id), and no
    item takes the id of a record the disposition log shows as disposed of: an id is never reused."""
    first: dict[str, str] = {}
    gone = {identity(d.record): d.path for d in ws.disposed.values() if d.path.endswith(".md")}
    for item in ws.items():
        was = gone.get(identity(item.id))
        if was is not None and was != item.path:
            yield Finding(item.path, item.line("id"), "QMS032", f"id {item.id} was used by {was}, which was disposed "
                          "of", "ids are unique and never reused: take the next free id")
        elif identity(item.id) in first:
            yield Finding(item.path, item.line("id"), "QMS032", f"id {item.id} is already used by "
                          f"{first[identity(item.id)]}", "ids are unique and never reused: take the next free id")
        else:
            first[identity(item.id)] = item.path
