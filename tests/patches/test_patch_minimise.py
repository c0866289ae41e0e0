"""Minimisation drops whitespace-only hunks and scratch files; the result still applies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from patches_testlib import APP

from patches import DropReason, minimise, parse_patch, validate

MakePatch = Callable[[dict[str, str | bytes | None]], str]

FIXED = APP.replace(
    "return a / b", "if b == 0:\n        raise ZeroDivisionError('b')\n    return a / b"
)


def test_whitespace_only_hunks_are_dropped_and_the_rest_applies(repo: Path, make_patch: MakePatch):
    messy = FIXED.replace("return a + b", "return a + b   ").replace(
        "def neg(a):", "\n\ndef neg(a):"
    )
    text = make_patch({"src/app.py": messy, "notes.txt": "a  \nb\nc\n"})
    assert parse_patch(text).hunks == 4
    result = minimise(text)
    reasons = {(d.path, d.reason, d.hunk) for d in result.dropped}
    assert ("notes.txt", DropReason.WHITESPACE_ONLY, None) in reasons
    assert sum(d.path == "src/app.py" for d in result.dropped) == 2
    minimal = parse_patch(result.text)
    assert minimal.paths == ("src/app.py",)
    assert minimal.hunks == 1
    assert validate(result.text, repo).ok
    assert "raise ZeroDivisionError" in result.text


def test_a_reindent_in_python_is_not_whitespace_only(repo: Path, make_patch: MakePatch):
    text = make_patch(
        {"src/app.py": APP.replace("    return -a", "    if True:\n        return -a")}
    )
    reindent = make_patch({"src/app.py": APP.replace("    return a % b", "        return a % b")})
    assert minimise(text).text == text
    assert minimise(reindent).text == reindent


def test_leading_whitespace_is_cosmetic_outside_python(repo: Path, make_patch: MakePatch):
    text = make_patch({"notes.txt": "  a\nb\nc\n"})
    assert minimise(text).text == ""


def test_scratch_files_are_dropped_unless_kept(repo: Path, make_patch: MakePatch):
    text = make_patch(
        {
            "src/app.py": FIXED,
            "reproduce_bug.py": "import app\n",
            "test_issue_12.py": "def test(): pass\n",
            "src/app.py.orig": APP,
            "scratch/notes.md": "thinking\n",
            "tests/test_issue_12.py": "def test(): pass\n",
        }
    )
    result = minimise(text)
    dropped = {d.path for d in result.dropped if d.reason == DropReason.SCRATCH_FILE}
    assert dropped == {
        "reproduce_bug.py",
        "test_issue_12.py",
        "src/app.py.orig",
        "scratch/notes.md",
    }
    assert parse_patch(result.text).paths == ("src/app.py", "tests/test_issue_12.py")
    assert validate(result.text, repo).ok
    kept = minimise(text, keep=["test_issue_12.py"])
    assert "test_issue_12.py" in parse_patch(kept.text).paths


def test_edits_to_existing_files_named_like_scratch_are_kept(repo: Path, make_patch: MakePatch):
    from patches_testlib import commit

    commit(repo, {"reproduce.py": "x = 1\n"}, "a tracked script")
    text = make_patch({"reproduce.py": "x = 2\n"})
    assert minimise(text).text == text


def test_binary_sections_survive_minimisation(repo: Path, make_patch: MakePatch):
    text = make_patch({"img.bin": bytes(range(256)), "notes.txt": "a \nb\nc\n"})
    result = minimise(text)
    assert "GIT binary patch" in result.text
    assert parse_patch(result.text).paths == ("img.bin",)
    assert validate(result.text, repo, allow_binary=True).ok


def test_nothing_to_drop_returns_the_same_text(repo: Path, make_patch: MakePatch):
    text = make_patch({"src/app.py": FIXED})
    result = minimise(text)
    assert result.text == text
    assert not result.changed
