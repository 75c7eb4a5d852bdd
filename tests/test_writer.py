"""Writing front matter keeps comments, order and quoting, and never leaves a partial file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from qms.model import writer

GOLDEN = Path(__file__).parent / "golden"


def approve(data: Any) -> None:
    data["status"] = "approved"
    data["approvals"] = [{"name": "Robin People", "email": "hr@example.com"}]


def test_rewrite_keeps_comments_order_and_body(tmp_path: Path) -> None:
    target = tmp_path / "SOP-007.md"
    shutil.copy(GOLDEN / "rewrite-before.md", target)
    writer.atomic_write(str(target), writer.edited_front_matter(str(target), approve))
    assert target.read_text() == (GOLDEN / "rewrite-after.md").read_text()


def test_failed_write_leaves_the_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "SOP-007.md"
    shutil.copy(GOLDEN / "rewrite-before.md", target)
    before = target.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        writer.atomic_write(str(target), writer.edited_front_matter(str(target), approve))
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SOP-007.md"]


def test_atomic_write_keeps_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("old")
    target.chmod(0o640)
    writer.atomic_write(str(target), "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640
