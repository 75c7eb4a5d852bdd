"""CODEOWNERS from qms.yml: each document folder asks for review by the people whose roles must approve its type."""

from __future__ import annotations

import os
from collections.abc import Iterable

from .config import OWNER, Config
from .document import Document
from .state import required_roles

GITHUB, GITLAB = ".github/CODEOWNERS", ".gitlab/CODEOWNERS"
MARK = "# Written by qms codeowners from qms.yml"


def generated(root: str, path: str) -> str | None:
    """The text of the CODEOWNERS file at `path` under `root` if qms codeowners wrote it (a file, not a link,
    starting with MARK); None for none, a link, or one written by hand, which is left alone."""
    full = os.path.join(root, path)
    if not os.path.isfile(full) or os.path.islink(full):
        return None
    with open(full, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    return text if text.startswith(MARK) else None


def codeowners(config: Config, documents: Iterable[Document]) -> str:
    """The CODEOWNERS text: one line per document folder for the roles its type names, then one line per document
    whose type is approved by its owner role (the last matching line wins, on GitHub and GitLab alike)."""
    lines = [f"{MARK}: do not edit by hand; run it again after changing roles, people or types.",
             "# People without a `handle` in qms.yml cannot be asked for review here.", ""]
    for doc_type in config.document_types.values():
        roles = [role for role in doc_type.approvals if role != OWNER]
        why = ", ".join(roles) or "only the owner role of each document, below"
        lines.append(_line(f"/{doc_type.folder}/", _handles(config, roles), f"{doc_type.name}: {why}"))
    owned = {name for name, doc_type in config.document_types.items() if OWNER in doc_type.approvals}
    for doc in sorted(documents, key=lambda d: d.path):
        if doc.type in owned and doc.status != "obsolete":
            roles = required_roles(doc, config)
            lines.append(_line(f"/{doc.path}", _handles(config, roles), f"{doc.id}: {', '.join(roles)}"))
    lines += ["", _line("/qms.yml", _handles(config, config.administrators or ()), "administrators")]
    return "\n".join(lines).rstrip() + "\n"


def _handles(config: Config, roles: Iterable[str]) -> list[str]:
    found = [person.handle for name in roles if name in config.roles for person in config.roles[name].people
             if person.handle]
    return list(dict.fromkeys(found))


def _line(pattern: str, handles: list[str], why: str) -> str:
    pattern = pattern.replace(" ", "\\ ")
    return f"{pattern} {' '.join(handles)}" if handles else f"# {pattern} ({why}): nobody with a handle"
