"""Malformed documents and configuration: a clear `path:line: code` finding, exit 1 or 2, no traceback, no change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from helpers import QmsFolder, tree_bytes

from qms.cli import main

DOC = "procedures/sop/SOP-003-welding.md"
GOOD = """---
id: SOP-003
title: Welding
type: procedure
owner: quality-manager
revision: 1
status: draft
---
# Welding

Weld as the drawing says.
"""


def replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def big(size: int) -> Callable[[QmsFolder], None]:
    def write(qms: QmsFolder) -> None:
        with open(qms.path("procedures/sop/SOP-010-big.md"), "wb") as handle:
            handle.write(GOOD.encode())
            handle.truncate(size)

    return write


def symlink_outside(qms: QmsFolder) -> None:
    outside = qms.root.parent / "outside-secret.md"
    outside.write_text(GOOD)
    os.symlink(outside, qms.path("procedures/sop/SOP-009-linked.md"))


# (case, file, content, expected "path:line: CODE")
DOCUMENT_CASES: list[tuple[str, str, str | bytes | Callable[[QmsFolder], None], str]] = [
    ("no front matter", DOC, "# Welding\n\nWeld.\n", f"{DOC}:1: QMS010"),
    ("empty file", DOC, "", f"{DOC}:1: QMS010"),
    ("whitespace only", DOC, "\n\n  \n", f"{DOC}:1: QMS010"),
    ("unclosed front matter", DOC, GOOD.replace("---\n# Welding", "# Welding"), f"{DOC}:1: QMS011"),
    ("tab indentation", DOC, replace("title: Welding", "title:\n\t- Welding"), f"{DOC}:4: QMS012"),
    ("broken flow list", DOC, replace("revision: 1", "clauses: [7.5, \nrevision: 1"), f"{DOC}:8: QMS012"),
    ("control character", DOC, replace("title: Welding", "title: Wel\x07ding"), f"{DOC}:3: QMS012"),
    ("duplicate key", DOC, replace("status: draft", "status: draft\nid: SOP-004"), f"{DOC}:8: QMS013"),
    ("python object tag", DOC, replace("title: Welding", "title: !!python/object/apply:os.system [ls]"),
     f"{DOC}:3: QMS014"),
    ("custom tag", DOC, replace("title: Welding", "title: !vault secret"), f"{DOC}:3: QMS014"),
    ("binary tag", DOC, replace("title: Welding", "title: !!binary aGVsbG8="), f"{DOC}:3: QMS014"),
    ("alias bomb", DOC, replace("status: draft", 'status: draft\na: &a ["x","x","x"]\nb: &b [*a,*a,*a]\n'
                                'c: [*b,*b,*b]'), f"{DOC}:8: QMS014"),
    ("merge key", DOC, replace("status: draft", "status: draft\n<<: {owner: boss}"), f"{DOC}:8: QMS014"),
    ("deep nesting", DOC, replace("status: draft", "status: draft\nx: " + "[" * 60 + "]" * 60),
     f"{DOC}:8: QMS014"),
    ("unquoted yes", DOC, replace("title: Welding", "title: yes"), f"{DOC}:3: QMS015"),
    ("unquoted off", DOC, replace("status: draft", "status: off"), f"{DOC}:7: QMS015"),
    ("trailing zero revision", DOC, replace("revision: 1", "revision: 1.10"), f"{DOC}:6: QMS015"),
    ("octal-looking number", DOC, replace("revision: 1", "revision: 010"), f"{DOC}:6: QMS015"),
    ("1.2-only exponent", DOC, replace("title: Welding", "title: 1e3"), f"{DOC}:3: QMS015"),
    ("front matter is a list", DOC, "---\n- id\n- title\n---\n# Welding\n", f"{DOC}:2: QMS016"),
    ("unknown key with typo", DOC, replace("owner: quality-manager", "owner: quality-manager\nowenr: x"),
     f"{DOC}:6: QMS020"),
    ("missing title", DOC, replace("title: Welding\n", ""), f"{DOC}:2: QMS021"),
    ("wrong type: list revision", DOC, replace("revision: 1", "revision: [1]"), f"{DOC}:6: QMS022"),
    ("impossible date", DOC, replace("status: draft", "status: draft\neffective: 2026-02-30"), f"{DOC}:8: QMS022"),
    ("date in words", DOC, replace("status: draft", "status: draft\neffective: next week"), f"{DOC}:8: QMS022"),
    ("unknown status", DOC, replace("status: draft", "status: published"), f"{DOC}:7: QMS022"),
    ("clause as number", DOC, replace("status: draft", "status: draft\nclauses: [7.2]"), f"{DOC}:8: QMS022"),
    ("approval time without zone", DOC, replace("status: draft", "status: draft\napprovals:\n  - {name: Dana Quality, "
     "email: quality@example.com, role: quality-manager, meaning: review, at: 2026-01-02 09:00:00, "
     "fingerprint: \"sha256:" + "0" * 64 + "\"}"), f"{DOC}:9: QMS022"),
    ("approval fingerprint malformed", DOC, replace("status: draft", "status: draft\napprovals:\n  - {name: Dana "
     "Quality, email: quality@example.com, role: quality-manager, meaning: review, at: 2026-01-02T09:00:00Z, "
     "fingerprint: abc}"), f"{DOC}:9: QMS022"),
    ("unknown clause", DOC, replace("status: draft", 'status: draft\nclauses: ["11.1"]'), f"{DOC}:8: QMS023"),
    ("invalid id", DOC, replace("id: SOP-003", "id: SOP3"), f"{DOC}:2: QMS030"),
    ("id prefix of another type", DOC, replace("id: SOP-003", "id: FRM-009"), f"{DOC}:2: QMS031"),
    ("id already used", DOC, replace("id: SOP-003", "id: SOP-001"), f"{DOC}:2: QMS032"),
    ("id with an extra leading zero", DOC, replace("id: SOP-003", "id: SOP-0003"), f"{DOC}:2: QMS030"),
    ("id used already but for leading zeros", DOC, replace("id: SOP-003", "id: SOP-0001"), f"{DOC}:2: QMS032"),
    ("unknown type", DOC, replace("type: procedure", "type: procedur"), f"{DOC}:4: QMS033"),
    ("unknown owner", DOC, replace("owner: quality-manager", "owner: boss"), f"{DOC}:5: QMS034"),
    ("approved without approvals", DOC, replace("status: draft", "status: approved\neffective: 2026-01-05"),
     f"{DOC}:7: QMS040"),
    ("BOM", DOC, b"\xef\xbb\xbf" + GOOD.encode(), f"{DOC}:1: QMS004"),
    ("CRLF line endings", DOC, GOOD.replace("\n", "\r\n"), f"{DOC}:1: QMS005"),
    ("latin-1 byte", DOC, GOOD.encode().replace(b"drawing", b"dr\xe9wing"), f"{DOC}:11: QMS001"),
    ("binary file", DOC, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", f"{DOC}:3: QMS001"),
    ("symlink outside the repository", DOC, symlink_outside, "procedures/sop/SOP-009-linked.md:1: QMS003"),
    ("50 MB document", DOC, big(50 << 20), "procedures/sop/SOP-010-big.md:1: QMS002"),
    ("latin-1 disposition log", "records/disposition-log.csv",
     "id,path,title\nNCR-9,records/x.md,Caf\xe9\n".encode("latin-1"), "records/disposition-log.csv:2: QMS001"),
]

CONFIG_CASES: list[tuple[str, str, str]] = [
    ("duplicate key", "organisation: A\norganisation: B\n", "qms.yml:2: QMS013"),
    ("tab", "organisation: A\n\trevision_scheme: numeric\n", "qms.yml:2: QMS012"),
    ("unquoted yes", "REPLACE:separation_of_duties: true=separation_of_duties: yes", "qms.yml:4: QMS015"),
    ("typo in key", "REPLACE:revision_scheme:=revison_scheme:", "qms.yml:3: QMS020"),
    ("unknown scheme", "REPLACE:revision_scheme: numeric=revision_scheme: roman", "qms.yml:3: QMS022"),
    ("unknown approving role", "REPLACE:approvals: [quality-manager]}=approvals: [auditor]}", "qms.yml:8: QMS091"),
    ("python tag", "!!python/object:os.system {}\n", "qms.yml:1: QMS014"),
    ("not a mapping", "- organisation\n", "qms.yml:1: QMS016"),
    ("clause unknown", 'REPLACE:clauses: ["10.2.2"]=clauses: ["12.1"]', "qms.yml:30: QMS091"),
]


def run(qms: QmsFolder, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "-C", str(qms.root), "--as-of", "2026-06-01", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("case,rel,content,expected", DOCUMENT_CASES, ids=[c[0] for c in DOCUMENT_CASES])
def test_malformed_document(qms: QmsFolder, capsys: pytest.CaptureFixture[str], case: str, rel: str,
                            content: str | bytes | Callable[[QmsFolder], None], expected: str) -> None:
    if callable(content):
        content(qms)
    else:
        qms.write(rel, content)
    before = tree_bytes(qms.root)
    code, output = run(qms, capsys)
    assert code == 1, output
    assert any(line.startswith(expected + " ") for line in output.splitlines()), output
    assert "Traceback" not in output
    assert tree_bytes(qms.root) == before


@pytest.mark.parametrize("case,content,expected", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_malformed_config(qms: QmsFolder, capsys: pytest.CaptureFixture[str], case: str, content: str,
                          expected: str) -> None:
    if content.startswith("REPLACE:"):
        old, new = content[len("REPLACE:"):].split("=", 1)
        text = qms.path("qms.yml").read_text()
        assert old in text
        content = text.replace(old, new, 1)
    qms.write("qms.yml", content)
    before = tree_bytes(qms.root)
    code, output = run(qms, capsys)
    assert code == 2, output
    assert any(line.startswith(expected + " ") for line in output.splitlines()), output
    assert "Traceback" not in output
    assert tree_bytes(qms.root) == before


def test_missing_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "-C", str(tmp_path)])
    assert code == 2
    assert "QMS090 no qms.yml" in capsys.readouterr().err


def test_console_script_prints_no_traceback(qms: QmsFolder) -> None:
    """The installed `qms` command, as a user runs it, on the worst inputs at once."""
    qms.write(DOC, GOOD.replace("title: Welding", "title: !!python/object/apply:os.system [ls]"))
    qms.write("procedures/sop/SOP-004-x.md", b"\xff\xfe\0binary")
    qms.write("procedures/sop/SOP-005-y.md", "---\na: &a [1]\nb: [*a, *a]\n---\n")
    result = subprocess.run([sys.executable, "-m", "qms.cli", "check", "-C", str(qms.root)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{DOC}:3: QMS014" in result.stdout


@pytest.mark.parametrize("command", [["check"], ["records"], ["list"], ["inbox", "--person", "quality@example.com"]])
def test_a_date_at_the_end_of_the_calendar_is_no_internal_error(qms: QmsFolder, capsys: pytest.CaptureFixture[str],
                                                                command: list[str]) -> None:
    """A record dated 9999-12-31 keeps its retention 'until the end of the calendar', not an overflow."""
    from datetime import date

    qms.record("NCR-002", "Far", extra={"date": date(9999, 12, 31)})
    code = main([*command, "-C", str(qms.root)])
    captured = capsys.readouterr()
    assert code in (0, 1) and "internal error" not in captured.err and "Traceback" not in captured.err, captured.err


def test_retention_and_review_never_overflow() -> None:
    from datetime import date

    from qms.model.state import add_days, add_months, retain_until

    assert retain_until(date(9999, 12, 31), 100_000) == date.max
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_days(date(2026, 1, 1), 10_000_000) == date.max and add_days(date(2026, 1, 1), 1) == date(2026, 1, 2)
