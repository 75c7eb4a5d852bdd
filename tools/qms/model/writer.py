"""Writing files: atomically (temporary file + rename), and front matter through ruamel.yaml round-trip,
so that comments, key order and quoting the user chose survive every change the tool makes."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from typing import Any

from .finding import FindingError
from .source import decode, split_front_matter


def atomic_write(path: str, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a partial one."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a partial one."""
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".qms-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _round_trip() -> Any:
    from ruamel.yaml import YAML  # imported here: only writing commands pay for it

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def edited_front_matter(path: str, change: Callable[[Any], None], limit_bytes: int = 1 << 24) -> str:
    """The text of the file at `path` with `change` applied to its front matter mapping (round-trip), without
    writing it. The body is kept byte for byte. Raises FindingError if the file cannot be read."""
    with open(path, "rb") as handle:
        text = decode(handle.read(), path, limit_bytes).text
    split = split_front_matter(text, path)
    yaml = _round_trip()
    data = yaml.load(split.yaml)
    if data is None or not hasattr(data, "keys"):
        from .finding import Finding

        raise FindingError(Finding(path, 2, "QMS016", "front matter must be a mapping of keys to values", ""))
    change(data)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return "---\n" + stream.getvalue() + "---\n" + split.body
