"""Caches kept in .git: a parse cache so that a run that judges every file reads only files that changed since.

Entries are keyed by path and the file's size, inode, and modification and status-change times (the status-change
time cannot be set back by a user, so an edit that restores the old modification time is still seen); a file
changed within two seconds of the walk is never cached (model.workspace.Listing.trusted: the racy-timestamp
problem Git's index also has). The format names the parser's source code, so a new version of the tool never reads an old parse.
The cache lives in .git/qms-cache, so it is never committed and is dropped with the clone.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from typing import Any

from .. import __version__

Key = tuple[int, int, int, int, int]


@functools.lru_cache(maxsize=None)
def code_format(name: str, folders: tuple[str, ...] = ("model", "gitlog")) -> str:
    """The format tag of a cache: it names the source of the model and of the history reader (and of the other
    `folders` of the package its entries depend on, such as the rules for a verdict), so that no upgrade or edit
    of the tool can be served a parse, a ledger or a verdict made by another version of it."""
    digest = hashlib.sha256(__version__.encode())
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder in folders:
        for where, dirs, names in os.walk(os.path.join(package, folder)):  # subpackages too: rules/change/
            dirs.sort()
            for module in sorted(name for name in names if name.endswith(".py")):
                with open(os.path.join(where, module), "rb") as handle:
                    rel = os.path.relpath(os.path.join(where, module), package).replace(os.sep, "/")
                    digest.update(rel.encode() + b"\0" + handle.read())
    return f"qms-{name}-{digest.hexdigest()[:16]}"


def cache_file(root: str, name: str) -> str | None:
    """Where a cache called `name` lives: inside .git, or nowhere if `root` has no .git folder."""
    git_dir = os.path.join(root, ".git")
    return os.path.join(git_dir, name) if os.path.isdir(git_dir) else None


def load(path: str | None, format_: str) -> Any:
    """The payload saved at `path` with `format_`, or None if missing, damaged or of another format."""
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
    except Exception:  # a damaged or foreign cache is simply rebuilt
        return None
    if _settled:
        gc.freeze()
    return stored.get("payload") if isinstance(stored, dict) and stored.get("format") == format_ else None


_settled = 0  # how many `settled` blocks the process is in (the collector's state is the process's own)


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Within: what a cache loads is kept out of the cyclic collector's sight until the block ends. A warm run
    loads millions of objects that hold no cycles and live as long as the run, and each full collection walked
    them all again (a warm export of 1,000 documents and 10,000 commits spent a fifth of its time there). They
    are still freed as soon as nothing refers to them; on leaving, everything frozen returns to the collector."""
    global _settled
    _settled += 1
    try:
        yield
    finally:
        _settled -= 1
        if not _settled:
            gc.unfreeze()


def save(path: str | None, format_: str, payload: Any) -> None:
    """Save `payload` atomically; a cache that cannot be written is not an error."""
    if not path:
        return
    try:
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".qms-cache-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump({"format": format_, "payload": payload}, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass


class ParseCache:
    """Parsed files from the last run, by path; saved atomically when something new was parsed."""

    def __init__(self, root: str) -> None:
        self.path = cache_file(root, "qms-cache")
        self.entries: dict[str, tuple[Key, Any]] = load(self.path, code_format("parse")) or {}
        self.fresh: dict[str, tuple[Key, Any]] = {}

    def get(self, path: str, key: Key) -> Any:
        """The cached value for `path` if the file is unchanged, else None."""
        found = self.entries.get(path)
        if found is not None and found[0] == key:
            self.fresh[path] = found
            return found[1]
        return None

    def put(self, path: str, key: Key, value: Any) -> None:
        """Remember `value` for `path` (whose `key` the caller trusts: model.workspace.Listing.trusted)."""
        self.fresh[path] = (key, value)

    def save(self) -> None:
        """Write the entries seen in this run, if they differ from what was loaded."""
        if self.fresh != self.entries:
            save(self.path, code_format("parse"), self.fresh)
