"""What changed between two trees (or a tree and the index), with the content on both sides."""

from __future__ import annotations

from dataclasses import dataclass

from . import git

INDEX = ":"  # the staging area, as the `after` side


@dataclass(frozen=True)
class FileChange:
    """One changed file: A(dded), M(odified), D(eleted) or R(enamed), with its bytes before and after."""

    status: str
    old_path: str | None
    new_path: str | None
    before: bytes | None
    after: bytes | None

    @property
    def path(self) -> str:
        """The path as it is after the change (or before, for a deletion)."""
        return self.new_path or self.old_path or ""


def changed(cwd: str, before: str, after: str, tops: tuple[str, ...] = ("procedures", "records")) -> list[FileChange]:
    """Changes under `tops` from commit `before` to commit `after` (or INDEX), renames detected."""
    args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff"]
    args += ["--cached", before] if after == INDEX else [before, after]
    raw = git.run([*args, "--", *tops], cwd).decode("utf-8", errors="surrogateescape").split("\0")
    entries: list[tuple[str, str | None, str | None]] = []
    index = 0
    while index < len(raw) and raw[index]:
        status = raw[index][0]
        if status in "RC":
            entries.append(("R" if status == "R" else "A", raw[index + 1] if status == "R" else None, raw[index + 2]))
            index += 3
        else:
            path = raw[index + 1]
            entries.append((status, None if status == "A" else path, None if status == "D" else path))
            index += 2
    prefix = ":" if after == INDEX else f"{after}:"
    specs = [f"{before}:{old}" for _s, old, _n in entries if old] + [f"{prefix}{new}" for _s, _o, new in entries if new]
    blobs = git.read_blobs(cwd, specs) if before != git.EMPTY_TREE else git.read_blobs(
        cwd, [s for s in specs if not s.startswith(before)])
    return [FileChange(status, old, new, blobs.get(f"{before}:{old}") if old else None,
                       blobs.get(f"{prefix}{new}") if new else None) for status, old, new in entries]
