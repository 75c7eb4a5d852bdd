"""Each change-control rule fires on the change it exists for and stays quiet on the nearest honest change."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

import pytest
from gitrepo import Repo
from helpers import QmsFolder, approval, baseline

SOP1 = "procedures/sop/SOP-001-nonconformity.md"
SOP2 = "procedures/sop/SOP-002-calibration.md"
NCR1 = "records/ncr/NCR-001.md"
LOG = "records/disposition-log.csv"
Step = Callable[[Repo, QmsFolder], None]


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Repo, QmsFolder]:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    qms = baseline(repo.root)
    repo.become("admin", "Ada Admin", "admin@example.com")
    repo.commit("Adopt")
    return repo, qms


def revise_sop1(repo: Repo, qms: QmsFolder, to: int = 3, change: str = "New step.") -> None:
    text = repo.read(SOP1)
    text = text.replace("revision: 2", f"revision: {to}").replace('status: "approved"', 'status: "draft"')
    text = text.replace('change: "Clarified the steps."', f'change: "{change}"').replace("effective: 2026-01-05\n", "")
    repo.write(SOP1, text.split("approvals:")[0] + "---\n" + text.split("---\n", 2)[2])


def sign(repo: Repo, rel: str, role: str, meaning: str = "approval") -> None:
    """Append a correctly fingerprinted approval by `role`, as qms approve would."""
    from qms.model.document import parse_document

    doc = parse_document(repo.read(rel), rel).item
    assert doc is not None
    fields = {"id": doc.id, "title": doc.title, "type": doc.type, "revision": doc.revision, "effective": doc.effective}
    entry = approval(fields, doc.body, role, meaning, at=repo.clock.strftime("%Y-%m-%dT%H:%M:%SZ"))
    text = repo.read(rel)
    head, _, body = text[4:].partition("\n---\n")
    lines = head + ("\napprovals:" if "approvals:" not in head else "")
    entry_text = "{" + ", ".join(f'{key}: "{value}"' for key, value in entry.items()) + "}"
    repo.write(rel, "---\n" + lines + "\n  - " + entry_text + "\n---\n" + body)


def staged(repo: Repo, who: str = "author") -> tuple[int, str]:
    repo.become(who)
    repo.git("add", "-A")
    result = repo.qms("check", "--staged", "--as-of", "2026-06-01")
    return result.returncode, result.stdout + result.stderr


def commit_as(repo: Repo, who: str, message: str) -> None:
    repo.become(who)
    repo.commit(message, no_verify=True)


FIRES: list[tuple[str, Step, str]] = [
    ("QMS100", lambda r, q: r.edit(SOP1, "Record it on", "Write it on"), SOP1),
    ("QMS100", lambda r, q: r.edit(SOP1, "effective: 2026-01-05", "effective: 2026-02-05"), SOP1),
    ("QMS101", lambda r, q: revise_sop1(r, q, to=4), SOP1),
    ("QMS101", lambda r, q: (r.edit(SOP2, "revision: 1", "revision: 2\nchange: \"x\"")), SOP2),
    ("QMS102", lambda r, q: revise_sop1(r, q, change="Clarified the steps."), SOP1),
    ("QMS103", lambda r, q: r.git("mv", SOP1, "SOP-001.md"), SOP1),
    ("QMS104", lambda r, q: (r.git("rm", "-q", SOP2), commit_as(r, "author", "rm"),
                             q.document("SOP-002", "Reborn", status="draft", effective=None)),
     "procedures/sop/SOP-002-reborn.md"),
    ("QMS105", lambda r, q: r.edit(SOP2, 'id: "SOP-002"', 'id: "SOP-009"'), SOP2),
    ("QMS106", lambda r, q: (q.document("SOP-004", "Old", status="obsolete", extra={
        "obsoleted": date(2026, 2, 1), "reason": "Merged."}), commit_as(r, "admin", "add"),
        r.edit("procedures/sop/SOP-004-old.md", 'status: "obsolete"', 'status: "approved"')),
     "procedures/sop/SOP-004-old.md"),
    ("QMS113", lambda r, q: (r.write(LOG, "id,path\nNCR-000,records/ncr/NCR-000.md\n"), commit_as(r, "admin", "log"),
                             r.write(LOG, "id,path\n")), LOG),
    ("QMS113", lambda r, q: r.write(LOG, "id,path\nNCR-001,records/ncr/NCR-001.md\n"), LOG),  # not removed
    ("QMS113", lambda r, q: (r.git("rm", "-q", NCR1), r.write(
        LOG, "id,path,title,type,date,retain_until,disposed_at,name,email,reason\n"
        "NCR-001,records/ncr/NCR-001.md,Something else,nonconformity,2026-03-01,2032-03-01,2033-06-01T09:00:00Z,"
        "Dana Quality,quality@example.com,Retention ended.\n")), LOG),
    ("QMS112", lambda r, q: (r.git("rm", "-q", NCR1), r.write(LOG, "id,path\nNCR-001,records/ncr/NCR-001.md\n")),
     NCR1),
    ("QMS120", lambda r, q: sign(r, SOP2, "quality-manager", "review"), SOP2),
    ("QMS121", lambda r, q: (revise_sop1(r, q), commit_as(r, "quality-manager", "revise"),
                             r.edit(SOP1, 'status: "draft"', 'status: "draft"\neffective: 2026-05-01'),
                             commit_as(r, "author", "date"), sign(r, SOP1, "quality-manager")), SOP1),
]

QUIET: list[tuple[str, Step, str]] = [
    ("QMS100", lambda r, q: r.edit(SOP2, "How calibration", "How all calibration"), "author"),
    ("QMS101", lambda r, q: revise_sop1(r, q, to=3), "author"),
    ("QMS102", lambda r, q: revise_sop1(r, q, change="Added a step."), "author"),
    ("QMS103", lambda r, q: ((r.root / "procedures/sop/nc").mkdir(), r.git("mv", SOP1, "procedures/sop/nc/")),
     "author"),
    ("QMS104", lambda r, q: q.document("SOP-003", "Welding", status="draft", effective=None), "author"),
    ("QMS106", lambda r, q: r.edit(SOP2, 'status: "draft"', 'status: "draft"  # still drafting'), "author"),
    ("QMS110", lambda r, q: q.record("NCR-002", "Scratch", extra={"corrects": "NCR-001"}), "author"),
    ("QMS112", lambda r, q: (r.at("2033-06-01"), r.git("rm", "-q", NCR1), r.write(
        LOG, "id,path,title,type,date,retain_until,disposed_at,name,email,reason\n"
        "NCR-001,records/ncr/NCR-001.md,Burr on bracket,nonconformity,2026-03-01,2032-03-01,2033-06-01T09:00:00Z,"
        "Dana Quality,"
        "quality@example.com,Retention ended.\n")), "quality-manager"),
    ("QMS113", lambda r, q: (r.write(LOG, "id,path\n"), commit_as(r, "admin", "log"),
                             r.write(LOG, "id,path\n\n")), "author"),  # nothing stated; the lawful disposal: QMS112
    ("QMS120", lambda r, q: sign(r, SOP2, "quality-manager", "review"), "quality-manager"),
    ("QMS121", lambda r, q: (revise_sop1(r, q), r.edit(SOP1, 'status: "draft"', 'status: "draft"\n'
                             'effective: 2026-05-01'), commit_as(r, "author", "revise"), sign(r, SOP1,
                             "quality-manager")), "quality-manager"),
]


@pytest.mark.parametrize("code,step,where", FIRES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FIRES)])
def test_change_rule_fires(repo: tuple[Repo, QmsFolder], code: str, step: Step, where: str) -> None:
    git_repo, qms = repo
    step(git_repo, qms)
    as_of = "2026-06-01"  # NCR-001 is retained until 2032
    git_repo.become("quality-manager" if code == "QMS121" else "author")
    git_repo.git("add", "-A")
    result = git_repo.qms("check", "--staged", "--as-of", as_of)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert any(line.startswith(where + ":") and f" {code} " in line for line in output.splitlines()), output


@pytest.mark.parametrize("code,step,who", QUIET, ids=[f"{c[0]}-{i}" for i, c in enumerate(QUIET)])
def test_change_rule_stays_quiet(repo: tuple[Repo, QmsFolder], code: str, step: Step, who: str) -> None:
    git_repo, qms = repo
    step(git_repo, qms)
    as_of = "2033-06-01" if code == "QMS112" else "2026-06-01"
    git_repo.become(who)
    git_repo.git("add", "-A")
    result = git_repo.qms("check", "--staged", "--as-of", as_of)
    output = result.stdout + result.stderr
    assert f" {code} " not in output, output
    assert result.returncode in (0, 1)
    assert not [line for line in output.splitlines() if " QMS1" in line], output


def test_new_never_reuses_the_id_of_a_deleted_document(repo: tuple[Repo, QmsFolder]) -> None:
    git_repo, _qms = repo
    git_repo.git("rm", "-q", SOP2)
    commit_as(git_repo, "admin", "Remove the draft")
    created = git_repo.qms("new", "procedure", "Welding", check=True)
    assert "SOP-003" in created.stdout
