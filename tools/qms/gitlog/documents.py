"""Whole documents (bodies too) as Git holds them, for publishing a revision released earlier than the file.

History keeps only a summary of each version (gitlog/index.py); the manual needs the whole text of the versions it
publishes from history. Each is read with one `git cat-file --batch` and parsed once, then kept in
.git/qms-document-cache by blob id and path: a blob id names its content and the path is the only other thing
the parse reads, so an entry can never go stale; the cache's format names the source of the parser, so an upgrade
of the tool never reads another version's parse. The cache keeps the versions the last runs asked for, a few
thousand at most.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import cache
from ..model.document import Document, parse_bytes
from . import git

_CACHE_NAME = "qms-document-cache"
_KEEP = 5000  # versions kept (about 5 KB each): the manual in force, and earlier editions asked for since

Key = tuple[str, str]  # blob id, path


def whole(root: str, wanted: Iterable[Key]) -> dict[Key, Document | None]:
    """The whole document each (blob id, path) of `wanted` holds; None where it holds none (or Git lacks the blob)."""
    asked = sorted(set(wanted))
    if not asked:
        return {}
    path = cache.cache_file(root, _CACHE_NAME)
    format_ = cache.code_format("documents")
    kept: dict[Key, Document | None] = cache.load(path, format_) or {}
    found = {key: kept[key] for key in asked if key in kept}
    missing = [key for key in asked if key not in found]
    if not missing:
        return found
    texts = git.read_blobs(root, sorted({blob for blob, _name in missing}))
    lacking = set()  # a blob Git lacks (a shallow clone) may be fetched later: never remembered
    for blob, name in missing:
        data = texts.get(blob)
        parsed = parse_bytes(data, name)
        found[(blob, name)] = parsed if isinstance(parsed, Document) else None
        if data is None:
            lacking.add((blob, name))
    remembered = {key: value for key, value in kept.items() if key not in found}  # the others, oldest first
    remembered.update({key: found[key] for key in asked if key not in lacking})  # then those asked for now
    cache.save(path, format_, dict(list(remembered.items())[-_KEEP:]))
    return found
