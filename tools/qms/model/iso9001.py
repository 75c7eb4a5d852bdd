"""The clauses of ISO 9001:2015, sections 4 to 10, for clause references and the clause matrix."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CLAUSES: dict[str, str] = {
    "4": "Context of the organization",
    "4.1": "Understanding the organization and its context",
    "4.2": "Understanding the needs and expectations of interested parties",
    "4.3": "Determining the scope of the quality management system",
    "4.4": "Quality management system and its processes",
    "4.4.1": "Processes needed for the QMS", "4.4.2": "Documented information on processes",
    "5": "Leadership",
    "5.1": "Leadership and commitment", "5.1.1": "General", "5.1.2": "Customer focus",
    "5.2": "Policy", "5.2.1": "Establishing the quality policy", "5.2.2": "Communicating the quality policy",
    "5.3": "Organizational roles, responsibilities and authorities",
    "6": "Planning",
    "6.1": "Actions to address risks and opportunities", "6.1.1": "Determining risks and opportunities",
    "6.1.2": "Planning actions",
    "6.2": "Quality objectives and planning to achieve them", "6.2.1": "Establishing quality objectives",
    "6.2.2": "Planning to achieve quality objectives",
    "6.3": "Planning of changes",
    "7": "Support",
    "7.1": "Resources", "7.1.1": "General", "7.1.2": "People", "7.1.3": "Infrastructure",
    "7.1.4": "Environment for the operation of processes", "7.1.5": "Monitoring and measuring resources",
    "7.1.5.1": "General", "7.1.5.2": "Measurement traceability", "7.1.6": "Organizational knowledge",
    "7.2": "Competence", "7.3": "Awareness", "7.4": "Communication",
    "7.5": "Documented information", "7.5.1": "General", "7.5.2": "Creating and updating",
    "7.5.3": "Control of documented information", "7.5.3.1": "Availability and protection",
    "7.5.3.2": "Distribution, access, storage, change control, retention and disposition",
    "8": "Operation",
    "8.1": "Operational planning and control",
    "8.2": "Requirements for products and services", "8.2.1": "Customer communication",
    "8.2.2": "Determining the requirements for products and services",
    "8.2.3": "Review of the requirements for products and services", "8.2.3.1": "Review before commitment",
    "8.2.3.2": "Documented information on the review", "8.2.4": "Changes to requirements",
    "8.3": "Design and development of products and services", "8.3.1": "General",
    "8.3.2": "Design and development planning", "8.3.3": "Design and development inputs",
    "8.3.4": "Design and development controls", "8.3.5": "Design and development outputs",
    "8.3.6": "Design and development changes",
    "8.4": "Control of externally provided processes, products and services", "8.4.1": "General",
    "8.4.2": "Type and extent of control", "8.4.3": "Information for external providers",
    "8.5": "Production and service provision", "8.5.1": "Control of production and service provision",
    "8.5.2": "Identification and traceability", "8.5.3": "Property belonging to customers or external providers",
    "8.5.4": "Preservation", "8.5.5": "Post-delivery activities", "8.5.6": "Control of changes",
    "8.6": "Release of products and services",
    "8.7": "Control of nonconforming outputs", "8.7.1": "Actions on nonconforming outputs",
    "8.7.2": "Documented information on nonconforming outputs",
    "9": "Performance evaluation",
    "9.1": "Monitoring, measurement, analysis and evaluation", "9.1.1": "General",
    "9.1.2": "Customer satisfaction", "9.1.3": "Analysis and evaluation",
    "9.2": "Internal audit", "9.2.1": "Conducting internal audits", "9.2.2": "Audit programme",
    "9.3": "Management review", "9.3.1": "General", "9.3.2": "Management review inputs",
    "9.3.3": "Management review outputs",
    "10": "Improvement",
    "10.1": "General", "10.2": "Nonconformity and corrective action", "10.2.1": "Actions on nonconformity",
    "10.2.2": "Documented information on nonconformity", "10.3": "Continual improvement",
}


def is_clause(number: str) -> bool:
    """Whether `number` is a clause of ISO 9001:2015, sections 4 to 10."""
    return number in CLAUSES


def covers(declared: str, clause: str) -> bool:
    """Whether a document declaring `declared` addresses `clause` (itself, a parent or a sub-clause)."""
    return declared == clause or declared.startswith(clause + ".") or clause.startswith(declared + ".")


def subclauses() -> list[str]:
    """The second-level clauses (4.1 ... 10.3): the rows of the clause matrix."""
    return [number for number in CLAUSES if number.count(".") == 1]


def matrix(declared: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """For each second-level clause, the ids (sorted) of the documents whose declared clauses address it."""
    return {clause: sorted(doc_id for doc_id, clauses in declared.items() if any(covers(c, clause) for c in clauses))
            for clause in subclauses()}
