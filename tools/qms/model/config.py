"""qms.yml: the QMS configuration, validated once on load into frozen objects."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import EXIT_USAGE, QmsError
from . import iso9001, schema
from . import keys as signing_keys
from .finding import Finding, FindingError
from .schema import Key
from .source import decode
from .yamlread import Parsed, load

CONFIG_FILE = "qms.yml"
OWNER = "owner"  # in a type's `approvals`: the role named as the document's owner


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    keys: tuple[str, ...] = ()  # fingerprints of the person's signing keys (see model/keys.py)
    handle: str = ""            # their user name on the Git host (GitHub, GitLab), as @name, for CODEOWNERS


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    people: tuple[Person, ...]
    approves: tuple[str, ...]
    disposes: tuple[str, ...] = ()

    def has(self, email: str) -> bool:
        """Whether the person with `email` holds this role."""
        return any(person.email.lower() == email.lower() for person in self.people)


@dataclass(frozen=True)
class DocType:
    name: str
    prefix: str
    width: int
    folder: str
    label: str
    review_months: int
    approvals: tuple[str, ...]
    sections: tuple[str, ...]


@dataclass(frozen=True)
class RecordType:
    name: str
    prefix: str
    folder: str
    retention_years: int
    procedure: str
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class Mandatory:
    clause: str
    what: str
    kind: str
    line: int = field(compare=False)  # where qms.yml states it: comments and layout change no configuration


@dataclass(frozen=True)
class TrainingNeed:
    """One entry of `training.required`: these roles and people must be trained on these types or ids."""

    roles: tuple[str, ...]
    people: tuple[str, ...]  # lower-case emails
    documents: tuple[str, ...]  # document types or document ids
    line: int = field(compare=False)


@dataclass(frozen=True)
class TrainingPolicy:
    """qms.yml `training`: who is trained on what, how long they have, who may attest training given."""

    grace_days: int
    trainers: tuple[str, ...]  # roles that may attest training they gave (classroom, on-the-job)
    record_type: str  # the record type training records are filed as
    needs: tuple[TrainingNeed, ...]


@dataclass(frozen=True)
class SealSettings:
    """qms.yml `pdf.seal`: the organisation's signing key and certificate, which every controlled PDF is signed
    with (PAdES). Paths are relative to the QMS folder; the key's passphrase is never in qms.yml: `passphrase_env`
    names the environment variable that holds it."""

    key: str
    certificate: str
    chain: tuple[str, ...] = ()  # intermediate certificates, embedded in each signature
    passphrase_env: str | None = None
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # each setting's line, to report it at

    def line(self, name: str) -> int:
        """The qms.yml line of setting `name` (of `seal:` itself where it is not set)."""
        return self.lines.get(name, self.lines.get("seal", 1))


@dataclass(frozen=True)
class Config:
    path: str
    organisation: str
    revision_scheme: str
    separation_of_duties: bool
    signed_approvals: bool
    max_document_bytes: int
    max_attachment_bytes: int
    document_types: dict[str, DocType]
    roles: dict[str, Role]
    record_types: dict[str, RecordType]
    mandatory: tuple[Mandatory, ...]
    verify_from: str | None = None
    adopted: tuple[str, ...] = ()  # documents whose approvals were made before the QMS lived in Git (qms adopt)
    clock_skew_minutes: int = 15
    administrators: tuple[str, ...] | None = None  # roles that may change qms.yml; None: not named (legacy)
    training: TrainingPolicy | None = None  # None: qms.yml asks for no training on documents
    seal: SealSettings | None = None  # None: the controlled PDFs are not signed
    controlled: tuple[str, ...] = ()  # files and folders (ending in /) changed only like qms.yml, by an administrator

    def controls(self, path: str) -> bool:
        """Whether `path` is a file that governs how the QMS is enforced or published (`controlled`), which only an
        administrator changes, like qms.yml."""
        return controlled(path, self.controlled)

    def trainees(self, doc_id: str, doc_type: str) -> list[Person]:
        """Who must be trained on the document with `doc_id` of `doc_type`, in email order (none without a
        `training` section)."""
        if self.training is None:
            return []
        emails: set[str] = set()
        for need in self.training.needs:
            if doc_id in need.documents or doc_type in need.documents:
                emails |= {p.email.lower() for role in need.roles if role in self.roles for p in self.roles[role].people}
                emails |= set(need.people)
        return [self.people[email] for email in sorted(emails) if email in self.people]

    def may_train(self, email: str) -> bool:
        """Whether `email` holds a role that may attest training they gave."""
        trainers = self.training.trainers if self.training is not None else ()
        return any(role.name in trainers for role in self.holders(email))

    def holders(self, email: str) -> list[Role]:
        """The roles the person with `email` holds."""
        return [role for role in self.roles.values() if role.has(email)]

    def may_approve(self, email: str, doc_type: str) -> list[Role]:
        """The roles held by `email` that may approve (or obsolete) documents of `doc_type`."""
        return [role for role in self.holders(email) if doc_type in role.approves]

    def may_review(self, email: str, doc_type: str, owner: str) -> bool:
        """Whether `email` may record a periodic review: the owner role, or a role that approves the type."""
        return any(role.name == owner or doc_type in role.approves for role in self.holders(email))

    def may_dispose(self, email: str, record_type: str, owner: str) -> bool:
        """Whether `email` may dispose of a record: the record's owner role, or a role that `disposes` its type."""
        return any(role.name == owner or record_type in role.disposes for role in self.holders(email))

    def may_administer(self, email: str) -> bool:
        """Whether `email` may change qms.yml: a holder of an administering role (anyone named under a role, where
        qms.yml names no administering role)."""
        if self.administrators is None:
            return email.lower() in self.people
        return any(role.name in self.administrators for role in self.holders(email))

    def keys_of(self, email: str) -> set[str]:
        """The signing keys registered to the person with `email`, under any role."""
        return {key for role in self.roles.values() for person in role.people
                if person.email.lower() == email.lower() for key in person.keys}

    @cached_property
    def people(self) -> dict[str, Person]:
        """Everyone named in a role, by lower-case email."""
        return {person.email.lower(): person for role in self.roles.values() for person in role.people}


def controlled(path: str, listed: tuple[str, ...]) -> bool:
    """Whether `path` is one of the `listed` files, or inside one of the listed folders (ending in /)."""
    return path in listed or any(entry.endswith("/") and path.startswith(entry) for entry in listed)


class ConfigError(QmsError):
    """qms.yml cannot be used; carries one finding per problem."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.text() for f in findings), EXIT_USAGE)
        self.findings = findings


_TOP: schema.Schema = {
    "organisation": Key(schema.LINE, True),
    "revision_scheme": Key(schema.one_of("numeric", "alpha"), True),
    "separation_of_duties": Key(schema.BOOLEAN),
    "signed_approvals": Key(schema.BOOLEAN),
    "limits": Key(lambda value: value),
    "document_types": Key(lambda value: value, True),
    "roles": Key(lambda value: value, True),
    "record_types": Key(lambda value: value),
    "mandatory": Key(lambda value: value),
    "verify_from": Key(schema.LINE),
    "adopted": Key(schema.WORDS),
    "clock_skew_minutes": Key(schema.POSITIVE_INT),
    "administrators": Key(schema.WORDS),
    "training": Key(lambda value: value),
    "pdf": Key(lambda value: value),
    "controlled": Key(schema.LINES),
}
_PDF: schema.Schema = {"seal": Key(lambda value: value)}
_SEAL: schema.Schema = {"key": Key(schema.LINE, True), "certificate": Key(schema.LINE, True),
                        "chain": Key(schema.LINES), "passphrase_env": Key(schema.LINE)}
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TRAINING: schema.Schema = {
    "grace_days": Key(schema.POSITIVE_INT, True),
    "trainers": Key(schema.WORDS),
    "record_type": Key(schema.LINE),
    "required": Key(lambda value: value, True),
}
_TRAINING_NEED: schema.Schema = {"roles": Key(schema.WORDS), "people": Key(schema.WORDS),
                                 "documents": Key(schema.WORDS, True)}
_LIMITS: schema.Schema = {"max_document_kb": Key(schema.POSITIVE_INT), "max_attachment_kb": Key(schema.POSITIVE_INT)}
_DOC_TYPE: schema.Schema = {
    "prefix": Key(schema.LINE, True),
    "width": Key(schema.POSITIVE_INT),
    "folder": Key(schema.LINE, True),
    "label": Key(schema.LINE),
    "review_months": Key(schema.POSITIVE_INT, True),
    "approvals": Key(schema.WORDS, True),
    "sections": Key(schema.WORDS),
}
_ROLE: schema.Schema = {
    "title": Key(schema.LINE, True),
    "people": Key(lambda value: value, True),
    "approves": Key(schema.WORDS),
    "disposes": Key(schema.WORDS),
}
_PERSON: schema.Schema = {"name": Key(schema.LINE, True), "email": Key(schema.EMAIL, True),
                          "signing_keys": Key(schema.LINES), "handle": Key(schema.LINE)}
_HANDLE = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)*")
_RECORD_TYPE: schema.Schema = {
    "prefix": Key(schema.LINE, True),
    "folder": Key(schema.LINE, True),
    "retention_years": Key(schema.POSITIVE_INT, True),
    "procedure": Key(schema.LINE, True),
    "clauses": Key(schema.WORDS),
}
_MANDATORY: schema.Schema = {
    "clause": Key(schema.LINE, True),
    "what": Key(schema.LINE, True),
    "kind": Key(schema.one_of("document", "record")),
}
_DEFAULT_SECTIONS = ("Purpose", "Scope", "Responsibilities", "Procedure", "Records", "References")


def load_config(root: str) -> Config:
    """Read and validate `root/qms.yml`; raise ConfigError listing every problem."""
    path = os.path.join(root, CONFIG_FILE)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise QmsError(f"{CONFIG_FILE}:1: QMS090 no {CONFIG_FILE} in {root or '.'} "
                       "(run qms in the root of a QMS repository)", EXIT_USAGE) from None
    return parse_config(data)


def parse_config(data: bytes) -> Config:
    """Validate the bytes of a qms.yml (the working file, or a version from history); raise ConfigError."""
    try:
        text = decode(data, CONFIG_FILE, 1 << 20)
        parsed = load(text.text, CONFIG_FILE)
    except FindingError as exc:
        raise ConfigError([exc.finding]) from None
    return _Reader(parsed).config()


def settings(text: str) -> dict[str, object]:
    """What a qms.yml says, without its comments and layout: its settings as dotted keys (lists are values);
    empty for no file, one '(unreadable)' entry holding the text where it cannot be read."""
    try:
        value = load(text, CONFIG_FILE).value if text else None
    except FindingError:
        return {"(unreadable)": text}
    flat: dict[str, object] = {}

    def walk(node: object, prefix: str) -> None:
        if isinstance(node, dict) and node:
            for key, item in node.items():
                walk(item, f"{prefix}.{key}" if prefix else str(key))
        elif prefix or node is not None:
            flat[prefix] = node

    walk(value, "")
    return flat


class _Reader:
    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.findings: list[Finding] = []

    def check(self, raw: object, spec: schema.Schema, at: tuple[str | int, ...], what: str) -> dict[str, object]:
        checked = schema.check(raw, spec, self.parsed, CONFIG_FILE, at, what)
        self.findings.extend(checked.findings)
        return checked.values

    def problem(self, at: tuple[str | int, ...], message: str, hint: str) -> None:
        self.findings.append(Finding(CONFIG_FILE, self.parsed.line(*at), "QMS091", message, hint))

    def named(self, raw: object, at: tuple[str, ...], what: str) -> dict[str, object]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(at, f"'{at[-1]}' must be a mapping of {what} names to settings", "see README: Configuration")
            return {}
        for name in raw:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                self.problem(at + (name,), f"{what} name '{name}' is not a lower-case word",
                             "use lower-case letters, digits and hyphens")
        return raw

    def config(self) -> Config:
        top = self.check(self.parsed.value, _TOP, (), CONFIG_FILE)
        limits = self.check(top["limits"] or {}, _LIMITS, ("limits",), "limits")
        roles = self.roles(self.named(top["roles"], ("roles",), "role"))
        types = self.document_types(self.named(top["document_types"], ("document_types",), "document type"), roles)
        record_types = self.record_types(self.named(top["record_types"], ("record_types",), "record type"))
        for role in roles.values():
            for type_name in role.approves:
                if type_name not in types:
                    self.problem(("roles", role.name, "approves"), f"role '{role.name}' approves unknown type "
                                 f"'{type_name}'", "name a type under document_types")
            for type_name in role.disposes:
                if type_name not in record_types:
                    self.problem(("roles", role.name, "disposes"), f"role '{role.name}' disposes of unknown "
                                 f"record type '{type_name}'", "name a type under record_types")
        prefixes = [t.prefix for t in types.values()] + [t.prefix for t in record_types.values()]
        for prefix in {p for p in prefixes if prefixes.count(p) > 1}:
            self.problem(("document_types",), f"id prefix '{prefix}' is used by more than one type",
                         "give each type its own prefix")
        mandatory = self.mandatory(top["mandatory"])
        verify_from = top["verify_from"]
        administrators = top["administrators"]
        for role_name in administrators or ():  # type: ignore[attr-defined]
            if role_name not in roles:
                self.problem(("administrators",), f"administering role '{role_name}' is not a role",
                             "name roles under roles, e.g. administrators: [quality-manager]")
        if verify_from is not None and not re.fullmatch(r"[0-9a-f]{7,40}", str(verify_from)):
            self.problem(("verify_from",), "verify_from must be a commit id (hex)", "e.g. verify_from: 635b1fa")
        training = self.training(top["training"], roles, types, record_types)
        seal = self.seal(top["pdf"])
        controlled_paths = self.controlled(top["controlled"] or ())  # type: ignore[arg-type]
        if self.findings:
            raise ConfigError(self.findings)
        return Config(
            path=CONFIG_FILE,
            organisation=str(top["organisation"]),
            revision_scheme=str(top["revision_scheme"]),
            separation_of_duties=top["separation_of_duties"] is not False,
            signed_approvals=top["signed_approvals"] is True,
            max_document_bytes=int(limits["max_document_kb"] or 512) * 1024,  # type: ignore[call-overload]
            max_attachment_bytes=int(limits["max_attachment_kb"] or 25600) * 1024,  # type: ignore[call-overload]
            document_types=types,
            roles=roles,
            record_types=record_types,
            mandatory=mandatory,
            verify_from=str(verify_from) if verify_from else None,
            adopted=top["adopted"] or (),  # type: ignore[arg-type]
            clock_skew_minutes=int(top["clock_skew_minutes"] or 15),  # type: ignore[call-overload]
            administrators=administrators,  # type: ignore[arg-type]
            training=training,
            seal=seal,
            controlled=controlled_paths,
        )

    def controlled(self, listed: tuple[str, ...]) -> tuple[str, ...]:
        """`controlled`: paths relative to the repository, outside procedures/ and records/ (judged by their own
        rules) and other than qms.yml (controlled already)."""
        for path in listed:
            parts = path.rstrip("/").split("/")
            if os.path.isabs(path) or path.startswith("~") or not path.strip("/") or ".." in parts or "." in parts:
                self.problem(("controlled",), f"controlled: '{path}' is not a path inside the repository",
                             "name files and folders relative to the folder qms.yml is in, e.g. mkdocs.yml, .github/")
            elif parts[0] in ("procedures", "records") or path == CONFIG_FILE:
                self.problem(("controlled",), f"controlled: '{path}' is controlled already",
                             "list only files outside procedures/ and records/, other than qms.yml")
        return tuple(listed)

    def seal(self, raw: object) -> SealSettings | None:
        if raw is None:
            return None
        at: tuple[str | int, ...] = ("pdf", "seal")
        found = self.check(raw, _PDF, ("pdf",), "pdf")["seal"]
        if found is None:
            return None
        if isinstance(found, dict) and "passphrase" in found:
            self.problem(at + ("passphrase",), "a passphrase is never written in qms.yml (everyone who can read "
                         "the repository would have it)", "name the environment variable that holds it: "
                         "passphrase_env: QMS_SEAL_PASSPHRASE")
            found = {key: value for key, value in found.items() if key != "passphrase"}
        values = self.check(found, _SEAL, at, "pdf.seal")
        chain: tuple[str, ...] = values["chain"] or ()  # type: ignore[assignment]
        paths = [(name, str(values[name])) for name in ("key", "certificate") if values[name]]
        for name, path in [*paths, *(("chain", path) for path in chain)]:
            if os.path.isabs(path) or path.startswith("~"):
                self.problem(at + (name,), f"pdf.seal.{name}: '{path}' is not a path relative to the QMS folder",
                             "name the file relative to the folder qms.yml is in (and keep the key out of Git: "
                             "list it in .gitignore)")
        variable = values["passphrase_env"]
        if variable is not None and not _VARIABLE.fullmatch(str(variable)):
            self.problem(at + ("passphrase_env",), f"'{variable}' is not the name of an environment variable",
                         "e.g. passphrase_env: QMS_SEAL_PASSPHRASE")
        if not values["key"] or not values["certificate"]:
            return None
        lines = {name: self.parsed.line(*at, name) for name in _SEAL if name in found}  # type: ignore[operator]
        return SealSettings(str(values["key"]), str(values["certificate"]), chain,
                            str(variable) if variable else None, {"seal": self.parsed.line(*at), **lines})

    def training(self, raw: object, roles: dict[str, Role], types: dict[str, DocType],
                 record_types: dict[str, RecordType]) -> TrainingPolicy | None:
        if raw is None:
            return None
        at: tuple[str | int, ...] = ("training",)
        values = self.check(raw, _TRAINING, at, "training")
        trainers: tuple[str, ...] = values["trainers"] or ()  # type: ignore[assignment]
        for role in trainers:
            if role not in roles:
                self.problem(at + ("trainers",), f"trainer role '{role}' is not a role", "name roles under roles")
        record_type = str(values["record_type"] or "training")
        if record_type not in record_types:
            self.problem(at + (("record_type",) if values["record_type"] else ()), f"training records are filed as "
                         f"record type '{record_type}', which is not under record_types",
                         "add that record type, or name one with training: {record_type: ...}")
        people = {person.email.lower() for role in roles.values() for person in role.people}
        prefixes = {t.prefix for t in types.values()}
        needs = []
        required = values["required"]
        if required is not None and not isinstance(required, list):
            self.problem(at + ("required",), "'training.required' must be a list",
                         "- {roles: [...], documents: [procedure, WI-001]}")
            required = []
        for index, entry in enumerate(required or []):
            where = at + ("required", index)
            need = self.check(entry, _TRAINING_NEED, where, "training requirement")
            need_roles: tuple[str, ...] = need["roles"] or ()  # type: ignore[assignment]
            need_people = tuple(email.lower() for email in need["people"] or ())  # type: ignore[attr-defined]
            documents: tuple[str, ...] = need["documents"] or ()  # type: ignore[assignment]
            for role in need_roles:
                if role not in roles:
                    self.problem(where, f"training requirement names unknown role '{role}'", "name a role under roles")
            for email in need_people:
                if email not in people:
                    self.problem(where, f"training requirement names {email}, who is not under any role",
                                 "list the person under a role first")
            for name in documents:
                if name not in types and (not re.fullmatch(r"[A-Z]{1,8}-\d+", name) or
                                          name.split("-")[0] not in prefixes):
                    self.problem(where, f"training requirement names '{name}', which is neither a document type "
                                 "nor a document id", "name a type under document_types, or an id such as SOP-001")
            if isinstance(entry, dict) and not need_roles and not need_people:
                self.problem(where, "training requirement names nobody", "add roles: [...] or people: [...]")
            needs.append(TrainingNeed(need_roles, need_people, documents, self.parsed.line(*where)))
        return TrainingPolicy(int(values["grace_days"] or 30), trainers, record_type, tuple(needs))  # type: ignore[call-overload]

    def roles(self, raw: dict[str, object]) -> dict[str, Role]:
        roles = {}
        for name, settings in raw.items():
            at = ("roles", name)
            values = self.check(settings, _ROLE, at, f"role '{name}'")
            people = []
            raw_people = values["people"]
            if raw_people is not None and not isinstance(raw_people, list):
                self.problem(at + ("people",), f"people of role '{name}' must be a list", "- {name: ..., email: ...}")
                raw_people = []
            for index, entry in enumerate(raw_people or []):
                person = self.check(entry, _PERSON, at + ("people", index), f"person in role '{name}'")
                if person["name"] and person["email"]:
                    keys = self.keys(person["signing_keys"] or (), at + ("people", index, "signing_keys"))  # type: ignore[arg-type]
                    people.append(Person(str(person["name"]), str(person["email"]), keys,
                                         self.handle(person["handle"], at + ("people", index, "handle"))))
            roles[name] = Role(name, str(values["title"] or name), tuple(people),
                               values["approves"] or (), values["disposes"] or ())  # type: ignore[arg-type]
        return roles

    def handle(self, raw: object, at: tuple[str | int, ...]) -> str:
        if not raw:
            return ""
        text = str(raw).strip()
        if not _HANDLE.fullmatch(text):
            self.problem(at, f"'{text}' is not a Git host user name", "write it as on GitHub or GitLab, e.g. @dana")
            return ""
        return text if text.startswith("@") else "@" + text

    def keys(self, listed: tuple[str, ...], at: tuple[str | int, ...]) -> tuple[str, ...]:
        found = []
        for number, text in enumerate(listed, 1):
            try:
                found.append(signing_keys.key_id(text))
            except signing_keys.BadKey as exc:
                self.problem(at, f"signing key {number}: {exc}", "paste the .pub file's line, or the fingerprint "
                             "from gpg --fingerprint")
        return tuple(found)

    def document_types(self, raw: dict[str, object], roles: dict[str, Role]) -> dict[str, DocType]:
        types = {}
        for name, settings in raw.items():
            at = ("document_types", name)
            values = self.check(settings, _DOC_TYPE, at, f"document type '{name}'")
            prefix, folder = str(values["prefix"] or ""), str(values["folder"] or "")
            if values["prefix"] and not re.fullmatch(r"[A-Z]{1,8}", prefix):
                self.problem(at + ("prefix",), f"prefix '{prefix}' must be 1-8 capital letters", "e.g. SOP")
            if values["folder"] and not _is_under(folder, "procedures"):
                self.problem(at + ("folder",), f"folder '{folder}' must be inside procedures/", "e.g. procedures/sop")
            approvals: tuple[str, ...] = values["approvals"] or ()  # type: ignore[assignment]
            for role in approvals:
                if role != OWNER and role not in roles:
                    self.problem(at + ("approvals",), f"type '{name}' requires approval by unknown role '{role}'",
                                 "name a role under roles, or 'owner'")
            types[name] = DocType(
                name, prefix, int(values["width"] or 3), folder.rstrip("/"),  # type: ignore[call-overload]
                str(values["label"] or name.replace("-", " ").capitalize()), int(values["review_months"] or 12),  # type: ignore[call-overload]
                approvals, values["sections"] or _DEFAULT_SECTIONS,  # type: ignore[arg-type]
            )
        return types

    def record_types(self, raw: dict[str, object]) -> dict[str, RecordType]:
        types = {}
        for name, settings in raw.items():
            at = ("record_types", name)
            values = self.check(settings, _RECORD_TYPE, at, f"record type '{name}'")
            prefix, folder = str(values["prefix"] or ""), str(values["folder"] or "")
            if values["prefix"] and not re.fullmatch(r"[A-Z]{1,8}", prefix):
                self.problem(at + ("prefix",), f"prefix '{prefix}' must be 1-8 capital letters", "e.g. NCR")
            if values["folder"] and not _is_under(folder, "records"):
                self.problem(at + ("folder",), f"folder '{folder}' must be inside records/", "e.g. records/audits")
            clauses: tuple[str, ...] = values["clauses"] or ()  # type: ignore[assignment]
            self.clauses(clauses, at + ("clauses",))
            types[name] = RecordType(name, prefix, folder.rstrip("/"), int(values["retention_years"] or 1),  # type: ignore[call-overload]
                                     str(values["procedure"] or ""), clauses)
        return types

    def mandatory(self, raw: object) -> tuple[Mandatory, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(("mandatory",), "'mandatory' must be a list", "- {clause: \"4.3\", what: ...}")
            return ()
        entries = []
        for index, entry in enumerate(raw):
            values = self.check(entry, _MANDATORY, ("mandatory", index), "mandatory entry")
            if values["clause"] and values["what"]:
                self.clauses((str(values["clause"]),), ("mandatory", index))
                entries.append(Mandatory(str(values["clause"]), str(values["what"]), str(values["kind"] or "document"),
                                         self.parsed.line("mandatory", index)))
        return tuple(entries)

    def clauses(self, clauses: tuple[str, ...], at: tuple[str | int, ...]) -> None:
        for clause in clauses:
            if not iso9001.is_clause(clause):
                self.problem(at, f"'{clause}' is not an ISO 9001:2015 clause", "use a clause number such as 7.5.3")


def _is_under(folder: str, top: str) -> bool:
    parts = folder.strip("/").split("/")
    return parts[0] == top and ".." not in parts
