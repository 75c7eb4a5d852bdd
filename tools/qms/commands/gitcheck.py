"""The Git-aware part of `qms check`: the staged change (pre-commit) or a branch against its base (CI)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date

from ..errors import EXIT_USAGE, QmsError
from ..gitlog import git
from ..gitlog.changes import INDEX, FileChange, changed
from ..gitlog.history import retired_ids, revision_authors
from ..model.config import Config
from ..model.document import Document
from ..model.finding import Finding
from ..rules.changes import check_changes, sides
from ..rules.signatures import check_signatures


def _authors_before(root: str, commit: str) -> Callable[[Document], set[str]]:
    """Who authored content of a document's current revision, in history up to `commit`."""
    return lambda doc: revision_authors(root, commit, doc.path, doc.revision)


def _retired(root: str, commit: str, changes: list[FileChange]) -> dict[str, str]:
    """Ids of deleted documents, looked up in history only when the change adds a document."""
    adds = any(c.status == "A" and (c.new_path or "").startswith("procedures/") for c in changes)
    return retired_ids(root, commit) if adds else {}


def _require_repository(root: str) -> None:
    top = git.toplevel(root)
    if os.path.realpath(top) != os.path.realpath(root):
        raise QmsError(f"qms.yml must be at the root of the Git repository ({top})", EXIT_USAGE)


def staged(root: str, config: Config, today: date) -> list[Finding]:
    """Findings about the change staged for the next commit, made by the configured Git identity."""
    _require_repository(root)
    head = git.head_or_empty(root)
    changes = changed(root, head, INDEX)
    parsed = sides(changes)
    findings = list(check_changes(config, parsed, _retired(root, head, changes), today))
    _name, email = git.identity(root)
    findings += check_signatures(config, parsed, email, _authors_before(root, head), "in this commit")
    return findings


def branch(root: str, config: Config, today: date, base: str) -> list[Finding]:
    """Findings about every commit on HEAD since its merge-base with `base`, each judged by its author."""
    _require_repository(root)
    if git.is_shallow(root):
        raise QmsError("this clone is shallow, so the history change control needs is missing (fetch it with "
                       "git fetch --unshallow; in CI check out with fetch-depth: 0)", EXIT_USAGE)
    if not git.succeeds(["rev-parse", "--verify", "-q", f"{base}^{{commit}}"], root):
        raise QmsError(f"unknown base '{base}' (name a branch or commit, e.g. origin/main)", EXIT_USAGE)
    merge_base = git.text(["merge-base", base, "HEAD"], root)
    changes = changed(root, merge_base, "HEAD")
    findings = list(check_changes(config, sides(changes), _retired(root, merge_base, changes), today))
    log = git.text(["log", "--reverse", "--no-merges", "--format=%H%x00%P%x00%ae", f"{merge_base}..HEAD"], root)
    for line in log.splitlines():
        sha, parents, email = line.split("\0")
        parent = parents.split()[0] if parents else git.EMPTY_TREE
        findings += check_signatures(config, sides(changed(root, parent, sha)), email,
                                     _authors_before(root, parent), f"in commit {sha[:12]}")
    return findings
