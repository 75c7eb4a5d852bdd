"""The starter QMS in this repository: clean, complete, and built into a manual that shows only effective text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from helpers import PROJECT

from qms.cli import main
from qms.model import iso9001
from qms.model.config import load_config
from qms.model.state import EFFECTIVE
from qms.model.workspace import scan

AS_OF = date(2026, 11, 24)  # the day WI-002 revision 2 came into force


def test_starter_checks_clean_but_for_the_overdue_training_it_shows(capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Clean, except that it shows one person overdue for training on purpose (QMS183, an error with --strict)."""
    monkeypatch.setenv("QMS_NOW", f"{AS_OF.isoformat()}T12:00:00Z")  # the files as they are, on a fixed day
    assert main(["check", "-C", str(PROJECT)]) == 0
    assert "0 errors, 1 warnings" in capsys.readouterr().err
    assert main(["check", "--strict", "--format", "json", "-C", str(PROJECT)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["path"]) for f in found] == \
        [("QMS183", "procedures/work-instructions/WI-001-final-inspection-and-release.md")]
    assert "Morgan Price" in found[0]["message"]


def test_starter_has_training_on_an_older_revision_and_overdue(capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMS_NOW", f"{AS_OF.isoformat()}T12:00:00Z")
    assert main(["training", "--format", "json", "-C", str(PROJECT)]) == 0
    cells = {(c["document"], c["email"]): (c["state"], c["trained_revision"])
             for c in json.loads(capsys.readouterr().out)["cells"]}
    assert cells[("WI-002", "morgan.price@example.com")] == ("due", "1")  # trained on revision 1, revision 2 needs it
    assert cells[("WI-001", "morgan.price@example.com")] == ("overdue", None)
    assert cells[("WI-001", "jordan.hale@example.com")] == ("trained", "2")


def test_starter_covers_every_clause_and_each_kind_of_document() -> None:
    ws = scan(str(PROJECT), load_config(str(PROJECT)), AS_OF)
    effective = [doc for doc in ws.documents if ws.assessment(doc).state == EFFECTIVE]
    gaps = [c for c in iso9001.subclauses() if not any(iso9001.covers(d, c) for doc in effective for d in doc.clauses)]
    assert gaps == []
    states = {doc.id: ws.assessment(doc).state for doc in ws.documents}
    assert "obsolete" in states.values() and "draft" in states.values()
    obsolete = [doc for doc in ws.documents if doc.status == "obsolete"]
    assert all(doc.superseded_by in states for doc in obsolete)
    assert any(doc.periodic_reviews for doc in ws.documents)
    assert {doc.type for doc in ws.documents} == set(ws.config.document_types)
    assert len(ws.records) >= 5 and not ws.findings


def test_manual_build_publishes_only_effective_documents(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=PROJECT, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert (site / "index.html").is_file()
    text = "".join(p.read_text(errors="replace") for p in site.rglob("*") if p.is_file() and p.suffix in
                   (".html", ".json", ".xml", ".md"))
    assert "Control of Documented Information" in text
    assert "Packaging and Preservation of Finished Parts" not in text  # the draft
    assert "decides whether a supplier is approved" not in text and "SOP-012-supplier" not in text  # obsolete
    assert "<td>SOP-012</td>" in (site / "master-list" / "index.html").read_text()  # listed as obsolete, unlinked
    assert "Wrong surface finish" not in text.lower() and "records/" not in text
    assert not list(site.rglob("*.md"))
