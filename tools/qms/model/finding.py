"""A finding: one problem in one place, as data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One rule violation at `path:line`, with a hint saying what to do.

    `commit` names the commit that made the change judged (empty for the working tree and the staged change),
    `doc` the document or record id it is about, and `entry` the approval or review it is about, in the form
    of `entry_key`; nothing ever parses these back out of the message.
    """

    path: str
    line: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = "error"
    commit: str = ""
    doc: str = ""
    entry: str = ""

    def text(self) -> str:
        """The one-line form: `path:line: QMSnnn message (hint)`."""
        label = "warning: " if self.severity == "warning" else ""
        where = f" at commit {self.commit[:12]}" if self.commit else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}: {self.code} {label}{self.message}{where}{hint}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "commit": self.commit or None,
            "doc": self.doc or None,
        }

    def as_error(self) -> Finding:
        """The same finding, failing the check (--strict)."""
        return Finding(self.path, self.line, self.code, self.message, self.hint, "error", self.commit, self.doc,
                       self.entry)


class FindingError(Exception):
    """Raised by a parser when input cannot be read any further."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.text())
        self.finding = finding
