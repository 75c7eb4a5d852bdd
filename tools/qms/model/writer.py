"""Writing files: atomically (temporary file + rename), and front matter through ruamel.yaml round-trip,
so that comments, key order and quoting the user chose survive every change the tool makes."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ..errors import QmsError
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
    yaml.representer.add_representer(str, _text)
    return yaml


def _text(representer: Any, value: str) -> Any:
    """A string as the reader (YAML 1.1, model.yamlread) reads it back: quoted where it would read as something
    else. ruamel.yaml writes YAML 1.2, where No, yes, on or 1:30 are plain text; our reader takes them for a
    yes/no value or a number, so a title "No" or a change note "Yes" is written 'No' and 'Yes'."""
    if not reads_as_text(value):
        return representer.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return representer.represent_str(value)


def reads_as_text(value: str) -> bool:
    """Whether `value`, written plain (unquoted), reads back as that text: the reader's resolver decides."""
    import yaml as pyyaml  # the reader's own (model.yamlread)

    resolve = pyyaml.resolver.Resolver().resolve
    tag: str = resolve(pyyaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag == "tag:yaml.org,2002:str"


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


def write_new(path: str, data: bytes) -> None:
    """Write a file inside a folder nobody sees yet (see write_folder): no temporary file, no sync."""
    with open(path, "wb") as out:
        out.write(data)


def check_new_folder(out: str, root: str, what: str) -> None:
    """Refuse a folder to write `what` into that is a file, is not empty, or lies inside controlled folders."""
    if os.path.lexists(out) and not os.path.isdir(out):
        raise QmsError(f"{out} exists and is not a folder (choose a new folder for {what})")
    if os.path.isdir(out) and os.listdir(out):
        raise QmsError(f"{out} is not empty (choose a new folder; {what} is never written over another)")
    for controlled in ("procedures", "records"):
        folder = os.path.join(os.path.realpath(root), controlled)
        if os.path.commonpath([folder, os.path.realpath(out)]) == folder:
            raise QmsError(f"{out} is inside {controlled}/ (write {what} outside the controlled folders)")


def write_folder(out: str, files: Mapping[str, str | bytes], copies: dict[str, str] | None = None) -> None:
    """Write every file (and copy every file of `copies`: name -> source path) into a temporary folder next to
    `out`, then rename it to `out` in one step: a failure or a kill never leaves half a folder behind. The files
    are not synced one by one (that cost more than writing them all); after a power cut, make the folder again."""
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    temporary = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}-", suffix=".tmp", dir=parent)
    try:
        for name, text in files.items():
            path = os.path.join(temporary, *name.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_new(path, text if isinstance(text, bytes) else text.encode("utf-8"))
        for name, source in (copies or {}).items():
            path = os.path.join(temporary, *name.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copyfile(source, path)
        os.chmod(temporary, 0o755)
        try:
            os.rename(temporary, out)  # replaces an empty folder; fails if something appeared in it meanwhile
        except OSError as exc:
            raise QmsError(f"cannot create {out}: {exc.strerror} (choose a new, empty folder)") from None
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def create_all(files: Mapping[str, bytes]) -> None:
    """Create every file in `files` (full path -> bytes), none over an existing file: all of them exist afterwards
    or none does (see create_each). Raises FileExistsError naming the first that exists."""
    refused = next(iter(list(create_each([files]))))
    if refused is not None:
        raise refused


def create_each(groups: Sequence[Mapping[str, bytes]]) -> Iterator[FileExistsError | None]:
    """Create each group of files (full path -> bytes), all of a group or none of it, yielding for each in order
    None once it is in place, or the FileExistsError that kept it out (a file is never written over another).

    Every file is first written to a temporary file beside it, and all of them reach the disk with one sync before
    any is linked into place (a link, unlike a rename, fails rather than replace a file): as safe as a flush per
    file, which costs a disk round trip each (about 3 ms; an import of 1,000 files spent 3 s on them). Any other
    error (a full disk) removes what its group had linked, and is raised; no temporary file is ever left."""
    temporaries: list[list[tuple[str, str]]] = []
    folders: set[str] = set()
    try:
        for files in groups:
            written: list[tuple[str, str]] = []
            temporaries.append(written)
            for path, data in files.items():
                folder = os.path.dirname(os.path.abspath(path))
                if folder not in folders:
                    os.makedirs(folder, exist_ok=True)
                    folders.add(folder)
                handle, temporary = tempfile.mkstemp(dir=folder, prefix=".qms-", suffix=".tmp")
                written.append((path, temporary))
                try:
                    os.fchmod(handle, 0o644)
                    view = memoryview(data)
                    while view:
                        view = view[os.write(handle, view):]
                finally:
                    os.close(handle)
        os.sync()
        for written in temporaries:
            yield _link_group(written)
    finally:
        for written in temporaries:
            for _path, temporary in written:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)


def _link_group(written: list[tuple[str, str]]) -> FileExistsError | None:
    """Link each temporary file to its path; if one cannot be, unlink those linked before it."""
    created: list[str] = []
    try:
        for path, temporary in written:
            os.link(temporary, path)
            created.append(path)
    except FileExistsError as exc:
        for path in reversed(created):
            os.unlink(path)
        return exc
    except BaseException:
        for path in reversed(created):
            os.unlink(path)
        raise
    return None


def edited_yaml(path: str, change: Callable[[Any], None]) -> str:
    """The text of the YAML file at `path` (qms.yml) with `change` applied (round-trip: comments, order and
    quoting kept), without writing it."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    yaml = _round_trip()
    data = yaml.load(text)
    change(data)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
