"""A finding: one problem in one place, as data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One rule violation at `path:line`, with a hint saying what to do."""

    path: str
    line: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = "error"

    def text(self) -> str:
        """The one-line form: `path:line: QMSnnn message (hint)`."""
        label = "warning: " if self.severity == "warning" else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}: {self.code} {label}{self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class FindingError(Exception):
    """Raised by a parser when input cannot be read any further."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.text())
        self.finding = finding
