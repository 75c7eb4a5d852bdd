"""`mkdocs build` of the synthetic QMS: with the qms plugin, without it, and with a per-page Git plugin instead."""

from __future__ import annotations

import os
import shutil
import sys

from . import measure, synthetic

BASE = """site_name: Synthetic QMS
docs_dir: procedures
site_dir: {site}
use_directory_urls: true
not_in_nav: |
  /history/
theme:
  name: material
  font: false
  features: [navigation.prune, navigation.top, search.highlight]  # as in the project's mkdocs.yml
plugins:
  - search
{plugins}"""
PLAIN = "plain mkdocs-material building the qms export (the same pages, no plugin)"
VARIANTS = {
    "with the qms plugin": "  - qms:\n      pdf: false\n",  # the PDFs are measured apart (--only pdf)
    "with mkdocs-git-revision-date-localized-plugin instead": "  - git-revision-date-localized\n",
}


def bench_manual(repository: str, project: str, runs: int) -> None:
    """Build the manual of `repository` in each variant, `runs` times, in the same run."""
    mkdocs = os.path.join(os.path.dirname(sys.executable), "mkdocs")
    synthetic.write_site_config(repository)
    exported = os.path.join(repository, ".bench-export")
    shutil.rmtree(exported, ignore_errors=True)
    measure.run([os.path.join(os.path.dirname(sys.executable), "qms"), "export", exported], cwd=repository, ok=(0, 1))
    configs = {}
    if os.path.isfile(os.path.join(exported, "mkdocs.yml")):
        configs[PLAIN] = os.path.join(exported, "mkdocs.yml")
    for number, (name, plugins) in enumerate(VARIANTS.items()):
        path = os.path.join(repository, f".bench-mkdocs-{number}.yml")
        site = os.path.join(repository, f".bench-site-{number}")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(BASE.format(site=site, plugins=plugins))
        configs[name] = path
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    results = measure.compare({name: (lambda p=path: measure.run([mkdocs, "build", "-q", "-f", p], cwd=repository))
                               for name, path in configs.items()}, runs)
    pages = sum(1 for _f, _d, names in os.walk(os.path.join(repository, ".bench-site-0")) for n in names
                if n == "index.html")
    plain = sum(1 for _f, _d, names in os.walk(os.path.join(exported, "site")) for n in names if n == "index.html")
    measure.report(f"mkdocs build: {pages} pages with the qms plugin (documents, revision histories, generated "
                   f"pages), {plain} from the export without it", results, PLAIN, {"with the qms plugin": 1.5})
    qms = results["with the qms plugin"].median
    other = results["with mkdocs-git-revision-date-localized-plugin instead"].median
    print(f"  qms plugin vs git-revision-date-localized: {other / qms:.2f}x faster (target: faster)")
    for number in range(len(VARIANTS)):
        shutil.rmtree(os.path.join(repository, f".bench-site-{number}"), ignore_errors=True)
    shutil.rmtree(exported, ignore_errors=True)
