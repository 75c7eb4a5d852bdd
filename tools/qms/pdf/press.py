"""Rendering (and sealing) many PDFs at once: in worker processes, one per CPU, each with one Engine for all the
PDFs it makes. A few PDFs are made in this process, where starting workers would cost more than it saves.

The workers are new Python processes running this module (`python -m qms.pdf.press`), not forks or
multiprocessing children: the caller may have threads of its own (mkdocs serve), and may be a script that
multiprocessing would import again in each child. A worker reads its share of the jobs on stdin and writes their
PDFs, in order, on stdout.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import EXIT_INTERNAL, QmsError
from .engine import Engine
from .seal import Seal

ALONE_UP_TO = 4  # PDFs made in this process; more are shared out among the workers


@dataclass(frozen=True)
class Job:
    """One PDF to make: its HTML, the page's source path (what its links are relative to), and what its seal says
    it is."""

    html: str
    src: str
    reason: str


@dataclass(frozen=True)
class Setting:
    """What every PDF of a run shares: the QMS folder, the files a page may show, the stylesheet, the seal."""

    root: str
    files: Mapping[str, str]
    stylesheet: str
    seal: Seal | None


def run(jobs: Sequence[Job], setting: Setting) -> list[bytes]:
    """The PDF of each job, in order, sealed where the setting has a seal."""
    workers = min(cpus(), len(jobs))
    if len(jobs) <= ALONE_UP_TO or workers < 2:
        return make(list(jobs), setting)
    shares = [list(jobs[number::workers]) for number in range(workers)]
    made: list[list[bytes]] = []
    with tempfile.TemporaryFile() as errors:
        started = [subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=errors) for _share in shares]
        for process, share in zip(started, shares):  # a worker reads all its jobs before it renders any
            assert process.stdin is not None
            try:
                process.stdin.write(pickle.dumps((setting, share), protocol=pickle.HIGHEST_PROTOCOL))
                process.stdin.close()
            except BrokenPipeError:  # it stopped before reading them: said below
                pass
        for process in started:  # a worker writes its PDFs when it has made them all
            assert process.stdout is not None
            output = process.stdout.read()
            if process.wait() == 0:
                made.append(pickle.loads(output))
        if len(made) < workers:
            errors.seek(0)
            said = errors.read().decode(errors="replace").strip().splitlines() or ["a worker stopped"]
            raise QmsError(f"the PDFs could not be made, and none was written: {said[-1]}", EXIT_INTERNAL)
    return [made[index % workers][index // workers] for index in range(len(jobs))]


def make(jobs: list[Job], setting: Setting) -> list[bytes]:
    """The PDF of each job, made in this process with one Engine."""
    engine = Engine(setting.root, setting.files, setting.stylesheet)
    pdfs = (engine.render(job.html, job.src) for job in jobs)
    seal = setting.seal
    return [pdf if seal is None else seal.sign(pdf, job.reason) for pdf, job in zip(pdfs, jobs)]


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> int:
    """A worker: (Setting, [Job, ...]) pickled on stdin; the list of their PDFs pickled on stdout."""
    setting, jobs = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(pickle.dumps(make(jobs, setting), protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":  # as a worker, the classes of the jobs are this package's, not __main__'s
    from qms.pdf.press import main as work

    raise SystemExit(work())
