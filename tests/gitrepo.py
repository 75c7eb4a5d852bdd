"""Real Git repositories for tests: fixed identities and dates, an isolated global configuration."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from helpers import PEOPLE, PROJECT, baseline

VENV_BIN = str(Path(sys.executable).parent)


class Repo:
    """A Git work tree in a temporary folder, committed to by named people.

    It keeps its own clock: every command it runs sees the same time as Git's dates and as the tool's clock
    (QMS_NOW), and the clock moves one minute on after each, so that history is in order and reproducible.
    """

    def __init__(self, root: Path, home: Path, start: str = "2026-03-02T09:00:00") -> None:
        self.root = root
        self.home = home
        self.clock = datetime.fromisoformat(start).replace(tzinfo=timezone.utc)
        home.mkdir(parents=True, exist_ok=True)
        (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
        self.env = {
            "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
            "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", ""), "PRE_COMMIT_HOME": str(home / "pre-commit"),
            "LANG": "C.UTF-8", "NO_MKDOCS_2_WARNING": "1",
        }
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q")
        (root / ".gitignore").write_text(".qms-*.tmp\n")
        self.become("author")

    def run(self, *command: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command in the work tree with the test environment."""
        full_env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "QMS_"))}
        moment = self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")
        full_env.update(self.env, GIT_AUTHOR_DATE=moment, GIT_COMMITTER_DATE=moment, QMS_NOW=moment)
        full_env.update(env or {})
        self.clock += timedelta(minutes=1)
        result = subprocess.run(list(command), cwd=self.root, env=full_env, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def at(self, moment: str) -> None:
        """Move the clock on to `moment` (YYYY-MM-DD or a date-time, UTC); it never goes back."""
        wanted = datetime.fromisoformat(moment if "T" in moment else moment + "T09:00:00").replace(tzinfo=timezone.utc)
        assert wanted >= self.clock, f"the clock is at {self.clock}, after {moment}"
        self.clock = wanted

    def sibling(self, root: Path) -> "Repo":
        """The same people, home and clock, in another work tree (a clone)."""
        other = copy.copy(self)
        other.root = root
        return other

    @property
    def today(self) -> str:
        return self.clock.date().isoformat()

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("git", *args, check=check)

    def qms(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return self.run(os.path.join(VENV_BIN, "qms"), *args, check=check)

    def become(self, role: str, name: str | None = None, email: str | None = None) -> None:
        """Set the repository's Git identity to the person holding `role` in the test people table; a person who
        has a signing key (see `make_key`) signs every commit with it."""
        person_name, person_email = PEOPLE.get(role, (name, email))
        self.git("config", "user.name", name or person_name or role)
        self.git("config", "user.email", email or person_email or f"{role}@example.com")
        self.sign_with(role if (self.home / "keys" / role).exists() else None)

    def make_key(self, role: str) -> str:
        """A real SSH signing key (ssh-keygen) for the person holding `role`: its public key line."""
        path = self.home / "keys" / role
        path.parent.mkdir(exist_ok=True)
        if not path.exists():
            self.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", role, "-f", str(path))
        return (self.home / "keys" / f"{role}.pub").read_text().strip()

    def sign_with(self, role: str | None) -> None:
        """Sign commits with the key made for `role` (whoever is committing), or not at all."""
        if role is None:
            self.git("config", "commit.gpgsign", "false")
            self.git("config", "--unset-all", "user.signingkey", check=False)
            return
        self.git("config", "gpg.format", "ssh")
        self.git("config", "user.signingkey", str(self.home / "keys" / role))
        self.git("config", "commit.gpgsign", "true")

    def commit(self, message: str, *paths: str, no_verify: bool = False, check: bool = True,
               ) -> subprocess.CompletedProcess[str]:
        """Stage `paths` (all changes if none) and commit as the current identity."""
        self.git("add", "-A", *(["--", *paths] if paths else []))
        return self.run("git", "commit", "-q", *(["--no-verify"] if no_verify else []), "-m", message, check=check)

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def status(self) -> str:
        return self.git("status", "--porcelain").stdout


def starter_repo(root: Path, home: Path) -> Repo:
    """A repository holding a copy of this project's starter QMS, committed by the QMS administrator."""
    repo = Repo(root, home, start="2026-11-25T10:00:00")
    for name in ("qms.yml", "procedures", "records", ".pre-commit-config.yaml", ".gitattributes", ".gitignore",
                 "tools/setup/qms-hook"):
        source = PROJECT / name
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt the starter QMS", no_verify=True)
    return repo


def verify_all_history(repo: Repo) -> None:
    """The administrator drops the starter's verify_from (a commit of another repository), so that this
    repository's whole history is verified, and its ledger judged, from its first commit."""
    repo.become("admin", "Dana Quality", "quality@example.com")
    text = repo.read("qms.yml")
    repo.write("qms.yml", "\n".join(line for line in text.split("\n") if not line.startswith("verify_from:")))
    repo.run("git", "commit", "-q", "--no-verify", "-am", "Verify all history", "-m",
             "Config-Change: this repository's history starts here")


def adopted_repo(tmp_path: Path) -> Repo:
    """The baseline QMS adopted by the administrator (branch `adopted`), with work going on in branch `work`."""
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin")
    repo.commit("Adopt the QMS", no_verify=True)
    repo.git("branch", "adopted")
    repo.git("checkout", "-q", "-b", "work")
    return repo


def findings(repo: Repo, *args: str) -> list[dict[str, object]]:
    """The findings a qms command reports with --format json (it must exit 0 or 1)."""
    result = repo.qms(*args, "--format", "json")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return found


SOP1 = "procedures/sop/SOP-001-nonconformity.md"


def revise(repo: Repo, text: str, change: str) -> None:
    """The author starts the next revision of the baseline's SOP-001 and adds `text` to it."""
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", change, check=True)
    repo.edit(SOP1, "Record it on", text + " Record it on")
    repo.commit(f"Revise SOP-001: {change}")


def approve_all(repo: Repo, effective: str) -> None:
    """Both approvers SOP-001 needs sign it, each committing as themselves."""
    repo.become("production-manager")
    repo.qms("approve", "SOP-001", "--effective", effective, "--commit", check=True)
    repo.become("quality-manager")
    repo.qms("approve", "SOP-001", "--commit", check=True)
