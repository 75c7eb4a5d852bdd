"""Running git: one function, an argument list (never a shell), a clear error when it fails."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from ..errors import EXIT_USAGE, QmsError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
NULL_BLOB = "0" * 40


class GitError(QmsError):
    """git failed, or the folder is not a usable Git repository."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE, output: str = "") -> None:
        super().__init__(message, exit_code)
        self.output = output  # everything git (and any hook it ran) printed


def run(args: Sequence[str], cwd: str, stdin: bytes | None = None, check: bool = True) -> bytes:
    """Run `git ARGS` in `cwd` and return its standard output; raise GitError if it fails."""
    return start(args, cwd, stdin, check).output()


class Started:
    """A git command running while the caller does other work (git walks history on another core while Python
    loads its caches); `output` waits for it and returns what `run` would.

    Output and errors go through temporary files: for the large outputs of history reads that is faster than
    Python's pipe loop, and it cannot deadlock with a large `stdin`.
    """

    def __init__(self, args: Sequence[str], cwd: str, stdin: bytes | None, check: bool) -> None:
        self.args, self.stdin, self.check = list(args), stdin, check
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
        try:
            self.process = subprocess.Popen(["git", *args], cwd=cwd, stdout=self.out, stderr=self.err, env=env,
                                            stdin=subprocess.PIPE if stdin is not None else None)
        except FileNotFoundError:
            self._close()
            raise GitError("git is not installed (install git and try again)", EXIT_USAGE) from None

    def output(self) -> bytes:
        """Wait for git; its standard output (GitError if it failed and `check` is set)."""
        try:
            self.process.communicate(self.stdin)
            self.out.seek(0)
            self.err.seek(0)
            output, errors = self.out.read(), self.err.read()
        finally:
            self._close()
        if self.check and self.process.returncode != 0:
            printed = (output + errors).decode(errors="replace").strip()
            message = errors.decode(errors="replace").strip().splitlines()
            raise GitError(f"git {' '.join(self.args[:3])} failed: {message[-1] if message else self.process.returncode}",
                           EXIT_USAGE, printed)
        return output

    def _close(self) -> None:
        self.out.close()
        self.err.close()


def start(args: Sequence[str], cwd: str, stdin: bytes | None = None, check: bool = True) -> Started:
    """Start `git ARGS` in `cwd`; `.output()` waits for it and returns what `run` would."""
    return Started(args, cwd, stdin, check)


def text(args: Sequence[str], cwd: str) -> str:
    """`run`, decoded, without the trailing newline."""
    return run(args, cwd).decode("utf-8", errors="replace").rstrip("\n")


def succeeds(args: Sequence[str], cwd: str) -> bool:
    """Whether `git ARGS` exits 0."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False).returncode == 0


def toplevel(cwd: str) -> str:
    """The root of the work tree containing `cwd`."""
    top = run(["rev-parse", "--show-toplevel"], cwd, check=False).decode("utf-8", errors="replace").strip()
    if not top:
        raise GitError(f"{cwd} is not inside a Git repository (git init, or run in your QMS clone)")
    return top


def is_repository(cwd: str) -> bool:
    """Whether `cwd` is inside a Git repository."""
    return succeeds(["rev-parse", "--git-dir"], cwd)


def is_root(cwd: str) -> bool:
    """Whether `cwd` is the root of a Git repository's work tree."""
    top = run(["rev-parse", "--show-toplevel"], cwd, check=False).decode("utf-8", errors="replace").strip()
    return bool(top) and os.path.realpath(top) == os.path.realpath(cwd)


def git_dir(cwd: str) -> str:
    """The repository's .git folder."""
    return os.path.join(cwd, text(["rev-parse", "--git-dir"], cwd))


def layout(cwd: str) -> tuple[str, str, bool] | None:
    """The repository containing `cwd`, asked in one call: its .git folder, the root of its work tree, and whether
    the clone is shallow; None outside Git."""
    found = run(["rev-parse", "--git-dir", "--show-toplevel", "--is-shallow-repository"], cwd, check=False)
    lines = found.decode("utf-8", errors="replace").splitlines()
    if len(lines) == 3:
        return os.path.join(cwd, lines[0]), lines[1], lines[2] == "true"
    if not is_repository(cwd):
        return None
    return git_dir(cwd), toplevel(cwd), is_shallow(cwd)  # a path with a line break in it: asked one at a time


def require_root(root: str, top: str | None = None) -> None:
    """Refuse a QMS that is not at the root of its Git repository (`top`, where the caller has it), with the same
    words in every view."""
    top = top or toplevel(root)
    if os.path.realpath(top) != os.path.realpath(root):
        raise GitError(f"qms.yml is in {root}, but the Git repository's root is {top}: history, approvals and "
                       "records are judged per repository, so the QMS must be its root (move qms.yml, procedures/ "
                       "and records/ there, or make the folder a repository of its own)", EXIT_USAGE)


def commit_id(cwd: str, ref: str) -> str | None:
    """The full id of the commit `ref` names, or None."""
    found = run(["rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], cwd, check=False).decode().strip()
    return found or None


def merge_base(cwd: str, one: str, other: str) -> str:
    """The best common ancestor of two commits."""
    return text(["merge-base", one, other], cwd)


def is_ancestor(cwd: str, ancestor: str, descendant: str) -> bool:
    """Whether `ancestor` is reachable from `descendant` (or is it)."""
    return succeeds(["merge-base", "--is-ancestor", ancestor, descendant], cwd)


def on_first_parent_line(cwd: str, ancestor: str, descendant: str) -> bool:
    """Whether `ancestor` is `descendant` or one of its first parents, however far back: on the line a branch
    was built along, not merely reachable through a merge."""
    if ancestor == descendant:
        return True
    line = text(["rev-list", "--first-parent", "--parents", descendant, f"^{ancestor}"], cwd).split("\n")
    last = line[-1].split() if line and line[-1] else []
    return len(last) > 1 and last[1] == ancestor


def commits_after(cwd: str, base: str | None, head: str = "HEAD") -> set[str]:
    """Commits reachable from `head` and not from `base` (every commit, if `base` is None), merges included."""
    return set(text(["rev-list", head] + ([f"^{base}"] if base else []), cwd).split())


def commits_outside(cwd: str, head: str, exclude: Sequence[str]) -> set[str]:
    """Commits reachable from `head` and from none of `exclude`, merges included."""
    return set(text(["rev-list", head, *(f"^{commit}" for commit in exclude)], cwd).split())


def index_entries(cwd: str, paths: Sequence[str]) -> dict[str, str]:
    """The index entries (mode, blob, path) of `paths`, to put them back with `restore_index_entries`."""
    raw = run(["ls-files", "-s", "-z", "--", *paths], cwd).decode("utf-8", errors="surrogateescape")
    found = {}
    for entry in filter(None, raw.split("\0")):
        info, path = entry.split("\t", 1)
        mode, blob, _stage = info.split()
        found[path] = f"{mode},{blob},{path}"
    return found


def restore_index_entries(cwd: str, paths: Sequence[str], saved: dict[str, str]) -> None:
    """Put the index entries of `paths` back as `index_entries` saw them."""
    for path in paths:
        if path in saved:
            run(["update-index", "--add", "--cacheinfo", saved[path]], cwd, check=False)
        else:
            run(["update-index", "--force-remove", "--", path], cwd, check=False)


def head_or_empty(cwd: str) -> str:
    """HEAD's commit, or the empty tree in a repository without commits."""
    return run(["rev-parse", "--verify", "-q", "HEAD"], cwd, check=False).decode().strip() or EMPTY_TREE


def is_shallow(cwd: str) -> bool:
    """Whether this clone lacks history (CI's default fetch-depth: 1)."""
    return text(["rev-parse", "--is-shallow-repository"], cwd) == "true"


def identity(cwd: str) -> tuple[str, str]:
    """(name, email) from git config, as `git commit` would use them."""
    found = run(["config", "--get-regexp", r"^user\.(name|email)$"], cwd, check=False).decode("utf-8", "replace")
    config = dict(line.split(" ", 1) for line in found.splitlines() if " " in line)
    name = os.environ.get("GIT_AUTHOR_NAME", config.get("user.name", "").strip())
    email = os.environ.get("GIT_AUTHOR_EMAIL", config.get("user.email", "").strip())
    if not email:
        raise GitError("no Git identity: git config user.name 'Your Name' && git config user.email you@example.com")
    return name, email


def read_blobs(cwd: str, specs: Sequence[str]) -> dict[str, bytes | None]:
    """Read many objects (`REV:path`, `:path` for the index) in one `git cat-file --batch`; None if missing."""
    if not specs:
        return {}
    output = run(["cat-file", "--batch"], cwd, stdin=("\n".join(specs) + "\n").encode())
    found: dict[str, bytes | None] = {}
    position = 0
    for spec in specs:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] in (b"blob", b"commit", b"tree", b"tag"):
            size = int(header[2])
            found[spec] = output[position:position + size]
            position += size + 1
        else:
            found[spec] = None
    return found


def last_commit_on(cwd: str, day: date, head: str = "HEAD") -> str | None:
    """The last commit on `head`'s first-parent line made on or before `day` (UTC), if any. A commit cannot be
    made before its parent, so a commit dated earlier than one before it (backdated) counts as made no earlier
    than that one: a backdated commit never brings later work into an earlier day."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc).timestamp()
    listed = run(["rev-list", "--first-parent", "--reverse", "--format=%ct", head], cwd, check=False)
    found, latest = None, float("-inf")
    lines = listed.decode("ascii", errors="replace").split("\n")
    for commit_line, date_line in zip(lines[0::2], lines[1::2]):
        latest = max(latest, float(date_line.strip() or 0))
        if latest >= end:
            break
        found = commit_line.removeprefix("commit ").strip()
    return found or None


def root_commits(cwd: str, head: str = "HEAD") -> list[str]:
    """The commits of `head`'s history that have no parent."""
    return run(["rev-list", "--max-parents=0", head], cwd).decode("ascii").split()


def tree_files(cwd: str, commit: str, folders: Sequence[str]) -> list[tuple[str, str, bool, int]]:
    """The files under `folders` in `commit`: (path, blob id, is a symbolic link, size)."""
    output = run(["ls-tree", "-r", "-z", "--long", commit, "--", *folders], cwd)
    found = []
    for entry in output.decode("utf-8", errors="surrogateescape").split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, blob, size = meta.split()
        if kind == "blob":
            found.append((path, blob, mode == "120000", int(size) if size.isdigit() else 0))
    return found


def first_parent_child(cwd: str, commit: str, head: str = "HEAD") -> str | None:
    """The commit after `commit` on `head`'s first-parent line, if `commit` is on it and not its tip."""
    found = run(["rev-list", "--first-parent", "--reverse", f"{commit}..{head}"], cwd, check=False)
    line = found.decode("ascii", errors="replace").split("\n", 1)[0].strip()
    return line or None


def commit_times(cwd: str, commits: Sequence[str]) -> dict[str, datetime]:
    """When each of `commits` was committed; those this repository does not hold (a shallow clone's edge) are
    left out."""
    found: dict[str, datetime] = {}
    if not commits:
        return found
    output = run(["log", "--no-walk=unsorted", "--format=%H %cI", "--stdin"], cwd,
                 stdin=("\n".join(commits) + "\n").encode(), check=False)
    for line in output.decode("ascii", errors="replace").splitlines():
        sha, _space, when = line.partition(" ")
        found[sha] = datetime.fromisoformat(when).astimezone(timezone.utc)
    return found


def commit_date(cwd: str, commit: str) -> date:
    """The day (UTC) `commit` was committed."""
    stamp = text(["show", "-s", "--format=%ct", commit], cwd)
    return datetime.fromtimestamp(int(stamp), tz=timezone.utc).date()


def blob_at(cwd: str, commit: str, path: str) -> str | None:
    """The id of the blob `commit` holds at `path`, if it holds one."""
    found = run(["rev-parse", "--verify", "--quiet", f"{commit}:{path}"], cwd, check=False)
    return found.decode("ascii", errors="replace").strip() or None
