"""A parse cache so that the pre-commit hook reads only files that changed since the last run.

Entries are keyed by path and the file's size, modification time and inode; a file modified within two
seconds of the cache being written is never cached (the racy-timestamp problem Git's index also has).
The cache lives in .git/qms-cache, so it is never committed and is dropped with the clone.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from typing import Any

from .. import __version__

_FORMAT = f"qms-cache-3-{__version__}"
Key = tuple[int, int, int, int]


class ParseCache:
    """Parsed files from the last run, by path; saved atomically when something new was parsed."""

    def __init__(self, root: str) -> None:
        git_dir = os.path.join(root, ".git")
        self.path = os.path.join(git_dir, "qms-cache") if os.path.isdir(git_dir) else None
        self.entries: dict[str, tuple[Key, Any]] = {}
        self.fresh: dict[str, tuple[Key, Any]] = {}
        self.started = time.time()
        if self.path and os.path.exists(self.path):
            try:
                with open(self.path, "rb") as handle:
                    stored = pickle.load(handle)
                if stored.get("format") == _FORMAT:
                    self.entries = stored["entries"]
            except Exception:  # a damaged or foreign cache is simply rebuilt
                self.entries = {}

    def get(self, path: str, key: Key) -> Any:
        """The cached value for `path` if the file is unchanged, else None."""
        found = self.entries.get(path)
        if found is not None and found[0] == key:
            self.fresh[path] = found
            return found[1]
        return None

    def put(self, path: str, key: Key, value: Any, mtime: float) -> None:
        """Remember `value` for `path`, unless the file changed too recently to trust its timestamp."""
        if mtime < self.started - 2:
            self.fresh[path] = (key, value)

    def save(self) -> None:
        """Write the entries seen in this run, if they differ from what was loaded."""
        if not self.path or self.fresh == self.entries:
            return
        try:
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".qms-cache-")
            with os.fdopen(handle, "wb") as out:
                pickle.dump({"format": _FORMAT, "entries": self.fresh}, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            pass
