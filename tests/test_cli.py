"""The qms command as a user runs it: new, list, help, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PROJECT, QmsFolder

from qms.cli import main, parser


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A copy of this repository's starter QMS."""
    for name in ("qms.yml", "procedures", "records"):
        source = PROJECT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    return tmp_path


def test_new_procedure_takes_the_next_id_and_checks_clean(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "procedure", "Calibration of torque tools", "-C", str(starter)]) == 0
    out = capsys.readouterr().out
    created = starter / "procedures/sop/SOP-013-calibration-of-torque-tools.md"
    assert "created procedures/sop/SOP-013-calibration-of-torque-tools.md: SOP-013" in out
    text = created.read_text()
    assert text.startswith("---\nid: SOP-013\ntitle: Calibration of torque tools\ntype: procedure\n")
    for section in ("Purpose", "Scope", "Responsibilities", "Procedure", "Records", "References"):
        assert f"\n## {section}\n" in text
    assert main(["check", "-C", str(starter), "--as-of", "2026-11-24"]) == 0
    assert "SOP-013 still holds template text 'To be written'" in capsys.readouterr().out  # the skeleton: QMS170
    assert main(["list", "--format", "json", "-C", str(starter), "--as-of", "2026-11-24"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["SOP-013"]["state"] == "draft"


def test_new_quotes_titles_that_need_it(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "form", "Deviation: <b>urgent</b> # yes", "-C", str(qms.root)]) == 0
    created = next(qms.path("procedures/forms").glob("FRM-002-*.md"))
    assert 'title: "Deviation: <b>urgent</b> # yes"' in created.read_text()
    assert main(["check", "-C", str(qms.root), "--as-of", "2026-06-01"]) == 0


def test_new_refuses_unknown_type_and_role(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "memo", "X", "-C", str(qms.root)]) == 2
    assert "unknown document type 'memo'" in capsys.readouterr().err
    assert main(["new", "form", "X", "--owner", "boss", "-C", str(qms.root)]) == 2
    assert "unknown role 'boss'" in capsys.readouterr().err


def test_new_never_reuses_a_number_of_an_unreadable_file(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    qms.write("procedures/sop/SOP-007-broken.md", b"\xff not text")
    assert main(["new", "procedure", "Next", "-C", str(qms.root)]) == 0
    assert "SOP-008" in capsys.readouterr().out


def test_list_of_the_starter(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--format", "json", "-C", str(starter), "--as-of", "2026-11-24"]) == 0
    rows = json.loads(capsys.readouterr().out)
    files = sorted(starter.glob("procedures/*/*.md"))
    assert len(rows) == len(files)
    states = {row["id"]: row["state"] for row in rows}
    assert states["SOP-012"] == "obsolete" and states["WI-004"] == "draft" and states["SOP-001"] == "effective"
    assert set(rows[0]) >= {"id", "title", "type", "revision", "state", "owner", "effective", "next_review", "overdue"}
    assert main(["list", "--format", "csv", "-C", str(starter), "--as-of", "2028-06-01"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    overdue = {row["id"] for row in table if row["overdue"] == "True"}
    assert "SOP-002" in overdue and "SOP-012" not in overdue and "WI-004" not in overdue
    assert main(["list", "-C", str(starter)]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:5] == ["ID", "TITLE", "TYPE", "REVISION", "STATE"]


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert main([name, "--help"]) == 0
        text = capsys.readouterr().out
        assert "example" in text and f"qms {name if name != 'status' else 'list'}" in text, name


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "xml"]) == 2
    assert main([]) == 2
    assert main(["check", "--as-of", "yesterday"]) == 2


def test_console_script_is_installed(tmp_path: Path) -> None:
    qms = shutil.which("qms", path=str(Path(sys.executable).parent))
    assert qms is not None
    result = subprocess.run([qms, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("qms ")


def test_directory_before_the_command_as_in_git(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(starter), "list", "--format", "json", "--as-of", "2026-11-24"]) == 0
    assert {row["id"] for row in json.loads(capsys.readouterr().out)} >= {"SOP-001", "WI-004"}
    assert main(["-C", str(starter.parent), "-C", starter.name, "check", "--as-of", "2026-11-24"]) == 0
    capsys.readouterr()  # its warnings: training the copy has no history to show given (QMS183)
    assert main(["-C", str(starter / "procedures"), "list", "-C", "..", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert main(["-C", str(starter / "missing"), "list"]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_the_licence_is_the_one_pyproject_names() -> None:
    licence = (PROJECT / "LICENSE").read_text()
    assert 'license = "MIT"' in (PROJECT / "pyproject.toml").read_text()
    assert licence.startswith("MIT License\n") and "WITHOUT WARRANTY OF ANY KIND" in licence


def test_new_writes_a_hostile_title_as_text_in_its_heading(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import markdown

    title = "Click [here](javascript:alert(1)) <script>x</script> & *now*"
    assert main(["new", "procedure", title, "-C", str(starter)]) == 0
    created = next((starter / "procedures/sop").glob("SOP-013-*.md")).read_text()
    heading = next(line for line in created.splitlines() if line.startswith("# "))
    html = markdown.markdown(heading)
    assert "<a" not in html and "<script" not in html and "<em>" not in html, html
    assert __import__("html").unescape(html.removeprefix("<h1>").removesuffix("</h1>")) == title  # shown as written
