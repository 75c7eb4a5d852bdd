"""The pre-commit hook's cost: one staged change, on the starter QMS and on a synthetic one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from . import measure

GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "quality@example.com", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "quality@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: str, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def make_repository(root: str, project: str) -> None:
    """Commit everything in `root`, install the project's hook, and stage a one-line change to a draft."""
    shutil.copy(os.path.join(project, ".pre-commit-config.yaml"), root)
    os.makedirs(os.path.join(root, "tools", "setup"), exist_ok=True)
    shutil.copy2(os.path.join(project, "tools", "setup", "qms-hook"), os.path.join(root, "tools", "setup"))
    os.symlink(os.path.join(project, ".venv"), os.path.join(root, ".venv"))  # the hook runs this environment's qms
    git(root, "init", "-q", "-b", "main")
    with open(os.path.join(root, ".git", "info", "exclude"), "a", encoding="utf-8") as exclude:
        exclude.write(".venv\n")
    git(root, "config", "user.email", "quality@example.com")
    git(root, "config", "user.name", "Dana Quality")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "QMS")


def stage_change(root: str, rel: str) -> None:
    """A draft edit: the change a hook sees on most commits."""
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text + "\nOne more sentence for the draft.\n")
    git(root, "add", rel)


def bench_hook(label: str, root: str, changed: str, qms: list[str], runs: int) -> None:
    """Measure the hook against `qms check` of the one changed file alone, in the same run."""
    alone = root + "-alone"
    os.makedirs(os.path.join(alone, os.path.dirname(changed)), exist_ok=True)
    shutil.copy(os.path.join(root, "qms.yml"), alone)
    shutil.copy(os.path.join(root, changed), os.path.join(alone, changed))
    pre_commit = [os.path.join(os.path.dirname(sys.executable), "pre-commit"), "run", "qms-check"]
    env_path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    os.environ["PATH"] = env_path
    def staged(command: list[str]) -> measure.Sample:
        stage_change(root, changed)  # each run judges a change it has not seen, as each commit's hook does
        return measure.run(command, cwd=root)

    results = measure.compare({
        "qms check of the one changed file alone": lambda: measure.run([*qms, "check", "-C", alone], ok=(0, 1)),
        "qms check FILE (in the whole QMS)": lambda: measure.run([*qms, "check", changed], cwd=root, ok=(0, 1)),
        "qms check --staged (what the hook runs)": lambda: staged([*qms, "check", "--staged"]),
        "pre-commit run qms-check (the real hook)": lambda: staged(pre_commit),
    }, runs)
    measure.report(f"pre-commit hook, one staged change, {label}", results, "qms check of the one changed file alone",
                   {"qms check --staged (what the hook runs)": 2.0})
    shutil.rmtree(alone)
