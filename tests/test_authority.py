"""Who may sign is itself controlled: qms.yml has a history, each act is judged by the qms.yml in force at its
parent, changing qms.yml is an administrator's signed, explained change, and a signature counts only when made
with a key of the person it names. Every scenario is real commits (signed with real ssh-keygen keys), judged by
the hook, CI and verify alike, and by the static check and the state the manual publishes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo, adopted_repo, findings
from helpers import PEOPLE

SOP1 = "procedures/sop/SOP-001-nonconformity.md"
QMS = "qms.yml"
OUTSIDER = PEOPLE["outsider"]

needs_ssh = pytest.mark.skipif(not __import__("shutil").which("ssh-keygen"), reason="needs ssh-keygen")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return adopted_repo(tmp_path)


def codes(found: list[dict[str, object]], commit: str | None = None) -> set[tuple[object, object]]:
    """(code, document) of every error, at `commit` if given ("" for findings about the tree, which name the
    file rather than the document)."""
    return {(f["code"], f["doc"] or f["path"]) for f in found if f["severity"] == "error"
            and (commit is None or (f["commit"] or "") == commit)}


def history_views(repo: Repo, commit: str) -> list[set[tuple[object, object]]]:
    """What CI and verify report at `commit`."""
    return [codes(findings(repo, "check", "--base", "adopted"), commit),
            codes(findings(repo, "verify", "--since", "adopted"), commit)]


def head(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").stdout.strip()


def configure(repo: Repo, who: str, old: str, new: str, why: str | None = "Because the organisation changed.",
              hook: bool = False) -> str:
    """`who` edits qms.yml and commits it (with a Config-Change trailer unless `why` is None); the commit id."""
    repo.edit(QMS, old, new)
    repo.become(who)
    message = "Configuration" + (f"\n\nConfig-Change: {why}" if why else "")
    repo.commit(message, QMS, no_verify=not hook)
    return head(repo)


def add_person(role: str, person: tuple[str, str], keys: tuple[str, ...] = ()) -> tuple[str, str]:
    """The qms.yml edit that adds `person` to `role`'s people (first in the list)."""
    anchor = {"quality-manager": "people: [{name: Dana Quality",
              "production-manager": "people: [{name: Pat Production"}[role]
    listed = f", signing_keys: [{', '.join(json.dumps(k) for k in keys)}]" if keys else ""
    return anchor, f"people: [{{name: {person[0]}, email: {person[1]}{listed}}}, {{name: " + anchor.split("{name: ")[1]


def with_key(repo: Repo, role: str, key: str) -> tuple[str, str]:
    """The qms.yml edit that registers `key` as the signing key of the person holding `role`."""
    name, email = PEOPLE[role]
    return f"{{name: {name}, email: {email}}}", f"{{name: {name}, email: {email}, signing_keys: [\"{key}\"]}}"


def revise(repo: Repo, who: str = "author") -> None:
    repo.become(who)
    repo.qms("revise", "SOP-001", "--change", "Quarantine first.", check=True)
    repo.edit(SOP1, "Record it on", "Quarantine it. Record it on")
    repo.commit("Revise SOP-001", no_verify=True)


def sign_by_hand(repo: Repo, name: str, email: str, role: str) -> None:
    """An approval entry over SOP-001's current content, written as only qms approve should write it."""
    from qms.model.document import parse_document

    doc = parse_document(repo.read(SOP1), SOP1).item
    assert doc is not None
    at = repo.clock.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = repo.read(SOP1)
    entry = (f"approvals:\n  - {{name: {name}, email: {email}, role: {role}, meaning: approval, at: {at}, "
             f"fingerprint: \"{doc.fingerprint}\"}}\n")
    repo.write(SOP1, text.replace("approvals:\n", entry, 1) if "approvals:\n" in text else
               text.replace("\n---\n", "\n" + entry + "---\n", 1))


def set_approved(repo: Repo, extra: str = "") -> None:
    """Flip SOP-001's status to approved by hand (quoted or not), adding `extra` lines after it."""
    text = repo.read(SOP1)
    form = 'status: "draft"' if 'status: "draft"' in text else "status: draft"
    repo.write(SOP1, text.replace(form, "status: approved" + extra, 1))


def approve(repo: Repo, who: str, *extra: str, check: bool = True) -> None:
    repo.become(who)
    repo.qms("approve", "SOP-001", *extra, "--commit", check=check)


def state(repo: Repo, doc_id: str) -> str:
    listed = json.loads(repo.qms("list", "--format", "json", check=True).stdout)
    rows = listed["documents"] if isinstance(listed, dict) else listed
    return next(row["state"] for row in rows if row["id"] == doc_id)


# -- authority judged at the time --------------------------------------------------------------------------------

def test_an_outsider_approval_is_reported_by_every_view(repo: Repo) -> None:
    revise(repo)
    repo.become("outsider", *OUTSIDER)
    sign_by_hand(repo, *OUTSIDER, "quality-manager")
    repo.git("add", "-A")
    assert ("QMS041", "SOP-001") in codes(findings(repo, "check", "--staged"), "")
    repo.commit("Approve", no_verify=True)
    for view in history_views(repo, head(repo)):
        assert ("QMS041", "SOP-001") in view


def test_self_promotion_in_the_same_commit_grants_nothing(repo: Repo) -> None:
    revise(repo, "deputy-quality")
    repo.become("author")
    repo.edit(QMS, *add_person("quality-manager", PEOPLE["author"]))
    sign_by_hand(repo, *PEOPLE["author"], "quality-manager")
    repo.git("add", "-A")
    staged = codes(findings(repo, "check", "--staged"), "")
    assert {("QMS150", QMS), ("QMS041", "SOP-001")} <= staged
    repo.commit("Promote myself\n\nConfig-Change: I approve now.", no_verify=True)
    for view in history_views(repo, head(repo)):
        assert {("QMS150", QMS), ("QMS041", "SOP-001")} <= view


def test_self_promotion_then_approval_stays_unauthorised(repo: Repo) -> None:
    revise(repo, "deputy-quality")
    promoted = configure(repo, "author", *add_person("quality-manager", PEOPLE["author"]))
    approve(repo, "production-manager", "--effective", "2026-04-01")
    repo.become("author")
    tree = repo.status()
    refused = repo.qms("approve", "SOP-001", "--commit")  # the promotion is not in force: no role to approve with
    assert refused.returncode != 0 and "holds no role that may approve" in refused.stderr and repo.status() == tree
    sign_by_hand(repo, *PEOPLE["author"], "quality-manager")
    set_approved(repo)
    repo.commit("Approve as promoted", no_verify=True)
    for view in history_views(repo, promoted):
        assert ("QMS150", QMS) in view
    for view in history_views(repo, head(repo)):
        assert ("QMS041", "SOP-001") in view
    assert ("QMS041", SOP1) in codes(findings(repo, "check"), "")
    assert state(repo, "SOP-001") == "invalid"


def test_an_approval_made_without_a_role_stays_invalid_after_the_role_is_granted(repo: Repo) -> None:
    revise(repo)
    approve(repo, "production-manager", "--effective", "2026-04-01")
    repo.become("purchasing-manager")
    sign_by_hand(repo, *PEOPLE["purchasing-manager"], "quality-manager")
    set_approved(repo)
    repo.commit("Approve before being appointed", no_verify=True)
    early = head(repo)
    configure(repo, "admin", *add_person("quality-manager", PEOPLE["purchasing-manager"]))
    for view in history_views(repo, early):
        assert ("QMS041", "SOP-001") in view
    assert ("QMS041", SOP1) in codes(findings(repo, "check"), "")
    assert state(repo, "SOP-001") == "invalid"


def test_an_approver_who_leaves_keeps_their_approvals(repo: Repo) -> None:
    revise(repo)
    approve(repo, "production-manager", "--effective", "2026-04-01")
    approve(repo, "quality-manager")
    assert state(repo, "SOP-001") in ("pending", "effective")
    configure(repo, "admin", "people: [{name: Pat Production, email: production@example.com}]",
              "people: [{name: Perry Newhire, email: perry@example.com}]", hook=True)
    assert codes(findings(repo, "check", "--base", "adopted")) == set()
    assert codes(findings(repo, "verify", "--since", "adopted")) == set()
    assert codes(findings(repo, "check")) == set()
    assert state(repo, "SOP-001") in ("pending", "effective")


def test_an_administrator_adds_an_approver_who_then_approves(repo: Repo) -> None:
    revise(repo)
    configure(repo, "admin", *add_person("production-manager", OUTSIDER), hook=True)
    repo.become("outsider", *OUTSIDER)
    repo.qms("approve", "SOP-001", "--role", "production-manager", "--effective", "2026-04-01", "--commit",
             check=True)
    approve(repo, "quality-manager")
    assert codes(findings(repo, "check", "--base", "adopted")) == set()
    assert codes(findings(repo, "verify", "--since", "adopted")) == set()


def test_an_approver_added_on_a_branch_may_approve_once_it_is_merged(repo: Repo) -> None:
    """A configuration change made and authorised on a branch comes into force on main with the merge, even
    when main moved on meanwhile (the merge keeps the branch's qms.yml)."""
    repo.git("checkout", "-q", "-b", "people")
    configure(repo, "admin", *add_person("production-manager", OUTSIDER), hook=True)
    repo.git("checkout", "-q", "work")
    revise(repo)  # main's line moves on meanwhile
    repo.become("admin")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "people")
    assert "Eve Outsider" in repo.read(QMS)
    repo.become("outsider", *OUTSIDER)
    done = repo.qms("approve", "SOP-001", "--role", "production-manager", "--effective", "2026-04-01", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr  # the hook judges it under the merged qms.yml
    approve(repo, "quality-manager")
    assert codes(findings(repo, "check", "--base", "adopted")) == set()
    assert codes(findings(repo, "verify", "--since", "adopted")) == set()


# -- changing qms.yml --------------------------------------------------------------------------------------------

def test_a_configuration_change_must_say_why(repo: Repo) -> None:
    quiet = configure(repo, "admin", "revision_scheme: numeric",
                      "revision_scheme: numeric  # a comment is not a change", why=None)
    silent = configure(repo, "quality-manager", "separation_of_duties: true", "separation_of_duties: false",
                       why=None)
    assert all(("QMS151", QMS) not in view for view in history_views(repo, quiet))
    for view in history_views(repo, silent):
        assert ("QMS151", QMS) in view
    said = configure(repo, "quality-manager", "separation_of_duties: false", "separation_of_duties: true")
    for view in history_views(repo, said):
        assert view == set()


def test_an_unreadable_or_deleted_qms_yml_is_reported(repo: Repo) -> None:
    broken = configure(repo, "admin", "revision_scheme: numeric", "revision_scheme: roman")
    configure(repo, "admin", "revision_scheme: roman", "revision_scheme: numeric")
    for view in history_views(repo, broken):
        assert ("QMS152", QMS) in view
    repo.git("rm", "-q", "--cached", QMS)
    repo.become("admin")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Drop it\n\nConfig-Change: gone")
    assert ("QMS152", QMS) in codes(findings(repo, "verify", "--since", "adopted"), head(repo))


def test_moving_verify_from_is_a_controlled_change(repo: Repo) -> None:
    tampered = "procedures/sop/SOP-001-nonconformity.md"
    repo.edit(tampered, "Record it on", "Throw it away. Record it on")
    repo.become("author")
    repo.commit("Tamper", no_verify=True)
    tamper = head(repo)
    moved = configure(repo, "author", "signed_approvals: false", f"signed_approvals: false\nverify_from: {tamper}")
    found = codes(findings(repo, "verify"))
    assert ("QMS150", QMS) in found  # the move itself is judged, so the tampering cannot be hidden by it
    assert ("QMS150", QMS) in codes(findings(repo, "verify"), moved)
    repo.git("reset", "-q", "--hard", tamper)
    configure(repo, "admin", "signed_approvals: false", f"signed_approvals: false\nverify_from: {tamper}")
    result = repo.qms("verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"verify_from was moved from the start of history to {tamper[:12]} by Ada Admin" in result.stderr
    assert "2 commits up to it are no longer verified" in result.stderr


def test_the_configuration_history_lists_every_change(repo: Repo) -> None:
    configure(repo, "admin", *add_person("production-manager", OUTSIDER), why="Eve joins production.")
    configure(repo, "author", "separation_of_duties: true", "separation_of_duties: false", why=None)
    result = repo.qms("config-history", "--format", "json", check=True)
    rows = json.loads(result.stdout)["changes"]
    assert [row["author"] for row in rows] == ["Ada Admin <admin@example.com>"] * 2 + \
        ["Alex Author <author@example.com>"]
    assert rows[1]["why"] == "Eve joins production." and rows[1]["in_force"] is True
    assert "roles.production-manager.people" in rows[1]["changed"]
    assert rows[2]["in_force"] is False and any(p.startswith("QMS150") for p in rows[2]["problems"])
    text = repo.qms("config-history", check=True).stdout
    assert "Eve joins production." in text and "not in force" in text
    repo.qms("audit", "--out", "pack", check=True)
    pack = json.loads((repo.root / "pack" / "audit.json").read_text())
    assert [row["commit"] for row in pack["configuration"]] == [row["commit"] for row in rows]
    assert "Eve joins production." in (repo.root / "pack" / "config-history.csv").read_text()


# -- signatures bound to keys ------------------------------------------------------------------------------------

def signing_repo(repo: Repo, *roles: str) -> str:
    """Give the administrator and each person in `roles` a real SSH key registered in qms.yml, then require
    signatures (an administrator's change); return the commit that switched signatures on."""
    for role in ("admin", *roles):
        repo.edit(QMS, *with_key(repo, role, repo.make_key(role)))
    configure(repo, "admin", "signed_approvals: false", "signed_approvals: true")
    return head(repo)


@needs_ssh
def test_signatures_must_be_made_with_the_signers_own_key(repo: Repo) -> None:
    signing_repo(repo, "production-manager", "quality-manager")
    revise(repo)
    approve(repo, "production-manager", "--effective", "2026-04-01")
    own = head(repo)
    repo.become("quality-manager")
    repo.sign_with("production-manager")  # Dana's approval, signed with Pat's key
    refused = repo.qms("approve", "SOP-001", "--commit")
    assert refused.returncode == 2 and "not a key qms.yml registers to quality@example.com" in refused.stderr
    assert repo.status() == ""
    repo.qms("approve", "SOP-001", check=True)
    repo.commit("Approve with another's key", no_verify=True)
    assert repo.git("-c", "gpg.ssh.allowedSignersFile=/dev/null", "log", "-1", "--format=%G?").stdout.strip() == "U"
    for view in history_views(repo, head(repo)):
        assert ("QMS139", "SOP-001") in view
    assert all(("QMS139", "SOP-001") not in view for view in history_views(repo, own))
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    proofs = {a["email"]: a["proof"] for r in history["revisions"] for a in r["approvals"] if a["commit"] in
              (own, head(repo))}
    assert proofs["production@example.com"] == "signed with the approver's key"
    assert proofs["quality@example.com"] == "not valid"


@needs_ssh
def test_a_key_nobody_registered_is_reported(repo: Repo) -> None:
    signing_repo(repo, "production-manager", "quality-manager")
    revise(repo)
    repo.make_key("stranger")
    repo.become("production-manager")
    repo.sign_with("stranger")
    repo.qms("approve", "SOP-001", "--effective", "2026-04-01", check=True)
    repo.commit("Approve with an unknown key", no_verify=True)
    for view in history_views(repo, head(repo)):
        assert ("QMS139", "SOP-001") in view


@needs_ssh
def test_the_author_cannot_sign_for_both_approvers(repo: Repo) -> None:
    signing_repo(repo, "production-manager", "quality-manager", "author")
    revise(repo)
    repo.become("author")
    sign_by_hand(repo, *PEOPLE["production-manager"], "production-manager")
    sign_by_hand(repo, *PEOPLE["quality-manager"], "quality-manager")
    set_approved(repo, "\neffective: 2026-04-01")
    repo.commit("Approve it all myself", no_verify=True)
    for view in history_views(repo, head(repo)):
        assert ("QMS120", "SOP-001") in view
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    latest = history["revisions"][-1]
    assert {a["proof"] for a in latest["approvals"]} == {"not valid"}


@needs_ssh
def test_a_rotated_key_keeps_old_approvals_and_signs_new_ones(repo: Repo) -> None:
    signing_repo(repo, "production-manager", "quality-manager")
    revise(repo)
    approve(repo, "production-manager", "--effective", "2026-04-01")
    approve(repo, "quality-manager")
    first = head(repo)
    old_key = repo.make_key("quality-manager")
    new_key = repo.make_key("quality-manager-2026")
    configure(repo, "admin", old_key, new_key)
    repo.qms("revise", "SOP-001", "--change", "Label it red.", check=True)
    repo.become("author")
    repo.edit(SOP1, "Quarantine it.", "Quarantine it. Label it red.")
    repo.commit("Revise again", no_verify=True)
    approve(repo, "production-manager", "--effective", "2026-05-01")
    repo.become("quality-manager")
    repo.sign_with("quality-manager")  # the retired key
    assert repo.qms("approve", "SOP-001", "--commit").returncode == 2
    repo.sign_with("quality-manager-2026")
    approve_new = repo.qms("approve", "SOP-001", "--commit")
    assert approve_new.returncode == 0, approve_new.stderr
    assert codes(findings(repo, "verify", "--since", "adopted")) == set()
    assert all(view == set() for view in history_views(repo, first))


@needs_ssh
def test_switching_signatures_off_later_does_not_forgive_earlier_unsigned_approvals(repo: Repo) -> None:
    signing_repo(repo, "production-manager", "quality-manager")
    revise(repo)
    repo.become("production-manager")
    repo.sign_with(None)
    repo.qms("approve", "SOP-001", "--effective", "2026-04-01", check=True)
    repo.commit("Approve unsigned", no_verify=True)
    unsigned = head(repo)
    configure(repo, "admin", "signed_approvals: true", "signed_approvals: false")
    for view in history_views(repo, unsigned):
        assert ("QMS136", "SOP-001") in view


@needs_ssh
def test_signatures_switched_on_mid_history(repo: Repo) -> None:
    revise(repo)
    approve(repo, "production-manager", "--effective", "2026-04-01")
    approve(repo, "quality-manager")
    signing_repo(repo, "production-manager", "quality-manager")
    repo.become("author")
    repo.qms("revise", "SOP-001", "--change", "Label it red.", check=True)
    repo.edit(SOP1, "Quarantine it.", "Quarantine it. Label it red.")
    repo.commit("Revise again", no_verify=True)
    approve(repo, "production-manager", "--effective", "2026-05-01")
    approve(repo, "quality-manager")
    assert codes(findings(repo, "verify", "--since", "adopted")) == set()
    assert codes(findings(repo, "check", "--base", "adopted")) == set()


@needs_ssh
def test_an_unsigned_configuration_change_grants_nothing_where_signatures_are_required(repo: Repo) -> None:
    signing_repo(repo, "production-manager", "quality-manager")
    repo.sign_with(None)
    repo.become("admin")
    repo.sign_with(None)
    repo.edit(QMS, *add_person("quality-manager", OUTSIDER))
    repo.commit("Add Eve\n\nConfig-Change: Eve approves.", no_verify=True)
    for view in history_views(repo, head(repo)):
        assert ("QMS136", QMS) in view
    rows = json.loads(repo.qms("config-history", "--format", "json", check=True).stdout)["changes"]
    assert rows[-1]["in_force"] is False


def test_a_qms_yml_that_names_no_administrator_is_warned_about(repo: Repo) -> None:
    assert all(f["code"] != "QMS092" for f in findings(repo, "check"))
    repo.edit(QMS, "administrators: [administrator, quality-manager]\n", "")
    warned = [f for f in findings(repo, "check") if f["code"] == "QMS092"]
    assert warned and warned[0]["severity"] == "warning"


@needs_ssh
@pytest.mark.skipif(not __import__("shutil").which("gpg"), reason="needs gnupg")
def test_a_gpg_key_listed_by_fingerprint_signs_like_an_ssh_key(repo: Repo) -> None:
    repo.run("gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", "Dana Quality <quality@example.com>",
             "ed25519", "sign", "never")
    listed = repo.run("gpg", "--batch", "--with-colons", "--list-secret-keys", "quality@example.com").stdout
    fingerprint = next(line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr:"))
    repo.edit(QMS, "{name: Dana Quality, email: quality@example.com}",
              f"{{name: Dana Quality, email: quality@example.com, signing_keys: [\"{fingerprint}\"]}}")
    signing_repo(repo, "production-manager")
    revise(repo)
    approve(repo, "production-manager", "--effective", "2026-04-01")
    repo.become("quality-manager")
    repo.git("config", "gpg.format", "openpgp")
    repo.git("config", "user.signingkey", fingerprint)
    repo.qms("approve", "SOP-001", "--commit", check=True)
    assert codes(findings(repo, "verify", "--since", "adopted")) == set()
    history = json.loads(repo.qms("history", "SOP-001", "--format", "json", check=True).stdout)
    assert {a["proof"] for a in history["revisions"][-1]["approvals"]} == {"signed with the approver's key"}
    repo.git("config", "user.signingkey", repo.home.joinpath("keys", "production-manager").as_posix())
    repo.git("config", "gpg.format", "ssh")
    refused = repo.qms("review", "FRM-001", "--commit")
    assert refused.returncode == 2 and "not a key qms.yml registers to quality@example.com" in refused.stderr
