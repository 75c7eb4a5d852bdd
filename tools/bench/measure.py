"""Running a command and measuring its wall time and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Sample:
    seconds: float
    peak_mb: float


# A process inherits its parent's peak memory through fork and exec (Linux keeps ru_maxrss across execve), so a
# command started by this process, which holds the generated QMS, would report at least this process's own peak.
# Each command is started by a small Python process instead, which times it and writes what it measured to the
# file descriptor it is given.
_RUNNER = """
import os, sys, time
report = int(sys.argv[1])
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(report)
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
os.write(report, f"{time.perf_counter() - start} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}".encode())
"""


def run(command: Sequence[str], cwd: str | None = None, ok: tuple[int, ...] = (0,),
        stdin: bytes | None = None) -> Sample:
    """Run `command` once; its wall time and its peak resident memory (the largest of the command's own and that of
    each process it ran and waited for, such as pandoc)."""
    # Users' Python writes .pyc files; measure that steady state, not a recompile on every start.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    reader, writer = os.pipe()
    process = subprocess.Popen([sys.executable, "-c", _RUNNER, str(writer), *command], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(writer,),
                               stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    os.close(writer)
    _out, error = process.communicate(stdin)
    with os.fdopen(reader) as handle:
        said = handle.read().split()
    message = error.decode(errors="replace")[-2000:]
    if process.returncode != 0 or len(said) != 3:
        raise SystemExit(f"bench: {' '.join(command)} could not be run: {message}")
    if int(said[2]) not in ok:
        raise SystemExit(f"bench: {' '.join(command)} exited {said[2]}: {message}")
    return Sample(float(said[0]), int(said[1]) / 1024)


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
