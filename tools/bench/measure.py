"""Running a command and measuring its wall time and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Sample:
    seconds: float
    peak_mb: float


def run(command: Sequence[str], cwd: str | None = None, ok: tuple[int, ...] = (0,),
        stdin: bytes | None = None) -> Sample:
    """Run `command` once; its wall time and the peak resident memory of the process (not its children)."""
    # Users' Python writes .pyc files; measure that steady state, not a recompile on every start.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    if stdin is not None:
        assert process.stdin is not None
        process.stdin.write(stdin)
        process.stdin.close()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in ok:
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise SystemExit(f"bench: {' '.join(command)} exited {code}: {error[-2000:]}")
    return Sample(seconds, usage.ru_maxrss / 1024)


@dataclass
class Result:
    name: str
    median: float
    peak_mb: float


def compare(named: dict[str, Callable[[], Sample]], runs: int) -> dict[str, Result]:
    """Run each measurement `runs` times, interleaved so that drift hits all alike; medians and peaks."""
    samples: dict[str, list[Sample]] = {name: [] for name in named}
    for _ in range(runs):
        for name, measure in named.items():
            samples[name].append(measure())
    return {name: Result(name, statistics.median(s.seconds for s in found), max(s.peak_mb for s in found))
            for name, found in samples.items()}


def report(title: str, results: dict[str, Result], floor: str, targets: dict[str, float] | None = None) -> None:
    """Print a table: median seconds, ratio to the floor, peak memory, and the target where one is set."""
    print(f"\n{title}")
    base = results[floor].median
    for result in results.values():
        ratio = result.median / base if base else float("nan")
        target = (targets or {}).get(result.name)
        verdict = "" if target is None else f"  target <= {target:g}x: {'met' if ratio <= target else 'MISSED'}"
        print(f"  {result.name:<52} {result.median:8.3f} s  {ratio:6.2f}x  peak {result.peak_mb:7.1f} MB{verdict}")
