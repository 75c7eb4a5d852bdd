"""A branch in QMS terms, as frozen rows, and its Markdown form (a pull-request summary or merge-request note)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .finding import Finding
from .state import Awaited

DocumentChangeKind = Literal["added", "revised", "approved", "signed", "edited", "obsoleted", "withdrawn", "deleted"]
RecordChangeKind = Literal["added", "disposed of"]
REDLINE_LINES = 200  # a longer diff is cut, with the command that shows all of it


@dataclass(frozen=True)
class Given:
    """A signature the revision holds that counts."""

    role: str
    name: str
    email: str
    meaning: str
    at: str


@dataclass(frozen=True)
class DocumentChange:
    """What a branch does to one document, and where that leaves it."""

    doc_id: str
    title: str
    kind: DocumentChangeKind
    revision_from: str | None
    revision_to: str | None
    note: str | None                # the revision's `change`
    state: str | None               # after merge (None: no longer in the QMS)
    given: tuple[Given, ...] = ()
    awaited: tuple[Awaited, ...] = ()
    fields: tuple[tuple[str, str, str], ...] = ()  # front-matter changes: field, before, after
    diff: tuple[str, ...] = ()      # the body as `diff -u` shows it


@dataclass(frozen=True)
class RecordChange:
    """A record the branch adds or disposes of."""

    record_id: str
    title: str
    type: str
    kind: RecordChangeKind
    retain_until: str | None
    note: str = ""


@dataclass(frozen=True)
class BranchSummary:
    """Everything a reviewer of a branch needs to see in QMS terms."""

    base: str
    organisation: str
    commits: int
    documents: tuple[DocumentChange, ...]
    records: tuple[RecordChange, ...]
    findings: tuple[Finding, ...]


def markdown(summary: BranchSummary) -> str:
    """The summary as GitHub- and GitLab-flavoured Markdown; redlines are collapsed."""
    errors = sum(f.severity == "error" for f in summary.findings)
    warnings = len(summary.findings) - errors
    out = [f"## QMS summary against `{_code(summary.base)}`", "",
           f"{_text(summary.organisation)}: {summary.commits} commit(s), {len(summary.documents)} document(s), "
           f"{len(summary.records)} record(s) changed; {errors} error(s), {warnings} warning(s).", ""]
    out += _documents(summary.documents) + _records(summary.records) + _findings(summary.findings)
    return "\n".join(out).rstrip("\n") + "\n"


def _documents(changes: tuple[DocumentChange, ...]) -> list[str]:
    out = ["### Documents", ""]
    if not changes:
        return out + ["No controlled document changes.", ""]
    out += ["| id | title | change | revision | state after merge |", "| --- | --- | --- | --- | --- |"]
    for c in changes:
        out.append(f"| {c.doc_id} | {_text(c.title)} | {c.kind} | {_revisions(c)} | {c.state or '-'} |")
    out.append("")
    for c in changes:
        out += [f"#### {c.doc_id} {_text(c.title)}", "",
                f"{c.kind.capitalize()}, revision {_revisions(c)}; state after merge: {c.state or 'removed'}."]
        if c.note:
            out += ["", f"Change: {_text(c.note)}"]
        out.append("")
        out += _signatures(c)
        out += _redline(c)
    return out


def _revisions(c: DocumentChange) -> str:
    if c.revision_from and c.revision_to and c.revision_from != c.revision_to:
        return f"{c.revision_from} → {c.revision_to}"
    return c.revision_to or c.revision_from or "-"


def _signatures(c: DocumentChange) -> list[str]:
    if c.state is None or not (c.given or c.awaited):
        return []
    out = []
    for g in c.given:
        out.append(f"- present: {g.meaning} as {g.role} by {_person(g.name, g.email)}, {g.at}")
    for a in c.awaited:
        who = ", ".join(_person(p.name, p.email) for p in a.may_sign) or "nobody in qms.yml"
        line = f"- **missing**: approval as {a.role} ({_text(a.title)}), which may be given by {who}"
        if a.excluded:
            line += "; not by " + ", ".join(_person(p.name, p.email) for p in a.excluded) + \
                " (authored this revision: separation of duties)"
        out.append(line)
    return out + [""]


def _redline(c: DocumentChange) -> list[str]:
    if not (c.fields or c.diff):
        return []
    out = ["<details><summary>Redline of " + f"{c.doc_id}, revision {_revisions(c)}</summary>", ""]
    if c.fields:
        out += ["| field | before | after |", "| --- | --- | --- |"]
        out += [f"| {name} | {_text(before)} | {_text(after)} |" for name, before, after in c.fields]
        out.append("")
    if c.diff:
        lines = [line.rstrip("\n") for line in c.diff]
        cut = len(lines) - REDLINE_LINES
        fence = "`" * max(3, 1 + max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0))
        out += [fence + "diff", *lines[:REDLINE_LINES], fence]
        if cut > 0:
            out.append(f"{cut} more line(s): `qms diff {c.doc_id} {c.revision_from} {c.revision_to}`")
        out.append("")
    return out + ["</details>", ""]


def _records(changes: tuple[RecordChange, ...]) -> list[str]:
    out = ["### Records", ""]
    if not changes:
        return out + ["No records added or disposed of.", ""]
    out += ["| id | title | type | change | retained until | note |", "| --- | --- | --- | --- | --- | --- |"]
    out += [f"| {r.record_id} | {_text(r.title)} | {r.type} | {r.kind} | {r.retain_until or '-'} | "
            f"{_text(r.note) or '-'} |" for r in changes]
    return out + [""]


def _findings(findings: tuple[Finding, ...]) -> list[str]:
    out = ["### Findings", ""]
    if not findings:
        return out + ["None: the branch passes document control.", ""]
    for f in findings:
        label = "warning" if f.severity == "warning" else "error"
        where = f" at commit `{f.commit[:12]}`" if f.commit else ""
        hint = f" ({_text(f.hint)})" if f.hint else ""
        out.append(f"- `{_code(f.path)}:{f.line}` **{f.code}** {label}: {_text(f.message)}{where}{hint}")
    return out + [""]


_MARKUP = re.compile(r"([\\`*_\[\]<>|#~])")


def _text(value: str) -> str:
    """Front-matter or message text, shown as written: no Markdown or HTML of its own."""
    return _MARKUP.sub(r"\\\1", value.replace("&", "&amp;")).replace("\n", " ")


def _person(name: str, email: str) -> str:
    return _text(f"{name} <{email}>")


def _code(value: str) -> str:
    return value.replace("`", "'")
