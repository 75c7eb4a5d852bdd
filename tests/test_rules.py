"""Each rule fires on the input it exists for and stays quiet on the nearest good input."""

from __future__ import annotations

from datetime import date
from typing import Callable

import pytest
from helpers import QmsFolder

from qms.cli import main

SOP1 = "procedures/sop/SOP-001-nonconformity.md"
QM1 = "procedures/manual/QM-001-quality-manual.md"
NCR1 = "records/ncr/NCR-001.md"
Change = Callable[[QmsFolder], None]


def edit(rel: str, old: str, new: str) -> Change:
    def change(qms: QmsFolder) -> None:
        text = qms.path(rel).read_text()
        assert old in text, text
        qms.path(rel).write_text(text.replace(old, new, 1))

    return change


def doc(*args: object, **kwargs: object) -> Change:
    return lambda qms: qms.document(*args, **kwargs)  # type: ignore[arg-type]


def record(*args: object, **kwargs: object) -> Change:
    return lambda qms: qms.record(*args, **kwargs)  # type: ignore[arg-type]


FIRES: list[tuple[str, Change, str]] = [
    ("QMS035", doc("SOP-003", "Welding", name="../forms/SOP-003-welding"), "procedures/forms/SOP-003-welding.md:4"),
    ("QMS041", doc("SOP-003", "Welding", owner="author", approvers=("author", "quality-manager")),
     "procedures/sop/SOP-003-welding.md:10"),
    ("QMS041", edit(SOP1, "role: \"production-manager\"", "role: \"quality-manager\""), f"{SOP1}:13"),
    ("QMS042", edit(SOP1, "Record it on", "Write it on"), f"{SOP1}:13"),
    ("QMS043", doc("SOP-003", "Welding", effective=None), "procedures/sop/SOP-003-welding.md:7"),
    ("QMS043", doc("SOP-003", "Welding", status="obsolete", extra={"reason": "Replaced."}),
     "procedures/sop/SOP-003-welding.md:7"),
    ("QMS046", edit(SOP1, "revision: 2", "revision: \"B\""), f"{SOP1}:6"),
    ("QMS047", edit(SOP1, 'change: "Clarified the steps."\n', ""), f"{SOP1}:6"),
    ("QMS048", edit(SOP1, "Pat Production", "Patricia Production"), f"{SOP1}:13"),
    ("QMS050", edit(SOP1, 'references: ["FRM-001"]', 'references: ["FRM-009"]'), f"{SOP1}:11"),
    ("QMS051", edit(SOP1, "FRM-001-nonconformity-report.md)", "FRM-001-report.md)"), f"{SOP1}:18"),
    ("QMS051", edit(SOP1, "../forms/FRM-001-nonconformity-report.md)", "../../../etc/passwd)"), f"{SOP1}:18"),
    ("QMS051", edit(SOP1, "../forms/FRM-001-nonconformity-report.md)", "../forms/Nonconformity Report.md)"),
     f"{SOP1}:18"),
    ("QMS052", doc("SOP-003", "Welding", extra={"references": ["SOP-002"]}), "procedures/sop/SOP-003-welding.md:9"),
    ("QMS052", lambda q: (q.document("SOP-004", "Old", status="obsolete", extra={"obsoleted": date(2026, 2, 1),
                          "reason": "Merged."}), q.document("SOP-003", "Welding", body="See [old](SOP-004-old.md).\n")),
     "procedures/sop/SOP-003-welding.md:12"),
    ("QMS053", doc("SOP-004", "Old", status="obsolete", extra={"obsoleted": date(2026, 2, 1), "reason": "Merged.",
                   "superseded_by": "SOP-099"}), "procedures/sop/SOP-004-old.md:11"),
    ("QMS053", lambda q: (q.document("SOP-003", "New", status="draft", effective=None), q.document(
        "SOP-004", "Old", status="obsolete", extra={"obsoleted": date(2026, 2, 1), "reason": "Merged.",
                                                    "superseded_by": "SOP-003"})), "procedures/sop/SOP-004-old.md:11"),
    ("QMS060", doc("SOP-003", "Welding", effective=date(2023, 1, 5)), "procedures/sop/SOP-003-welding.md:8"),
    ("QMS070", edit(QM1, 'clauses: ["4.3", "5.2"]', 'clauses: ["5.2"]'), "qms.yml:32"),
    ("QMS081", record("NCR-002", "Scratch", extra={"type": "complaint"}), "records/ncr/NCR-002.md:4"),
    ("QMS031", record("AUD-002", "Scratch"), "records/ncr/AUD-002.md:2"),
    ("QMS083", record("NCR-002", "Scratch", extra={"procedure": "SOP-099"}), "records/ncr/NCR-002.md:7"),
    ("QMS084", record("NCR-002", "Scratch", extra={"form": "FRM-099"}), "records/ncr/NCR-002.md:8"),
    ("QMS085", record("NCR-002", "Scratch", extra={"corrects": "NCR-099"}), "records/ncr/NCR-002.md:8"),
    ("QMS086", record("NCR-002", "Scratch", extra={"date": date(2019, 1, 1)}), "records/ncr/NCR-002.md:5"),
    ("QMS032", record("NCR-002", "Scratch", extra={"id": "NCR-001"}), "records/ncr/NCR-002.md:2"),
    ("QMS091", edit("qms.yml", "approves: [procedure]", "approves: [procedures]"), "qms.yml:20"),
]

QUIET: list[tuple[str, Change]] = [
    ("QMS035", lambda q: q.document("SOP-003", "Welding", name="welding/SOP-003-welding")),
    ("QMS041", doc("SOP-003", "Welding", owner="production-manager")),
    ("QMS042", edit(SOP1, "approvals:", "periodic_reviews:\n  - {name: Dana Quality, email: quality@example.com, "
                    "at: 2026-05-01T10:00:00Z, outcome: no-change}\napprovals:")),
    ("QMS042", edit(SOP1, 'status: "approved"', "status: approved  # a comment")),
    ("QMS043", doc("SOP-003", "Welding", status="draft", effective=None)),
    ("QMS046", doc("SOP-003", "Welding", revision=10)),
    ("QMS047", doc("SOP-003", "Welding", revision=1)),
    ("QMS050", doc("SOP-003", "Welding", extra={"references": ["SOP-001", "QM-001"]})),
    ("QMS051", doc("SOP-003", "Welding", body="[a](SOP-001-nonconformity.md#scope) [b](https://example.com/x.md) "
                   "[c](mailto:q@example.com)\n\n```\n[d](missing.md)\n```\n\nCode: `[e](missing.md)`.\n\n"
                   "[r1]: Other procedure.md\n")),  # text, as Python-Markdown reads it: no link
    ("QMS052", lambda q: (q.document("SOP-002", "Calibration", status="draft", effective=None),
                          q.document("SOP-003", "Welding", status="draft", effective=None,
                                     extra={"references": ["SOP-002"]}))),
    ("QMS053", lambda q: q.document("SOP-004", "Old", status="obsolete", extra={
        "obsoleted": date(2026, 2, 1), "reason": "Merged.", "superseded_by": "SOP-001"})),
    ("QMS060", doc("SOP-003", "Welding", effective=date(2023, 1, 5), extra={"periodic_reviews": [
        {"name": "Dana Quality", "email": "quality@example.com", "at": "2026-01-10T09:00:00Z",
         "outcome": "no-change"}]})),
    ("QMS070", edit(QM1, 'clauses: ["4.3", "5.2"]', 'clauses: ["4"]')),
    ("QMS081", record("NCR-002", "Scratch")),
    ("QMS083", record("NCR-002", "Scratch", extra={"procedure": "SOP-002"})),
    ("QMS084", record("NCR-002", "Scratch", extra={"form": "FRM-001"})),
    ("QMS085", record("NCR-002", "Scratch", extra={"corrects": "NCR-001"})),
    ("QMS086", record("NCR-002", "Scratch", extra={"date": date(2021, 1, 1)})),
    ("QMS032", record("NCR-002", "Scratch")),
    ("QMS015", edit("procedures/sop/SOP-002-calibration.md", 'title: "Calibration"', "title: 'yes'")),
    ("QMS091", edit("qms.yml", "approves: [procedure]", "approves: [procedure, form]")),
]


def check(qms: QmsFolder, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["check", "-C", str(qms.root), "--as-of", "2026-06-01", *args])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


@pytest.mark.parametrize("code,change,where", FIRES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FIRES)])
def test_rule_fires(qms: QmsFolder, capsys: pytest.CaptureFixture[str], code: str, change: Change,
                    where: str) -> None:
    change(qms)
    exit_code, lines = check(qms, capsys)
    assert any(line.startswith(f"{where}: {code} ") for line in lines), "\n".join(lines)
    warning = code in ("QMS060", "QMS086")
    assert exit_code == (0 if warning else 1) if code != "QMS091" else exit_code == 2


@pytest.mark.parametrize("code,change", QUIET, ids=[f"{c[0]}-{i}" for i, c in enumerate(QUIET)])
def test_rule_stays_quiet(qms: QmsFolder, capsys: pytest.CaptureFixture[str], code: str, change: Change) -> None:
    change(qms)
    exit_code, lines = check(qms, capsys)
    assert exit_code == 0, "\n".join(lines)
    assert not [line for line in lines if f": {code} " in line]


def test_baseline_is_clean(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code, lines = check(qms, capsys, "--strict")
    assert exit_code == 0, lines
    assert lines == ["qms check: 4 documents, 1 records: 0 errors, 0 warnings"]


def test_overdue_review_fails_only_with_strict(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    qms.document("SOP-003", "Welding", effective=date(2023, 1, 5))
    assert check(qms, capsys)[0] == 0
    exit_code, lines = check(qms, capsys, "--strict")
    assert exit_code == 1
    assert any(": QMS060 periodic review of SOP-003 was due on 2025-01-05" in line for line in lines)


def test_stale_approval_on_a_draft_is_a_warning(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    qms.document("SOP-003", "Welding", status="draft", effective=None, approvers=("quality-manager",))
    edit("procedures/sop/SOP-003-welding.md", "How welding", "How all welding")(qms)
    exit_code, lines = check(qms, capsys)
    assert exit_code == 0
    assert any(": QMS042 warning:" in line for line in lines)


def test_paths_limit_what_is_reported(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    edit(SOP1, "Record it on", "Write it on")(qms)
    assert check(qms, capsys, str(qms.root / "procedures/forms"))[0] == 0
    assert check(qms, capsys, str(qms.root / "procedures/sop"))[0] == 1


def test_json_output(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    edit(SOP1, "Record it on", "Write it on")(qms)
    assert main(["check", "-C", str(qms.root), "--format", "json", "--as-of", "2026-06-01"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"documents": 4, "records": 1, "errors": 3, "warnings": 0}
    assert [(f["path"], f["line"], f["code"], f["severity"]) for f in report["findings"]] == [
        (SOP1, 7, "QMS040", "error"), (SOP1, 13, "QMS042", "error"), (SOP1, 14, "QMS042", "error")]
