"""Printing many PDFs at once. A document's PDF is printed by headless Chromium (chromium.py), in one browser per
CPU, and made PDF/A-3b (pdfa.py) and sealed in this process as each comes back, while the browsers print the next
ones; the whole manual is printed by WeasyPrint (engine.py), in this process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from . import chromium, pdfa
from .engine import Engine
from .seal import Seal


@dataclass(frozen=True)
class Job:
    """One PDF to make: its HTML, the page's source path (what its links are relative to), what its seal says it
    is, and the running header and footer Chromium prints on each page (None: WeasyPrint prints the HTML, whose
    stylesheet runs its own)."""

    html: str
    src: str
    reason: str
    margins: tuple[str, str] | None = None


@dataclass(frozen=True)
class Setting:
    """What every PDF of a run shares: the QMS folder, the files a page may show, the stylesheets (WeasyPrint's,
    Chromium's), the seal, and when they are rendered."""

    root: str
    files: Mapping[str, str]
    stylesheet: str
    chromium_stylesheet: str
    seal: Seal | None
    moment: datetime


def run(jobs: Sequence[Job], setting: Setting) -> list[bytes]:
    """The PDF of each job, in order, sealed where the setting has a seal."""
    made: list[bytes] = [b""] * len(jobs)
    printed = [index for index, job in enumerate(jobs) if job.margins is not None]
    pages = [chromium.Page(jobs[index].html, jobs[index].src, *jobs[index].margins or ("", "")) for index in printed]
    for number, pdf in chromium.print_all(pages, setting.root, setting.files, setting.chromium_stylesheet, cpus()):
        job = jobs[printed[number]]
        made[printed[number]] = _sealed(pdfa.archival(pdf, job.html, setting.moment), job, setting.seal)
    laid_out = [index for index, job in enumerate(jobs) if job.margins is None]
    if laid_out:
        engine = Engine(setting.root, setting.files, setting.stylesheet)
        for index in laid_out:
            made[index] = _sealed(engine.render(jobs[index].html, jobs[index].src), jobs[index], setting.seal)
    return made


def _sealed(pdf: bytes, job: Job, seal: Seal | None) -> bytes:
    return pdf if seal is None else seal.sign(pdf, job.reason)


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
