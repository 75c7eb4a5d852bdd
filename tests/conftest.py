from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import QmsFolder, baseline  # noqa: E402


@pytest.fixture
def qms(tmp_path: Path) -> QmsFolder:
    """A small QMS folder that passes every rule."""
    return baseline(tmp_path)
