"""`qms adopt`: record, in one commit by the administrator, the approvals imported drafts had before the QMS lived in
Git. The commit adds the documents to `adopted` in qms.yml (model.transition.adoption); at the start it also sets
verify_from, so that verification starts with it. Approvals history already verifies are never relabelled."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from ..errors import EXIT_CLEAN, EXIT_USAGE, QmsError
from ..gitlog import git
from ..gitlog.trail import RECORDED, SIGNED, by_document, document_revisions, problems_by_entry, verdict
from ..model import adoption, clock
from ..model.adoption import APPROVAL_FORM, EFFECTIVE_FORM, Facts
from ..model.config import CONFIG_FILE
from ..model.document import Document
from ..model.finding import Finding
from ..model.fingerprint import fingerprint
from ..model.state import required_roles
from ..model.transition import ADOPTION_TRAILER, CONFIG_TRAILER
from ..model.workspace import Workspace
from ..rules.change.adoptions import ADOPT_HINT, written_in_git
from ..model.writer import edited_front_matter, edited_yaml
from .common import add_common
from .control import judge_history
from .history import adopted_approvals
from .writing import actor, commit, editing, guard, write

EXAMPLE = f"""examples (one approval per row, or per --approval; one effective date per document):
  qms adopt --approval SOP-013:quality@example.com:quality-manager:2024-03-01 \\
            --approval SOP-013:production@example.com:production-manager:2024-03-02T10:00:00Z \\
            --effective SOP-013:2024-03-15

  qms adopt --facts adoption.csv      with adoption.csv:
  {','.join(adoption.COLUMNS)}
  SOP-013,quality@example.com,quality-manager,2024-03-01,2024-03-15
  SOP-013,production@example.com,production-manager,2024-03-02T10:00:00Z,2024-03-15
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("adopt", help="record approvals made before the QMS lived in Git (administrator)",
                                 epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", metavar="FILE", help=f"CSV with columns {', '.join(adoption.COLUMNS)}: who "
                        "approved, in which role, when (YYYY-MM-DD or a UTC date-time), and from when the document "
                        "was in force (YYYY-MM-DD); one row per approval")
    parser.add_argument("--approval", action="append", default=[], metavar=APPROVAL_FORM, help="one approval a "
                        "document had: its id, the approver's email and role, and when (YYYY-MM-DD or a UTC "
                        "date-time); repeat it for each approval")
    parser.add_argument("--effective", action="append", default=[], metavar=EFFECTIVE_FORM, help="the day a "
                        "document given with --approval came into force (YYYY-MM-DD); once per document")
    add_common(parser, main, as_of=False)


def main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _adopt(args, ws)


def _adopt(args: argparse.Namespace, ws: Workspace) -> int:
    git.require_root(ws.root)
    head = git.head_or_empty(ws.root)
    if head == git.EMPTY_TREE:
        raise QmsError("nothing is committed yet: commit qms.yml and the imported drafts first, then adopt them",
                       EXIT_USAGE)
    person = actor(ws)
    if not ws.config.may_administer(person.email):
        raise QmsError(f"{person.name} holds no administering role ({', '.join(ws.config.administrators or ())}): "
                       "adoption is a change to qms.yml, which only an administrator may make", EXIT_USAGE)
    facts, problems = _stated(args)
    start = _start(ws, head) if facts else None
    files: dict[str, str | None] = {}
    trailers = []
    for fact in facts:
        found = _problems(ws, fact, start or ws.config.verify_from)
        problems += found
        if not found:
            doc = ws.by_id[fact.doc_id]
            files[doc.path], line = _adopted_text(ws, doc, fact)
            trailers.append(line)
    if problems:
        raise QmsError("refused, and nothing was written: the adoption facts cannot be used:\n"
                       + "\n".join(f.text() for f in problems), EXIT_USAGE)
    ids = [fact.doc_id for fact in facts]
    files[CONFIG_FILE] = edited_yaml(os.path.join(ws.root, CONFIG_FILE), lambda data: _record(data, ids, start))
    must_sign = guard(ws, person, files, committing=True)
    previous = write(ws, files)
    for line in trailers:
        print(f"adopted {line}")
    if start:
        print(f"{CONFIG_FILE}: adopted + {', '.join(ids)}; verify_from (none) -> {start[:12]}: history starts with "
              "this adoption")
        why = f"verify_from set to {start[:12]}: history starts with this adoption"
    else:
        kept = f"verify_from stays at {ws.config.verify_from[:12]}" if ws.config.verify_from else \
            "verify_from stays unset"
        print(f"{CONFIG_FILE}: adopted + {', '.join(ids)}; {kept}: what history verifies stays verified")
        why = f"{kept}, so every approval history verifies stays verified"
    commit(ws, previous, f"Adopt {len(facts)} document(s) approved before the QMS lived in Git", {
        CONFIG_TRAILER: f"adopted lists {', '.join(ids)}, whose approvals were made before the QMS lived in Git "
                        f"(stated below by the administrator, not verified); {why}",
        ADOPTION_TRAILER: trailers,
    }, sign=must_sign)
    return EXIT_CLEAN


def _stated(args: argparse.Namespace) -> tuple[list[Facts], list[Finding]]:
    """The facts, from the CSV file or from --approval and --effective."""
    if args.facts and (args.approval or args.effective):
        raise QmsError("give the facts in a file (--facts) or as --approval and --effective, not both", EXIT_USAGE)
    if args.facts:
        try:
            with open(args.facts, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise QmsError(f"{args.facts}: cannot be read: {exc} (a CSV file with columns "
                           f"{', '.join(adoption.COLUMNS)})", EXIT_USAGE) from None
        return adoption.from_csv(text, args.facts, clock.now())
    if not args.approval and not args.effective:
        raise QmsError(f"state the approvals each document had: --approval {APPROVAL_FORM} (one per approval) and "
                       f"--effective {EFFECTIVE_FORM} (one per document), or --facts FILE.csv", EXIT_USAGE)
    return adoption.from_options(args.approval, args.effective, clock.now())


def _problems(ws: Workspace, fact: Facts, verify_from: str | None) -> list[Finding]:
    """What stops the facts from approving the document: it must be a draft never approved and not written in Git
    (`verify_from`: where verification starts once adopted), its approvers listed in qms.yml, and every role its
    type requires named (the rules judge the rest, before anything is written)."""
    doc = ws.by_id.get(fact.doc_id)
    where = (fact.path, fact.line)
    if doc is None:
        return [adoption.problem(*where, f"no document {fact.doc_id}", "import it first (qms import), and name it "
                                 "by its id (qms list shows the ids)")]
    errors = [f for f in ws.findings if f.path == doc.path and f.severity == "error"]
    if errors:
        return [adoption.problem(*where, f"{doc.path} has problems to fix first: {errors[0].text()}",
                                 "qms check lists them")]
    if doc.status != "draft" or doc.approvals:
        return [adoption.problem(*where, f"{doc.id} is {doc.status}{' with approvals' if doc.approvals else ''}",
                                 "only drafts without approvals are adopted (approvals made in Git are given with "
                                 "qms approve)")]
    if doc.id in ws.config.adopted or doc.id in ws.history.ever_approved:
        return [adoption.problem(*where, f"{doc.id} was {'adopted' if doc.id in ws.config.adopted else 'approved'} "
                                 "before", "its later revisions are approved in Git, with qms approve")]
    first = ws.history.written_in_git(doc.id, verify_from)
    if first is not None:
        return [adoption.problem(*where, written_in_git(doc.id, first), ADOPT_HINT)]
    found = [adoption.problem(item.path, item.line, f"{item.email} is not listed in qms.yml",
                              "an administrator lists the approver under the role they held before adopting (a "
                              "person who has left may stay listed)")
             for item in fact.approvals if item.email.lower() not in ws.config.people]
    missing = [role for role in required_roles(doc, ws.config) if role not in {item.role for item in fact.approvals}]
    if missing:
        found.append(adoption.problem(*where, f"{doc.id} needs approval by {', '.join(missing)} as well",
                                      f"its type ({doc.type}) requires it: state that approval too"))
    return found


def _adopted_text(ws: Workspace, doc: Document, fact: Facts) -> tuple[str, str]:
    """The document approved as the facts say, and the trailer line that states them."""
    signed = fingerprint(doc.id, doc.title, doc.type, doc.revision, fact.effective, doc.body)
    approvals = [{"name": ws.config.people[item.email.lower()].name, "email": ws.config.people[item.email.lower()].email,
                  "role": item.role, "meaning": "approval", "at": clock.stamp(item.at), "fingerprint": signed}
                 for item in fact.approvals]

    def apply(data: Any) -> None:
        data["status"] = "approved"
        if "effective" in data:
            data["effective"] = fact.effective
        else:
            data.insert(list(data).index("status") + 1, "effective", fact.effective)
        data["approvals"] = approvals

    text = edited_front_matter(os.path.join(ws.root, doc.path), apply)
    who = ", ".join(f"{a['name']} ({a['role']}) {a['at']}" for a in approvals)
    return text, f"{doc.id} revision {doc.revision} approved by {who}, effective {fact.effective}"


def _start(ws: Workspace, head: str) -> str | None:
    """The commit verify_from is set to (HEAD, the adoption's parent), or None to leave it where it is. It is set
    only at the start: when it is not set yet and no approval history holds is verified, since moving it would
    relabel those as adopted and stop verifying them."""
    if ws.config.verify_from:
        return None
    judged = judge_history(ws.root, ws.config, None)
    adopted, problems = adopted_approvals(ws.root, ws.config, judged.history.transitions), \
        problems_by_entry(judged.findings)
    verified = any(verdict(signed, adopted, problems)[0] in (SIGNED, RECORDED)
                   for found in by_document(judged.history.transitions).values()
                   for revision in document_revisions(found) for signed in revision.signed)
    return None if verified else head


def _record(data: Any, ids: list[str], start: str | None) -> None:
    """qms.yml with the adopted documents listed (and verify_from set, at the start)."""
    if start:
        data["verify_from"] = start
    listed = data.get("adopted")
    if isinstance(listed, list):
        listed.extend(doc_id for doc_id in ids if doc_id not in listed)
        return
    seq = CommentedSeq(ids)
    seq.fa.set_flow_style()
    data["adopted"] = seq
