"""The parse cache never hides a change: files are re-read when their size, time or inode differ."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import QmsFolder

from qms.cli import main

SOP1 = "procedures/sop/SOP-001-nonconformity.md"


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file's key trusted at once: the two seconds after a change in which a file is not cached (its
    status-change time, which no one can set back) are the passage of time these tests do not wait."""
    from qms.model import workspace

    monkeypatch.setattr(workspace, "SETTLE", -3600.0)


def check(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "-C", str(qms.root), "--as-of", "2026-06-01"])
    return code, capsys.readouterr().out


def test_a_changed_file_is_read_again(qms: QmsFolder, capsys: pytest.CaptureFixture[str], settled: None) -> None:
    (qms.root / ".git").mkdir()
    assert check(qms, capsys)[0] == 0
    assert (qms.root / ".git" / "qms-cache").is_file()
    target = qms.path(SOP1)
    text = target.read_text()
    target.write_text(text.replace("Record it on", "Write it on"))  # same size, new content
    code, out = check(qms, capsys)
    assert code == 1 and "QMS042" in out


def test_a_damaged_cache_is_rebuilt(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    (qms.root / ".git").mkdir()
    (qms.root / ".git" / "qms-cache").write_bytes(b"not a pickle")
    assert check(qms, capsys)[0] == 0


def test_recent_files_are_not_cached(qms: QmsFolder, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from qms.model import workspace

    (qms.root / ".git").mkdir()
    assert check(qms, capsys)[0] == 0  # every file was just written: none is kept
    assert not (qms.root / ".git" / "qms-cache").exists()
    monkeypatch.setattr(workspace, "SETTLE", -3600.0)  # an hour on, every one is, by a run that reads them all
    (qms.root / ".git" / "qms-folder-findings").unlink()
    assert check(qms, capsys)[0] == 0
    stored = pickle.loads((qms.root / ".git" / "qms-cache").read_bytes())["payload"]
    assert "procedures/manual/QM-001-quality-manual.md" in stored


def test_an_edit_that_restores_the_old_modification_time_is_seen(qms: QmsFolder, capsys: pytest.CaptureFixture[str],
                                                                 settled: None) -> None:
    (qms.root / ".git").mkdir()
    assert check(qms, capsys)[0] == 0
    target = qms.path(SOP1)
    stat = target.stat()
    target.write_text(target.read_text().replace("Record it on", "Rekord it on"))  # same size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old time, as an adversary would
    assert target.stat().st_size == stat.st_size and target.stat().st_mtime_ns == stat.st_mtime_ns
    code, out = check(qms, capsys)
    assert code == 1 and "QMS042" in out


def test_the_cache_format_names_the_parsers_source() -> None:
    from qms.model import cache

    assert cache.code_format("parse") != cache.code_format("history")
    assert cache.code_format("parse").startswith("qms-parse-")


def test_a_verdict_on_history_is_kept_by_commit_and_reused_only_when_the_clock_cannot_change_it(
        tmp_path: Path) -> None:
    from gitrepo import adopted_repo

    repo = adopted_repo(tmp_path)
    repo.edit("procedures/sop/SOP-001-nonconformity.md", "Record it on", "Write it on")
    repo.git("add", "-A")
    ahead = (repo.clock + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    repo.run("git", "commit", "-q", "--no-verify", "-m", "Dated ahead",
             env={"GIT_AUTHOR_DATE": ahead, "GIT_COMMITTER_DATE": ahead})
    first = repo.qms("verify", "--format", "json")
    assert "in the future" in first.stdout
    store = repo.root / ".git" / "qms-verdict-cache"
    assert not store.exists()  # history claims a time after now: the clock will change this verdict
    repo.at((repo.clock + timedelta(days=3)).isoformat())
    later = repo.qms("verify", "--format", "json")
    assert "in the future" not in later.stdout and store.is_file()
    assert repo.qms("verify", "--format", "json").stdout == later.stdout  # the kept verdict, the same facts
    store.write_bytes(b"damaged")
    assert repo.qms("verify", "--format", "json").stdout == later.stdout


def test_the_verdict_cache_format_names_the_rules_source() -> None:
    from qms.model import cache

    assert cache.code_format("verdicts", ("model", "gitlog", "rules")) != cache.code_format("verdicts")


def test_the_ledger_at_a_branchs_start_is_kept_for_the_next_ci_run(tmp_path: Path) -> None:
    from gitrepo import adopted_repo

    repo = adopted_repo(tmp_path)  # branch `work` off `adopted`
    repo.edit("procedures/sop/SOP-001-nonconformity.md", "Record it on", "Write it on")
    repo.commit("Edit on the branch", no_verify=True)
    base = repo.git("rev-parse", "adopted").stdout.strip()
    ledgers = repo.root / ".git" / "qms-ledgers"
    first = repo.qms("check", "--base", "adopted", "--format", "json")
    assert (ledgers / f"{base}.start").is_file()
    repo.edit("procedures/sop/SOP-001-nonconformity.md", "Write it on", "Note it on")
    repo.commit("Another edit", no_verify=True)
    assert repo.qms("check").returncode in (0, 1)  # HEAD's ledger, made from an earlier one
    assert (ledgers / f"{base}.start").is_file()
    (ledgers / f"{base}.start").write_bytes(b"damaged")
    again = repo.qms("check", "--base", "adopted", "--format", "json")
    assert again.returncode == first.returncode


def test_a_ledger_of_another_format_is_overwritten_in_place(tmp_path: Path) -> None:
    """A ledger of another format is never read, and the one made instead takes its place (else every command
    after an upgrade would walk all of history again)."""
    import pickle

    from gitrepo import adopted_repo

    repo = adopted_repo(tmp_path)
    head = repo.git("rev-parse", "HEAD").stdout.strip()
    ledgers = repo.root / ".git" / "qms-ledgers"
    assert repo.qms("check").returncode in (0, 1)
    kept = ledgers / f"{head}.ledger"
    assert kept.is_file()
    kept.write_bytes(pickle.dumps({"format": "qms-ledger-of-another-version", "payload": None}))
    assert repo.qms("check").returncode in (0, 1)
    assert pickle.loads(kept.read_bytes())["format"] != "qms-ledger-of-another-version"


def test_a_cache_format_names_the_code_of_subpackages_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verdicts depend on the transition rules in rules/change/: editing one must retire every kept verdict."""
    from qms.model import cache

    package = tmp_path / "qms"
    for rel in ("model/cache.py", "rules/links.py", "rules/change/signatures.py"):
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text("# one version\n")
    monkeypatch.setattr(cache, "__file__", str(package / "model" / "cache.py"))
    code_format = cache.code_format.__wrapped__  # not the memo, which serves this process's real package
    before = code_format("verdicts", ("model", "rules"))
    (package / "rules/change/signatures.py").write_text("# another version\n")
    assert code_format("verdicts", ("model", "rules")) != before


def test_a_ledger_kept_by_another_version_of_the_tool_is_replaced(tmp_path: Path) -> None:
    """A ledger file of another format is never read, and the next run replaces it (rather than making HEAD's ledger
    again on every run)."""
    import pickle

    from gitrepo import adopted_repo

    from qms.model import cache

    repo = adopted_repo(tmp_path)
    head = repo.git("rev-parse", "HEAD").stdout.strip()
    first = repo.qms("check", "--format", "json")
    kept = repo.root / ".git" / "qms-ledgers" / f"{head}.ledger"
    stored = pickle.loads(kept.read_bytes())
    assert stored["format"] == cache.code_format("ledger", ("model", "gitlog", "rules"))
    kept.write_bytes(pickle.dumps({"format": "qms-ledger-0000000000000000", "payload": stored["payload"]}))
    assert repo.qms("check", "--format", "json").stdout == first.stdout
    assert pickle.loads(kept.read_bytes())["format"] == cache.code_format("ledger", ("model", "gitlog", "rules"))


def test_what_a_cache_loads_is_out_of_the_collectors_walks_only_while_a_command_runs(
        qms: QmsFolder, capsys: pytest.CaptureFixture[str], settled: None) -> None:
    import gc

    from qms.model import cache

    (qms.root / ".git").mkdir()
    assert check(qms, capsys)[0] == 0  # writes the parse cache
    assert gc.get_freeze_count() == 0  # the command gave everything back to the collector
    stored = cache.cache_file(str(qms.root), "qms-cache")
    with cache.settled():
        with cache.settled():
            assert cache.load(stored, cache.code_format("parse"))
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() > 0  # until the outermost block ends
    assert gc.get_freeze_count() == 0
    assert cache.load(stored, cache.code_format("parse")) and gc.get_freeze_count() == 0  # outside: left alone


@pytest.mark.parametrize("size", [0, 1, 40, 100])
def test_a_kept_ledger_table_answers_as_the_table_it_was(size: int) -> None:
    """A ledger table read a shard at a time (model.ledger.Kept) answers every question a dict answers as the table
    it was made from, whichever shards were read before."""
    from qms.model.ledger import Kept, pack

    table = {f"WI-{n:03d}": [n] for n in range(size)}
    configs: list[object] = []
    shards = pack(table, configs)  # type: ignore[arg-type]

    def kept() -> Kept:
        return Kept(list(shards), configs)  # type: ignore[arg-type]

    assert bool(kept()) == bool(table) and len(kept()) == size and dict(kept()) == table
    assert kept() == table and (kept() | {}) == table and ({} | kept()) == table and {**kept()} == table
    assert sorted(kept().items()) == sorted(table.items()) and set(kept()) == set(table)
    one = kept()
    assert one.get("WI-001") == table.get("WI-001") and ("WI-001" in one) == ("WI-001" in table)
    one["WI-999"] = [999]
    assert len(one) == size + 1 and one["WI-999"] == [999]
    emptied = kept()
    emptied.clear()
    assert len(emptied) == 0 and not emptied
    if size:
        popped = kept()
        popped.popitem()
        assert len(popped) == size - 1
    merged = kept()
    merged |= {"WI-999": [1]}
    assert len(merged) == size + 1
