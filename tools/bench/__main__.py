"""`make bench`: generate a synthetic QMS and measure the qms tools against floors, in one run."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence

from . import measure, synthetic

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))


def qms_command() -> list[str]:
    """The installed `qms` console script of this interpreter."""
    script = os.path.join(os.path.dirname(sys.executable), "qms")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "qms.cli"]


def bench_check(root: str, runs: int) -> None:
    qms = qms_command()
    results = measure.compare({
        "floor: read files + PyYAML CSafeLoader": lambda: measure.run([sys.executable, os.path.join(HERE,
                                                                       "floor_parse.py"), root]),
        "qms check": lambda: measure.run([*qms, "check", "-C", root, "--as-of", "2026-11-23"]),
    }, runs)
    measure.report("qms check on the whole QMS", results, "floor: read files + PyYAML CSafeLoader",
                   {"qms check": 3.0})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--docs", type=int, default=1000, help="documents in the synthetic QMS (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each measurement (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as root:
        synthetic.generate(root, args.docs, PROJECT)
        sizes = [os.path.getsize(os.path.join(folder, name)) for folder, _d, names in
                 os.walk(os.path.join(root, "procedures")) for name in names]
        print(f"synthetic QMS: {len(sizes)} documents, median file {sorted(sizes)[len(sizes) // 2] / 1024:.1f} KB, "
              f"{args.runs} runs per measurement, medians")
        bench_check(root, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
