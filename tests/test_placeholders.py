"""Templates never filled in (QMS170) and active content (QMS176): a warning in a draft, an error once approved,
and qms approve refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import Repo
from helpers import QmsFolder, baseline

from qms.cli import main
from qms.model.active import active_content
from qms.model.placeholders import placeholders

SKELETON = "# Welding\n\n## Purpose\n\nTo be written.\n\n## Scope\n\n<Enter the scope here>\n"


@pytest.mark.parametrize("line,found", [
    ("To be written.", ["To be written"]),
    ("Owner: TBD", ["TBD"]),
    ("Company: [insert company name]", ["[insert company name]"]),
    ("<enter the scope here>", ["<enter the scope here>"]),
    ("Scope: to be defined by the owner.", ["to be defined"]),
    ("Dates TBC and TODO", ["TBC", "TODO"]),
])
def test_template_text_is_found(line: str, found: list[str]) -> None:
    assert [p.text for p in placeholders(f"# T\n\n{line}\n", 10)] == found
    assert {p.line for p in placeholders(f"# T\n\n{line}\n", 10)} == {12}


@pytest.mark.parametrize("line", [
    "The torque is stated on the drawing.",
    "See [insert mode](https://example.com/insert) of the editor.",  # a link, not a gap
    "Type `TBD` in the field when the value is unknown.",
    "```\n<enter value>\nTBD\n```",
    "Use a <strong>torque</strong> wrench.",
    "The word tbd in lower case is text.",
])
def test_filled_in_text_is_not_a_placeholder(line: str) -> None:
    assert placeholders(f"# T\n\n{line}\n", 1) == []


def check(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check", "-C", str(qms.root), "--as-of", "2026-06-01"])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def line_of(qms: QmsFolder, rel: str, text: str) -> int:
    return qms.path(rel).read_text().split("\n").index(text) + 1


def test_a_draft_skeleton_is_a_warning(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    rel = qms.document("SOP-003", "Welding", status="draft", effective=None, body=SKELETON)
    code, lines = check(qms, capsys)
    assert code == 0, lines
    assert f"{rel}:{line_of(qms, rel, 'To be written.')}: QMS170 warning: SOP-003 still holds template text 'To be written' " \
           "(write the real content (or delete the line) before it is approved)" in lines, lines
    assert any(line.startswith(f"{rel}:{line_of(qms, rel, '<Enter the scope here>')}: QMS170 ") for line in lines)
    assert lines[-1].endswith("0 errors, 2 warnings")


def test_an_approved_skeleton_is_an_error(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    rel = qms.document("SOP-003", "Welding", body=SKELETON)
    code, lines = check(qms, capsys)
    assert code == 1
    assert any(line.startswith(f"{rel}:{line_of(qms, rel, 'To be written.')}: QMS170 ") for line in lines), lines
    assert lines[-1].endswith("2 errors, 0 warnings")


def test_a_filled_in_document_is_quiet(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    qms.document("SOP-003", "Welding", body="# Welding\n\n## Purpose\n\nHow welds are made and checked.\n")
    code, lines = check(qms, capsys)
    assert code == 0 and not [line for line in lines if "QMS170" in line], lines


def test_approve_refuses_a_skeleton(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin")
    repo.commit("Adopt", no_verify=True)
    repo.become("author")
    created = repo.qms("new", "procedure", "Welding", "--owner", "production-manager", check=True)
    assert "created procedures/sop/SOP-003-welding.md" in created.stdout
    repo.commit("Draft SOP-003")
    repo.become("production-manager")
    before = repo.read("procedures/sop/SOP-003-welding.md")
    refused = repo.qms("approve", "SOP-003", "--effective", "2026-04-01")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "refused, and nothing was written" in refused.stderr and "QMS170" in refused.stderr
    assert repo.read("procedures/sop/SOP-003-welding.md") == before


@pytest.mark.parametrize("line,found", [
    ('<script>document.title = "x"</script>', ["<script>"]),
    ('<img src=x onerror="alert(1)">', ["onerror= on <img>"]),
    ("<IFRAME src=https://example.com></IFRAME>", ["<iframe>"]),
    ("[Open](javascript:alert(1))", ['href="javascript:" on <a>']),
    ('<a href="javascript:void(0)">x</a>', ['href="javascript:" on <a>']),
    ("<style>.qms-control { display: none }</style>", ["<style>"]),
    ('<a href="java&#115;cript&colon;alert(1)">x</a>', ['href="javascript:" on <a>']),  # as the browser decodes it
    ("[h]: javascript:alert(1)\n\nSee [help][h].", ['href="javascript:" on <a>']),
    ('[help](https://example.com){: onclick="alert(1)" }', ["onclick= on <a>"]),  # attr_list writes attributes
    ("<svg/onload=alert(1)>", ["onload= on <svg>"]),
    ('<div style="position:fixed;top:0">Other text</div>', ["style= on <div>"]),
    ("Unbalanced: `<script>alert(1)</script>`` end", ["<script>"]),
])
def test_active_content_is_found(line: str, found: list[str]) -> None:
    assert [a.text for a in active_content(f"# T\n\n{line}\n", 10)] == found
    assert {a.line for a in active_content(f"# T\n\n{line}\n", 10)} == {12}


def test_a_tag_split_over_lines_is_found_where_it_is_written() -> None:
    found = active_content('# T\n\nText.\n\n<img src="x.png"\nonerror="alert(1)">\n', 10)
    assert [(a.text, a.line) for a in found] == [("onerror= on <img>", 15)]


@pytest.mark.parametrize("line", [
    "Use a <strong>torque</strong> wrench, 5 < 6 and 7 > 2.",
    "Type `<script>` in the field only when the form asks for it.",
    "```html\n<script>alert(1)</script>\n```",
    "See [the drawing](drawings/d1.png) and <https://example.com/help>.",
    "The data: column holds the readings; javascript is a language.",
    "<table><tr><td>Online</td></tr></table>",
    "Write &lt;script&gt; in the log: the reader sees the text, not a script.",
    "Mix 3:1 &amp; stir; see [help](https://example.com/help).",
    "Reject the part if the torque < base torque, or the count < form limit.",
    "Fill in {the blank} and ![the photo](data:image/png;base64,iVBORw0KGgo=).",
])
def test_text_and_markup_are_not_active_content(line: str) -> None:
    assert active_content(f"# T\n\n{line}\n", 1) == []


def test_active_content_is_an_error_once_approved(qms: QmsFolder, capsys: pytest.CaptureFixture[str]) -> None:
    body = "# Welding\n\n## Purpose\n\nHow welds are made.\n\n<script>document.title = 'x'</script>\n"
    rel = qms.document("SOP-003", "Welding", body=body)
    draft = qms.document("SOP-004", "Brazing", status="draft", effective=None, body=body.replace("Welding", "Brazing"))
    code, lines = check(qms, capsys)
    assert code == 1, lines
    at = line_of(qms, rel, "<script>document.title = 'x'</script>")
    assert any(line.startswith(f"{rel}:{at}: QMS176 SOP-003 holds active content '<script>'") for line in lines)
    at = line_of(qms, draft, "<script>document.title = 'x'</script>")
    assert any(line.startswith(f"{draft}:{at}: QMS176 warning:") for line in lines), lines


def test_approve_refuses_active_content(tmp_path: Path) -> None:
    """A draft's active content is a warning for CI; approving it is refused as the hook would refuse it, and
    nothing is written."""
    repo = Repo(tmp_path / "qms", tmp_path / "home")
    baseline(repo.root)
    repo.become("admin")
    repo.commit("Adopt", no_verify=True)
    repo.become("author")
    repo.qms("new", "procedure", "Welding", "--owner", "production-manager", check=True)
    rel = "procedures/sop/SOP-003-welding.md"
    repo.write(rel, repo.read(rel).replace("To be written.", "Weld as drawn.") +
               '\n<img src="x.png" onerror="alert(1)">\n')
    repo.commit("Draft SOP-003", no_verify=True)
    staged = repo.qms("check", "--base", "HEAD~1")
    assert "QMS176 warning" in staged.stdout + staged.stderr  # a draft: a warning
    repo.become("production-manager")
    before = repo.read(rel)
    refused = repo.qms("approve", "SOP-003", "--effective", "2026-04-01")
    assert refused.returncode == 1 and "QMS176" in refused.stderr and repo.read(rel) == before
