"""The hooks as other QMS repositories use them: `pre-commit try-repo` against this repository."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml
from gitrepo import VENV_BIN, Repo
from helpers import PROJECT, baseline

README = (PROJECT / "README.md").read_text()


def test_every_hook_has_a_console_script_and_a_readme_line() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    local = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert [h["id"] for h in hooks] == [h["id"] for h in local]
    for hook in hooks:
        assert hook["entry"].split()[0] == "qms" and shutil.which("qms", path=VENV_BIN)
        assert hook["pass_filenames"] is False
        assert f"`{hook['id']}`" in README


def test_try_repo_from_another_qms_repository(tmp_path: Path) -> None:
    """Installs this repository as a hook (language: python), as `repo:` would, and runs it on a commit."""
    source = tmp_path / "source"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns(".venv", "site", "*.egg-info", "__pycache__",
                                                                   ".pytest_cache", ".git"))
    other = Repo(tmp_path / "other", tmp_path / "home")
    source_repo = other.sibling(source)
    source_repo.git("init", "-q")
    source_repo.become("admin", "Ada Admin", "admin@example.com")
    source_repo.commit("Snapshot", no_verify=True)
    qms = baseline(other.root)
    other.become("admin", "Ada Admin", "admin@example.com")
    other.commit("Adopt", no_verify=True)
    other.become("author")
    qms.document("SOP-003", "Welding", status="draft", effective=None)
    other.git("add", "-A")
    pre_commit = os.path.join(VENV_BIN, "pre-commit")
    clean = other.run(pre_commit, "try-repo", str(source), "qms-check", check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    other.commit("Draft SOP-003", no_verify=True)
    other.edit("procedures/sop/SOP-001-nonconformity.md", "Record it on", "Write it on")
    other.git("add", "-A")
    dirty = other.run(pre_commit, "try-repo", str(source), "qms-check", check=False)
    assert dirty.returncode == 1 and "QMS100" in dirty.stdout and "qms revise SOP-001" in dirty.stdout
