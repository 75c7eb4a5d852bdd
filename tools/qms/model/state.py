"""State derived from facts: which approvals count, whether a document is effective, when it is due for review."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import revision
from .config import OWNER, Config, Person
from .document import Approval, Document, PeriodicReview
from .finding import Finding
from .transition import entry_key

@dataclass(frozen=True)
class Authority:
    """What history says about each signature it holds: the qms.yml in force when it was added (`signed_under`, by
    which who may sign is judged, for as long as it stands), and what the change rules refused about it then
    (`refused`: it never counts)."""

    signed_under: Mapping[str, Config] = field(default_factory=dict)
    refused: Mapping[str, Finding] = field(default_factory=dict)

DRAFT, PENDING, EFFECTIVE, OBSOLETE, INVALID = "draft", "pending", "effective", "obsolete", "invalid"


@dataclass(frozen=True)
class ApprovalProblem:
    """Why an approval does not count."""

    approval: Approval
    code: str
    message: str
    hint: str


def approval_problems(doc: Document, config: Config, authority: Authority | None = None) -> list[ApprovalProblem]:
    """Every approval of `doc` that does not count, with the reason (static checks; Git adds more). Who may sign
    is judged by the qms.yml in force when history added the approval (`authority`), else by `config`: a
    signature stays valid after its signer leaves, and stays invalid after a role is granted."""
    problems = []
    current = doc.fingerprint
    authority = authority or Authority()
    for approval in doc.approvals:
        key = entry_key(approval)
        refused = authority.refused.get(key)
        if refused is not None:
            problems.append(ApprovalProblem(approval, refused.code, f"{refused.message} (commit "
                                            f"{refused.commit[:12]}), so it does not count", refused.hint))
            continue
        judge = authority.signed_under.get(key, config)
        role = judge.roles.get(approval.role)
        person = judge.people.get(approval.email.lower())
        if person is None:
            problems.append(ApprovalProblem(approval, "QMS041", f"approver {approval.email} is not listed in qms.yml",
                                            "only people named under roles in qms.yml may approve"))
        elif role is None or not role.has(approval.email):
            problems.append(ApprovalProblem(approval, "QMS041", f"{approval.email} does not hold role "
                                            f"'{approval.role}'", "approve under a role you hold in qms.yml"))
        elif doc.type not in role.approves:
            problems.append(ApprovalProblem(approval, "QMS041", f"role '{approval.role}' may not approve "
                                            f"{doc.type} documents", "ask someone whose role approves this type"))
        elif person.name != approval.name:
            problems.append(ApprovalProblem(approval, "QMS048", f"approval name '{approval.name}' differs from "
                                            f"'{person.name}' in qms.yml", "approvals are written by qms approve"))
        if approval.fingerprint != current:
            problems.append(ApprovalProblem(approval, "QMS042", f"approval by {approval.name} does not match the "
                                            "current content", f"content changed after approval: run "
                                            f"qms revise {doc.id}, or ask for approval again"))
    return problems


def required_roles(doc: Document, config: Config) -> list[str]:
    """The roles whose approval this document's type requires, in order, without repeats."""
    doc_type = config.document_types.get(doc.type)
    roles = [doc.owner if role == OWNER else role for role in (doc_type.approvals if doc_type else ())]
    return list(dict.fromkeys(roles))


@dataclass(frozen=True)
class Awaited:
    """A role whose signature a revision still needs: who may give it, and who may not because they wrote content of
    the revision (separation of duties)."""

    role: str
    title: str
    may_sign: tuple[Person, ...]
    excluded: tuple[Person, ...]


def awaited(doc: Document, config: Config, missing: tuple[str, ...], authors: dict[str, str]) -> list[Awaited]:
    """For each role in `missing` (an Assessment's), the people who may sign for it; `authors` (email -> name, from
    the ledger) are those who wrote content of this revision, excluded where qms.yml separates duties."""
    found = []
    for name in missing:
        role = config.roles.get(name)
        if role is None:
            continue
        holders = role.people if doc.type in role.approves else ()
        wrote = {email.lower() for email in authors} if config.separation_of_duties else set()
        found.append(Awaited(name, role.title, tuple(p for p in holders if p.email.lower() not in wrote),
                             tuple(p for p in holders if p.email.lower() in wrote)))
    return found


@dataclass(frozen=True)
class Assessment:
    """A document with what its facts say: approvals that do not count, roles still missing, its state."""

    doc: Document
    problems: tuple[ApprovalProblem, ...]
    missing: tuple[str, ...]
    state: str


def assess(doc: Document, config: Config, today: date, authority: Authority | None = None) -> Assessment:
    """Derive the state of `doc` from its approvals and dates."""
    return judged(doc, config, authority).on(today)


@dataclass(frozen=True)
class Judged:
    """What a document's approvals say whatever the day (the approvals that do not count, the roles still
    missing), from which its state on any day follows from its dates alone."""

    doc: Document
    config: Config
    problems: tuple[ApprovalProblem, ...]
    missing: tuple[str, ...]

    def on(self, today: date) -> Assessment:
        """The assessment of the document on `today`."""
        doc, missing = self.doc, self.missing
        if doc.status == "draft":
            derived = DRAFT
        elif doc.status == "obsolete":
            derived = INVALID if doc.obsoleted is None or not doc.reason or missing else \
                OBSOLETE if doc.obsoleted <= today else _in_force_until_obsolete(doc, self.config, today, self.problems)
        elif doc.effective is None or missing:
            derived = INVALID
        else:
            derived = EFFECTIVE if doc.effective <= today else PENDING
        return Assessment(doc, self.problems, missing, derived)


def judged(doc: Document, config: Config, authority: Authority | None = None) -> Judged:
    """The day-independent part of `assess`: which approvals count and which roles are missing."""
    problems = tuple(approval_problems(doc, config, authority))
    bad = {id(problem.approval) for problem in problems}
    meaning = "obsoletion" if doc.status == "obsolete" else "approval"
    valid = [a for a in doc.approvals if a.meaning == meaning and id(a) not in bad]
    missing: tuple[str, ...]
    if meaning == "obsoletion":
        missing = () if valid else ("an approving role (meaning obsoletion)",)
    else:
        missing = tuple(role for role in required_roles(doc, config) if not any(a.role == role for a in valid))
    return Judged(doc, config, problems, missing)


def _in_force_until_obsolete(doc: Document, config: Config, today: date, problems: tuple[ApprovalProblem, ...]) -> str:
    """A document made obsolete from a later date stays in force until then, if its approval still holds."""
    bad = {id(problem.approval) for problem in problems}
    approved = {a.role for a in doc.approvals if a.meaning == "approval" and id(a) not in bad}
    if doc.effective is None or any(role not in approved for role in required_roles(doc, config)):
        return INVALID
    return EFFECTIVE if doc.effective <= today else PENDING


def review_months(doc: Document, config: Config) -> int:
    """The periodic review interval: the document's own, else its type's."""
    doc_type = config.document_types.get(doc.type)
    return doc.review_months or (doc_type.review_months if doc_type else 12)


def next_review(doc: Document, config: Config, counts: Callable[[PeriodicReview], bool] | None = None) -> date | None:
    """When the next periodic review is due: months after the later of effective date and last review (of the
    reviews that `counts`, where history says some do not)."""
    if doc.effective is None or doc.status != "approved":
        return None
    last = max([doc.effective] + [review.at.date() for review in doc.periodic_reviews if counts is None or counts(review)])
    return add_months(last, review_months(doc, config))


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the end of a shorter month, and to the last day a date can name (a
    record dated 9999, a retention of 100,000 years: the end is never, not an error)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: date, days: int) -> date:
    """`day` plus `days`, clamped to the last day a date can name."""
    return day + timedelta(days=days) if (date.max - day).days >= days else date.max


def retain_until(record_date: date, years: int) -> date:
    """The end of a record's retention period."""
    return add_months(record_date, years * 12)


def is_first_revision(doc: Document, config: Config) -> bool:
    """Whether `doc` is at the first revision of the scheme (so it was never approved before)."""
    return doc.revision == revision.first(config.revision_scheme)
