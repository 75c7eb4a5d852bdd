"""The pure model: fingerprint, revision arithmetic, YAML reading, dates."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from qms.model import ids, revision
from qms.model.finding import FindingError
from qms.model.fingerprint import fingerprint
from qms.model.state import add_months
from qms.model.yamlread import load


def auditor_fingerprint(fields: dict[str, object], body: str) -> str:
    """The README's recipe, written out as an auditor would."""
    payload = dict(fields, body=body.replace("\r\n", "\n"), v=1)
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_fingerprint_matches_the_documented_recipe() -> None:
    body = "# Contrôle\n\nÉtape 1.\r\n"
    fields = {"id": "SOP-004", "title": "Control of Documented Information", "type": "procedure",
              "revision": "3", "effective": "2026-03-01"}
    ours = fingerprint("SOP-004", "Control of Documented Information", "procedure", "3", date(2026, 3, 1), body)
    assert ours == auditor_fingerprint(fields, body)


def test_fingerprint_worked_example_in_readme() -> None:
    """The README's worked example gives exactly this value."""
    body = "# Control of Documented Information\n\nEvery document is approved before use.\n"
    value = fingerprint("SOP-004", "Control of Documented Information", "procedure", "3", date(2026, 3, 1), body)
    readme = (pytest.importorskip("pathlib").Path(__file__).parent.parent / "README.md").read_text()
    assert value in readme


@pytest.mark.parametrize("changed", ["id", "title", "type", "revision", "effective", "body"])
def test_fingerprint_covers_each_controlled_field(changed: str) -> None:
    base = {"doc_id": "SOP-1", "title": "T", "doc_type": "procedure", "revision": "1",
            "effective": date(2026, 1, 1), "body": "x\n"}
    other = dict(base, **{{"id": "doc_id", "type": "doc_type"}.get(changed, changed): {
        "id": "SOP-2", "title": "U", "type": "form", "revision": "2", "effective": None, "body": "y\n"}[changed]})
    assert fingerprint(**base) != fingerprint(**other)  # type: ignore[arg-type]


def test_fingerprint_ignores_line_ending_style() -> None:
    assert fingerprint("A-1", "T", "form", "1", None, "a\r\nb\r\n") == fingerprint("A-1", "T", "form", "1", None,
                                                                                  "a\nb\n")


@pytest.mark.parametrize("scheme,current,following", [
    ("numeric", "1", "2"), ("numeric", "9", "10"), ("alpha", "A", "B"), ("alpha", "Z", "AA"),
    ("alpha", "AZ", "BA"), ("alpha", "ZZ", "AAA"),
])
def test_next_revision(scheme: str, current: str, following: str) -> None:
    assert revision.following(scheme, current) == following
    assert revision.ordinal(scheme, following) == revision.ordinal(scheme, current) + 1


def test_revision_validity() -> None:
    assert revision.is_valid("numeric", "12") and not revision.is_valid("numeric", "01")
    assert revision.is_valid("alpha", "AB") and not revision.is_valid("alpha", "a")
    assert revision.first("numeric") == "1" and revision.first("alpha") == "A"


def test_yaml_values_and_lines() -> None:
    parsed = load('id: SOP-1\nclauses: ["7.5"]\neffective: 2026-03-01\nn: 3\nok: true\nx: null\n', "f.md", 2)
    assert parsed.value == {"id": "SOP-1", "clauses": ["7.5"], "effective": date(2026, 3, 1), "n": 3, "ok": True,
                            "x": None}
    assert parsed.line("effective") == 4 and parsed.line("clauses", 0) == 3


@pytest.mark.parametrize("text", ["a: yes", "a: No", "a: ON", "a: 1.10", "a: 010", "a: 0o17", "a: 1_000",
                                  "a: 1:30", "a: 1e3", "a: .inf", "a: 0b11"])
def test_yaml_rejects_what_versions_read_differently(text: str) -> None:
    with pytest.raises(FindingError) as error:
        load(text, "f.md")
    assert error.value.finding.code == "QMS015"


@pytest.mark.parametrize("text", ['a: "yes"', "a: 'on'", "a: 1.5", "a: 10", "a: -3", "a: true", "a: 2026-03-01"])
def test_yaml_accepts_what_versions_agree_on(text: str) -> None:
    load(text, "f.md")


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


@pytest.mark.parametrize("item_id,width,canonical", [
    ("WI-004", 3, True), ("WI-1000", 3, True), ("WI-0004", 4, True), ("WI-0004", 3, False),
    ("WI-04", 3, False), ("WI-01000", 3, False), ("WI-000", 3, True), ("WI4", 3, False),
])
def test_an_id_has_one_canonical_form_per_number(item_id: str, width: int, canonical: bool) -> None:
    assert ids.is_canonical(item_id, width) is canonical


def test_ids_that_differ_only_in_leading_zeros_are_the_same_id() -> None:
    assert ids.identity("WI-0004") == ids.identity("WI-004") == ids.identity("WI-4")
    assert ids.identity("WI-004") != ids.identity("WI-040") and ids.identity("WI-004") != ids.identity("SOP-004")
