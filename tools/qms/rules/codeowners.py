"""A CODEOWNERS file written by `qms codeowners` still says what qms.yml and the documents say."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.codeowners import GITHUB, GITLAB, codeowners, generated
from ..model.finding import Finding
from ..model.workspace import Workspace


def check_codeowners(ws: Workspace) -> Iterator[Finding]:
    """Only files that qms codeowners wrote are judged; a hand-written CODEOWNERS is left alone."""
    for path in (GITHUB, GITLAB):
        text = generated(ws.root, path)
        if text is not None and text != codeowners(ws.config, ws.documents):
            option = " --gitlab" if path == GITLAB else ""
            yield Finding(path, 1, "QMS160", "CODEOWNERS no longer matches the roles, people and documents of "
                          "qms.yml", f"run qms codeowners{option} and commit the file", "warning")
