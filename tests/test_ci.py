"""The CI templates as shipped: valid against the published GitHub workflow and GitLab CI schemas (which
check-jsonschema ships, so no network is needed), and each job's shell steps run, in order, on a clone."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from gitrepo import VENV_BIN, Repo, approve_all, revise
from helpers import PROJECT, baseline

GITHUB = PROJECT / ".github/workflows/qms.yml"
GITLAB = PROJECT / ".gitlab-ci.yml"
SCHEMAS = {GITHUB: "vendor.github-workflows", GITLAB: "vendor.gitlab-ci"}


def validate(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([os.path.join(VENV_BIN, "check-jsonschema"), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("path", list(SCHEMAS), ids=lambda p: p.name)
def test_template_matches_the_published_schema(path: Path) -> None:
    result = validate(path, SCHEMAS[path])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", list(SCHEMAS), ids=lambda p: p.name)
def test_the_schema_check_rejects_a_broken_template(path: Path, tmp_path: Path) -> None:
    broken = tmp_path / path.name
    text = path.read_text()
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout: 5") if path == GITHUB
                      else text.replace("  script:", "  scripts:"))  # a typo of timeout-minutes; of script
    assert broken.read_text() != text
    result = validate(broken, SCHEMAS[path])
    assert result.returncode == 1 and "validation errors" in result.stdout


def github_steps(job: str) -> list[str]:
    steps = yaml.safe_load(GITHUB.read_text())["jobs"][job]["steps"]
    return [step["run"] for step in steps if "run" in step]


def gitlab_steps(job: str) -> list[str]:
    spec = yaml.safe_load(GITLAB.read_text())[job]
    return [*spec.get("before_script", []), *spec["script"], *spec.get("after_script", [])]


def test_the_jobs_are_the_ones_the_readme_promises() -> None:
    github = yaml.safe_load(GITHUB.read_text())
    triggers = github[True] if True in github else github["on"]  # YAML 1.1 reads the key `on` as true
    assert {"pull_request", "push", "schedule"} <= set(triggers)
    pull_request = github["jobs"]["pull-request"]
    checkout = next(step for step in pull_request["steps"] if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any(step.get("uses", "").startswith("actions/cache") for step in pull_request["steps"])
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in github["jobs"]["publish"]["steps"])
    gitlab = yaml.safe_load(GITLAB.read_text())
    assert gitlab["variables"]["GIT_DEPTH"] == "0" and gitlab["pages"]["artifacts"]["paths"] == ["public"]
    for run in github_steps("pull-request") + github_steps("publish"):
        assert "${{" not in run  # expressions stay out of shell steps; they read environment variables


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """A clone of a QMS repository (this project's Makefile, pyproject.toml, mkdocs.yml and templates) checked out at
    a pull-request branch: a revision of SOP-001 approved by both its roles. Its .venv is this environment, set up:
    `make setup` finds nothing to do."""
    base = tmp_path_factory.mktemp("ci")
    origin = Repo(base / "origin", base / "home")
    baseline(origin.root)
    for name in ("Makefile", "pyproject.toml", "mkdocs.yml", ".gitlab-ci.yml", ".github/workflows/qms.yml",
                 "tools/setup/ensure-pdf.sh", "tools/setup/apt-install.sh"):
        (origin.root / name).parent.mkdir(parents=True, exist_ok=True)
        (origin.root / name).write_bytes((PROJECT / name).read_bytes())
    origin.become("admin")
    origin.commit("Adopt the QMS", no_verify=True)
    adopted = origin.git("rev-parse", "HEAD").stdout.strip()
    origin.edit("qms.yml", "signed_approvals: false\n", f"signed_approvals: false\nverify_from: {adopted}\n")
    origin.commit("Verify from the adoption\n\nConfig-Change: approvals before the adoption were carried over")
    origin.git("checkout", "-q", "-b", "pr")
    revise(origin, "Photograph it.", "Photographs of the part.")
    approve_all(origin, "2026-04-01")
    origin.git("checkout", "-q", "main")
    clone = origin.sibling(base / "clone")
    origin.run("git", "clone", "-q", "--branch", "pr", str(origin.root), str(clone.root))
    (clone.root / ".venv").mkdir()
    (clone.root / ".venv/bin").symlink_to(VENV_BIN, target_is_directory=True)
    (clone.root / ".venv/.installed-stamp").touch()
    stamp = (clone.root / "pyproject.toml").stat().st_mtime + 60
    os.utime(clone.root / ".venv/.installed-stamp", (stamp, stamp))
    return clone


def run_steps(repo: Repo, steps: list[str], env: dict[str, str]) -> None:
    for step in steps:
        result = repo.run("bash", "-e", "-o", "pipefail", "-c", step, check=False, env=env)
        assert result.returncode == 0, f"{step}\n{result.stdout}\n{result.stderr}"


def test_github_pull_request_job_runs_on_a_clone(clone: Repo, tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    run_steps(clone, github_steps("pull-request"), {"GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text()
    assert "| SOP-001 | Nonconformity | revised | 2 → 3 | pending |" in text
    assert text == (clone.root / "qms-summary.md").read_text()
    assert (clone.root / "site/index.html").exists()


def test_gitlab_merge_request_job_runs_on_a_clone(clone: Repo) -> None:
    run_steps(clone, gitlab_steps("merge-request"), {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
    assert "| SOP-001 | Nonconformity | revised | 2 → 3 | pending |" in (clone.root / "qms-summary.md").read_text()
    assert list((clone.root / ".qms-cache/qms-ledgers").iterdir())  # kept for the next pipeline


def test_publish_jobs_run_on_main(clone: Repo) -> None:
    clone.git("checkout", "-q", "main")
    try:
        run_steps(clone, github_steps("publish"), {})
        assert (clone.root / "site/index.html").exists()
        run_steps(clone, gitlab_steps("pages"), {})
        assert (clone.root / "public/index.html").exists()
    finally:
        clone.git("checkout", "-q", "pr")
