"""Meta-tests keep the edges honest: every rule code is documented and tested."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import PROJECT

from qms.rules.codes import CODES

TESTS = Path(__file__).parent


def test_every_code_is_in_the_readme_rule_table() -> None:
    readme = (PROJECT / "README.md").read_text()
    documented = dict(re.findall(r"^\| (QMS\d{3}) \| (.+) \|$", readme, re.MULTILINE))
    assert documented == CODES


def test_every_code_emitted_by_the_package_is_known() -> None:
    source = "".join(p.read_text() for p in (PROJECT / "tools/qms").rglob("*.py") if p.name != "codes.py")
    assert set(re.findall(r'"(QMS\d{3})"', source)) <= set(CODES)


def test_every_code_has_a_test_that_fires_it() -> None:
    tests = "".join(p.read_text() for p in TESTS.glob("test_*.py") if p.name != "test_meta.py")
    assert [code for code in CODES if code not in tests] == []


def test_package_passes_mypy_strict() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(PROJECT / ".mypy_cache")],
                            cwd=PROJECT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
