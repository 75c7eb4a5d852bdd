"""`qms codeowners`: CODEOWNERS from qms.yml, and `qms check` noticing when it no longer matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import CONFIG, QmsFolder, baseline

from qms.cli import main

HANDLES = CONFIG.replace("{name: Dana Quality, email: quality@example.com}",
                         "{name: Dana Quality, email: quality@example.com, handle: dana}").replace(
    "{name: Pat Production, email: production@example.com}",
    "{name: Pat Production, email: production@example.com, handle: '@pat-p'}").replace(
    "{name: Ada Admin, email: admin@example.com}", "{name: Ada Admin, email: admin@example.com, handle: ada}")


@pytest.fixture
def qms(tmp_path: Path) -> QmsFolder:
    folder = baseline(tmp_path)
    (tmp_path / "qms.yml").write_text(HANDLES)
    return folder


def findings(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    main(["check", "-C", str(root), "--format", "json", "--as-of", "2026-06-01"])
    return [f"{f['code']} {f['path']}" for f in json.loads(capsys.readouterr().out)["findings"]]


def test_codeowners_asks_the_approvers_of_each_folder(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codeowners", "-C", str(qms.root)]) == 0
    assert "wrote .github/CODEOWNERS" in capsys.readouterr().out
    lines = qms.path(".github/CODEOWNERS").read_text().splitlines()
    assert "/procedures/manual/ @dana" in lines and "/procedures/forms/ @dana" in lines
    assert "/procedures/sop/SOP-001-nonconformity.md @pat-p @dana" in lines  # its owner role, then quality
    assert "/qms.yml @ada @dana" in lines
    assert findings(qms.root, capsys) == []
    assert main(["codeowners", "--gitlab", "-C", str(qms.root)]) == 0
    assert qms.path(".gitlab/CODEOWNERS").read_text() == qms.path(".github/CODEOWNERS").read_text()


def test_check_reports_codeowners_that_no_longer_match(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codeowners", "-C", str(qms.root)]) == 0
    (qms.root / "qms.yml").write_text(HANDLES.replace("handle: dana}", "handle: dana-quality}"))
    assert "QMS160 .github/CODEOWNERS" in findings(qms.root, capsys)
    assert main(["codeowners", "-C", str(qms.root)]) == 0
    capsys.readouterr()
    assert findings(qms.root, capsys) == []
    qms.write(".github/CODEOWNERS", "* @someone\n")  # written by hand: not ours to judge
    assert findings(qms.root, capsys) == []


def test_a_handle_that_is_no_user_name_is_refused(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    (qms.root / "qms.yml").write_text(HANDLES.replace("handle: dana}", "handle: 'dana quality'}"))
    assert main(["codeowners", "-C", str(qms.root)]) == 2
    assert "QMS091 'dana quality' is not a Git host user name" in capsys.readouterr().err
