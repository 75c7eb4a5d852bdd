"""The hooks as other QMS repositories use them: `pre-commit try-repo` against this repository."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml
from gitrepo import VENV_BIN, Repo, starter_repo
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


def _bare_path() -> str:
    """A PATH with git and a shell, and without this project's environment: an IDE's or a Git GUI's."""
    git = shutil.which("git")
    assert git is not None
    folders = [os.path.dirname(git), "/bin", "/usr/bin"]
    return os.pathsep.join(dict.fromkeys(folder for folder in folders if folder != VENV_BIN))


SOP9 = "procedures/sop/SOP-009-calibration-of-monitoring-and-measuring-equipment.md"


def test_the_hook_runs_without_the_environment_on_path(tmp_path: Path) -> None:
    """A clean clone set up as the README says (.venv made by make manual), committing with .venv/bin not on PATH:
    the hook runs and rejects an unreviewed edit of an effective procedure with the finding."""
    repo = starter_repo(tmp_path / "qms", tmp_path / "home")
    (repo.root / ".venv").symlink_to(Path(VENV_BIN).parent, target_is_directory=True)
    repo.run(str(repo.root / ".venv/bin/pre-commit"), "install")
    repo.become("author")
    repo.edit(SOP9, "## Purpose\n", "## Purpose\n\nTorque tools are included.\n")
    repo.git("add", SOP9)
    bare = {"PATH": _bare_path()}
    assert repo.run("sh", "-c", "command -v qms", check=False, env=bare).returncode != 0
    result = repo.run("git", "commit", "-q", "-m", "Mention torque tools", check=False, env=bare)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "QMS100" in result.stdout + result.stderr and "qms revise SOP-009" in result.stdout + result.stderr
    repo.git("restore", "--staged", "--worktree", SOP9)
    repo.edit("procedures/work-instructions/WI-004-packaging-and-preservation-of-finished-parts.md", "## Purpose\n",
              "## Purpose\n\nDrafting goes on.\n")
    repo.git("add", "-u")
    assert repo.run("git", "commit", "-q", "-m", "Work on the WI-004 draft", check=False, env=bare).returncode == 0


def test_the_hook_says_how_to_set_up_when_qms_is_nowhere(tmp_path: Path) -> None:
    repo = starter_repo(tmp_path / "qms", tmp_path / "home")
    repo.run(os.path.join(VENV_BIN, "pre-commit"), "install")
    repo.become("author")
    repo.edit(SOP9, "## Purpose\n", "## Purpose\n\nTorque tools are included.\n")
    repo.git("add", SOP9)
    result = repo.run("git", "commit", "-q", "-m", "Mention torque tools", check=False, env={"PATH": _bare_path()})
    assert result.returncode == 1
    assert "run make manual (it installs qms into .venv), then commit again" in result.stdout + result.stderr


def test_the_readme_hook_instructions_work_with_a_tagged_version(tmp_path: Path) -> None:
    """Another QMS repository pastes the README's configuration, pointing at a copy of this repository tagged with
    the version pyproject.toml names; pre-commit installs the hook from the tag and it judges each commit."""
    import re
    import tomllib

    snippet = re.search(r"\*\*Other QMS repositories\*\*.*?```yaml\n(.*?)```", README, re.DOTALL)
    assert snippet is not None
    version = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["version"]
    config = yaml.safe_load(snippet.group(1))
    assert config["repos"][0]["rev"] == f"v{version}"
    source = tmp_path / "source"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns(".venv", "site", "*.egg-info", "__pycache__",
                                                                   ".pytest_cache", ".mypy_cache", ".git"))
    other = Repo(tmp_path / "other", tmp_path / "home")
    source_repo = other.sibling(source)
    source_repo.git("init", "-q")
    source_repo.become("admin", "Ada Admin", "admin@example.com")
    source_repo.commit("Release", no_verify=True)
    source_repo.git("tag", f"v{version}")
    source_repo.write("later.txt", "work after the release\n")
    source_repo.commit("After the release", no_verify=True)
    url = config["repos"][0]["repo"]
    (other.root / ".pre-commit-config.yaml").write_text(snippet.group(1).replace(url, str(source)))
    qms = baseline(other.root)
    other.become("admin", "Ada Admin", "admin@example.com")
    other.commit("Adopt", no_verify=True)
    other.run(os.path.join(VENV_BIN, "pre-commit"), "install")
    other.become("author")
    qms.document("SOP-003", "Welding", status="draft", effective=None)
    other.commit("Draft SOP-003")
    other.edit("procedures/sop/SOP-001-nonconformity.md", "Record it on", "Write it on")
    refused = other.commit("Edit SOP-001", check=False)
    assert refused.returncode == 1 and "QMS100" in refused.stdout + refused.stderr
