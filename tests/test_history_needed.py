"""Views whose answer rests on history (what is in force, who is trained, how long records are kept, which qms.yml
holds) never answer from a shallow clone or from a QMS in a subfolder of a Git repository: each refuses with the
same words, or reports the same finding (QMS137); never a raw Git error, never a silently wrong fact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gitrepo import Repo, starter_repo, verify_all_history

VIEWS = [("check",), ("list",), ("training",), ("records",), ("inbox", "--person", "morgan.price@example.com"),
         ("history", "WI-002"), ("verify",), ("config-history",), ("check", "--staged"), ("check", "--base", "HEAD"),
         ("diff", "WI-002", "1", "2"), ("new", "procedure", "Welding")]
REPORTING = {("check",), ("verify",), ("check", "--staged"), ("check", "--base", "HEAD")}  # findings, exit 1


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    base = tmp_path_factory.mktemp("starter")
    repo = starter_repo(base / "qms", base / "home")
    verify_all_history(repo)
    return repo


@pytest.fixture(scope="module")
def shallow(starter: Repo, tmp_path_factory: pytest.TempPathFactory) -> Repo:
    starter.become("admin", "Ada Admin", "admin@example.com")
    starter.write("procedures/notes.txt", "a second commit, so that a clone of depth 1 lacks history\n")
    starter.commit("Notes", no_verify=True)
    clone = tmp_path_factory.mktemp("shallow") / "qms"
    starter.git("clone", "-q", "--depth", "1", f"file://{starter.root}", str(clone))
    repo = starter.sibling(clone)
    repo.become("quality-manager")
    return repo


@pytest.fixture(scope="module")
def nested(starter: Repo, tmp_path_factory: pytest.TempPathFactory) -> Repo:
    outer = tmp_path_factory.mktemp("nested") / "outer"
    repo = Repo(outer, starter.home)
    shutil.copytree(starter.root, outer / "q", ignore=shutil.ignore_patterns(".git"))
    repo.commit("A QMS in a subfolder", no_verify=True)
    inner = repo.sibling(outer / "q")
    inner.become("quality-manager")
    return inner


@pytest.mark.parametrize("view", VIEWS, ids=[" ".join(view) for view in VIEWS])
def test_a_shallow_clone_is_reported_alike(shallow: Repo, view: tuple[str, ...]) -> None:
    result = shallow.qms(*view)
    said = result.stdout + result.stderr
    assert "QMS137" in said and "fetch-depth: 0" in said, said
    assert result.returncode == (1 if view in REPORTING else 2), said
    assert "fatal:" not in said and "unknown commit" not in said and "Traceback" not in said
    if view[0] == "check":  # nothing that rests on history, such as overdue training, is said beside it
        assert "QMS183" not in said and said.count("QMS137") == 1, said


@pytest.mark.parametrize("view", VIEWS, ids=[" ".join(view) for view in VIEWS])
def test_a_qms_in_a_subfolder_is_refused_alike(nested: Repo, view: tuple[str, ...]) -> None:
    result = nested.qms(*view)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "the QMS must be its root" in result.stderr.replace("\n", " ")
    assert "Traceback" not in result.stderr


def test_history_names_a_verify_from_it_cannot_find(starter: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(starter.root, clone)
    other = starter.sibling(clone)
    other.write("qms.yml", other.read("qms.yml") + "verify_from: 6fdd13f0953ffe5b26a1de646770abf4b84d8d94\n")
    other.become("admin", "Dana Quality", "quality@example.com")  # an administrator's edit: judged as in force
    result = other.qms("history", "WI-002")
    assert result.returncode == 2 and "unknown commit '6fdd13f" in result.stderr and "fatal" not in result.stderr


def test_a_full_clone_answers(starter: Repo, tmp_path: Path) -> None:
    """The same views answer from the whole history, and a plain folder outside Git is judged by itself."""
    for view in (("list",), ("training",), ("records",), ("history", "WI-002")):
        assert starter.qms(*view).returncode == 0, view
    folder = tmp_path / "plain"
    shutil.copytree(starter.root, folder, ignore=shutil.ignore_patterns(".git"))
    plain = starter.sibling(folder)
    assert plain.qms("list").returncode == 0 and plain.qms("records").returncode == 0
