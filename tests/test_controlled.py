"""Files that govern how the QMS is enforced and published (qms.yml `controlled`) change only like qms.yml: by an
administrator, with a Config-Change: trailer; each commit is judged by the list in force at its parent."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import Repo, adopted_repo, findings

MKDOCS = "site_name: Test QMS\ndocs_dir: procedures\nplugins:\n  - search\n  - qms\n"
TRAILER = "Config-Change: the manual and CI files are controlled"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = adopted_repo(tmp_path)
    repo.write("mkdocs.yml", MKDOCS)
    repo.write(".ci/run", "#!/bin/sh\nmake test\n")
    repo.become("author")
    repo.commit("Build the manual", no_verify=True)  # before the files were controlled: never judged
    control(repo, "[mkdocs.yml, .ci/]")
    return repo


def control(repo: Repo, listed: str) -> None:
    repo.become("admin")
    kept = [line for line in repo.read("qms.yml").splitlines(keepends=True) if not line.startswith("controlled:")]
    repo.write("qms.yml", "".join(kept) + f"controlled: {listed}\n")
    repo.git("add", "qms.yml")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Control the manual", "-m", TRAILER)


def codes(found: list[dict[str, object]]) -> set[tuple[object, object]]:
    return {(f["code"], f["doc"]) for f in found if f["severity"] == "error"}


def every_view(repo: Repo) -> dict[str, set[tuple[object, object]]]:
    return {"CI": codes(findings(repo, "check", "--base", "adopted")), "verify": codes(findings(repo, "verify", "--since", "adopted"))}


def test_a_writer_who_turns_the_plugin_off_is_reported_in_every_view(repo: Repo) -> None:
    repo.edit("mkdocs.yml", "  - qms\n", "")
    repo.become("author")
    repo.git("add", "-A")
    assert ("QMS150", "mkdocs.yml") in codes(findings(repo, "check", "--staged"))
    repo.commit("simplify", no_verify=True)
    for view, found in every_view(repo).items():
        assert {("QMS150", "mkdocs.yml"), ("QMS151", "mkdocs.yml")} <= found, view


@pytest.mark.parametrize("change", ["edit", "delete", "add"])
def test_a_folder_entry_controls_every_file_in_it(repo: Repo, change: str) -> None:
    if change == "edit":
        repo.write(".ci/run", "#!/bin/sh\ntrue\n")
    elif change == "delete":
        repo.git("rm", "-q", ".ci/run")
    else:
        repo.write(".ci/skip", "true\n")
    path = ".ci/skip" if change == "add" else ".ci/run"
    repo.become("author")
    repo.git("add", "-A")
    assert ("QMS150", path) in codes(findings(repo, "check", "--staged"))
    repo.commit("CI", no_verify=True)
    assert all(("QMS150", path) in found for found in every_view(repo).values())


def test_the_administrator_changes_them_with_a_trailer(repo: Repo) -> None:
    repo.edit("mkdocs.yml", "site_name: Test QMS", "site_name: Northwind QMS")
    repo.become("admin")
    repo.git("add", "-A")
    assert codes(findings(repo, "check", "--staged")) == set()
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Rename the site", "-m", "Config-Change: the new name")
    assert every_view(repo) == {"CI": set(), "verify": set()}
    repo.edit("mkdocs.yml", "site_name: Northwind QMS", "site_name: Northwind")
    repo.commit("No reason given", no_verify=True)  # still the administrator, without the trailer
    for view, found in every_view(repo).items():
        assert found == {("QMS151", "mkdocs.yml")}, view


def test_history_before_a_file_was_controlled_and_other_files_stay_unjudged(repo: Repo) -> None:
    """The author's commit of mkdocs.yml before the setting existed is not judged again, nor is a file that is
    not listed; an organisation can list its own folders (here the tool's)."""
    repo.become("author")
    repo.write("Makefile", "manual:\n\tmkdocs build\n")
    repo.write("tools/qms/cli.py", "print('qms')\n")
    repo.commit("Tooling", no_verify=True)
    assert every_view(repo) == {"CI": set(), "verify": set()}
    control(repo, "[mkdocs.yml, .ci/, tools/]")
    repo.become("author")
    repo.write("tools/qms/cli.py", "print('no checks')\n")
    repo.commit("Quietly change the tool", no_verify=True)
    assert ("QMS150", "tools/qms/cli.py") in every_view(repo)["verify"]


def test_a_merge_brings_in_an_administrators_change_without_a_finding(repo: Repo) -> None:
    """A change the administrator made on a branch is theirs; the merge made by someone else adds nothing."""
    repo.git("checkout", "-q", "-b", "site")
    repo.become("admin")
    repo.edit("mkdocs.yml", "site_name: Test QMS", "site_name: Northwind QMS")
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Rename the site", "-m", "Config-Change: the new name")
    repo.git("checkout", "-q", "work")
    repo.become("author")
    repo.write("notes.txt", "unrelated\n")
    repo.commit("Notes", no_verify=True)
    repo.git("merge", "-q", "--no-ff", "--no-edit", "site")
    assert every_view(repo) == {"CI": set(), "verify": set()}


@pytest.mark.parametrize("listed", ["[procedures/]", "[../outside]", "[qms.yml]", "[/etc/passwd]"])
def test_controlled_names_files_inside_the_repository_not_judged_otherwise(tmp_path: Path, listed: str) -> None:
    repo = adopted_repo(tmp_path)
    repo.write("qms.yml", repo.read("qms.yml") + f"controlled: {listed}\n")
    result = repo.qms("check")
    assert result.returncode == 2 and "QMS091 controlled:" in result.stderr, result.stdout + result.stderr
