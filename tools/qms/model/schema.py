"""Declarative schemas for front matter, checked once on load with file, line and key in every finding."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from .finding import Finding
from .yamlread import Parsed, Path


class Invalid(ValueError):
    """A value of the wrong kind; the message says what was expected."""


def _line(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("must be non-empty text")
    if "\n" in value.strip():
        raise Invalid("must be a single line")
    return value.strip()


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("must be non-empty text")
    return value.strip()


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid("must be a whole number of 1 or more")
    return value


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


def _date(value: object) -> date:
    if isinstance(value, datetime):
        raise Invalid("must be a date without a time (YYYY-MM-DD)")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid("must be a date YYYY-MM-DD")


def _utc_datetime(value: object) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid("must be a UTC date and time like 2026-02-20T10:31:00Z") from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise Invalid("must be a UTC date and time like 2026-02-20T10:31:00Z")
    return value.astimezone(timezone.utc)


def _revision(value: object) -> str:
    if isinstance(value, bool):
        raise Invalid("must be a number (1, 2, 3) or letters (A, B, ... AA)")
    if isinstance(value, int) and value >= 1:
        return str(value)
    if isinstance(value, str) and re.fullmatch(r"[A-Z]+|[1-9][0-9]*", value):
        return value
    raise Invalid("must be a number (1, 2, 3) or letters (A, B, ... AA)")


def _email(value: object) -> str:
    text = _line(value)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", text):
        raise Invalid("must be an email address")
    return text


def _fingerprint(value: object) -> str:
    text = _line(value)
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", text):
        raise Invalid("must be sha256: followed by 64 hex digits (written by qms approve)")
    return text


def _words(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid('must be a list, like ["7.5.2", "7.5.3"]')
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise Invalid(f"item {index + 1} ({item!r}) must be quoted text")
        items.append(item.strip())
    return tuple(items)


def _lines(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid("must be a list of lines")
    return tuple(_line(item) for item in value)


def one_of(*choices: str) -> Callable[[object], str]:
    """A converter accepting exactly one of `choices`."""

    def convert(value: object) -> str:
        if value not in choices:
            raise Invalid("must be one of " + ", ".join(choices))
        return str(value)

    return convert


LINE, TEXT, POSITIVE_INT, BOOLEAN, DATE, UTC_DATETIME = _line, _text, _positive_int, _boolean, _date, _utc_datetime
REVISION, EMAIL, FINGERPRINT, WORDS, LINES = _revision, _email, _fingerprint, _words, _lines
Converter = Callable[[object], object]


@dataclass(frozen=True)
class Key:
    """One key of a schema: how to convert its value, and whether it must be present."""

    convert: Converter
    required: bool = False


Schema = Mapping[str, Key]


@dataclass
class Checked:
    """Converted values (None where missing or invalid) and the findings of the check."""

    values: dict[str, object]
    findings: list[Finding]


def check(raw: object, schema: Schema, parsed: Parsed, path: str, at: Path = (), what: str = "front matter") -> Checked:
    """Check a mapping against `schema`: unknown keys (with a did-you-mean hint), missing keys, bad values."""
    out = Checked({name: None for name in schema}, [])
    if not isinstance(raw, dict):
        out.findings.append(Finding(path, parsed.line(*at), "QMS016", f"{what} must be a mapping of keys to values",
                                    "write key: value lines"))
        return out
    for key, value in raw.items():
        spec = schema.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(schema)
            out.findings.append(Finding(path, parsed.line(*at, key), "QMS020", f"unknown key '{key}' in {what}", hint))
            continue
        if value is None:
            continue
        try:
            out.values[key] = spec.convert(value)
        except Invalid as exc:
            out.findings.append(Finding(path, parsed.line(*at, key), "QMS022", f"'{key}' {exc}",
                                        f"correct the value of '{key}'"))
    for key, spec in schema.items():
        if spec.required and raw.get(key) is None:
            out.findings.append(Finding(path, parsed.line(*at), "QMS021", f"missing required key '{key}' in {what}",
                                        f"add '{key}:'"))
    return out


APPROVAL: Schema = {
    "name": Key(LINE, True),
    "email": Key(EMAIL, True),
    "role": Key(LINE, True),
    "meaning": Key(one_of("review", "approval", "obsoletion"), True),
    "at": Key(UTC_DATETIME, True),
    "fingerprint": Key(FINGERPRINT, True),
}

PERIODIC_REVIEW: Schema = {
    "name": Key(LINE, True),
    "email": Key(EMAIL, True),
    "at": Key(UTC_DATETIME, True),
    "outcome": Key(one_of("no-change", "revision-needed"), True),
    "note": Key(TEXT),
}

DOCUMENT: Schema = {
    "id": Key(LINE, True),
    "title": Key(LINE, True),
    "type": Key(LINE, True),
    "owner": Key(LINE, True),
    "revision": Key(REVISION, True),
    "status": Key(one_of("draft", "approved", "obsolete"), True),
    "effective": Key(DATE),
    "change": Key(TEXT),
    "obsoleted": Key(DATE),
    "reason": Key(TEXT),
    "superseded_by": Key(LINE),
    "clauses": Key(WORDS),
    "references": Key(WORDS),
    "review_months": Key(POSITIVE_INT),
    "training": Key(one_of("required", "not-required")),
    "approvals": Key(lambda value: value),
    "periodic_reviews": Key(lambda value: value),
}

RECORD: Schema = {
    "id": Key(LINE, True),
    "title": Key(LINE, True),
    "type": Key(LINE, True),
    "date": Key(DATE, True),
    "owner": Key(LINE, True),
    "procedure": Key(LINE, True),
    "form": Key(LINE),
    "corrects": Key(LINE),
    "training": Key(lambda value: value),
}

PERSON: Schema = {"name": Key(LINE, True), "email": Key(EMAIL, True)}

TRAINING: Schema = {
    "document": Key(LINE, True),
    "revision": Key(REVISION, True),
    "fingerprint": Key(FINGERPRINT, True),
    "method": Key(one_of("read-and-understood", "classroom", "on-the-job"), True),
    "trainee": Key(lambda value: value, True),
    "trainer": Key(lambda value: value),
}
