"""The first message's code: source before tests, whole functions, within the budget."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from swe_agent.agent.snippets import about_tests, fit_whole, source_first
from swe_agent.solve.context import SnippetBudget, gather_context

QUIX_ISSUE = (
    "`gcd` in `python_programs/gcd.py` returns wrong results for some inputs, and "
    "`pytest python_testcases/test_gcd.py` fails. The tests are correct: fix the program."
)


@pytest.mark.parametrize(
    ("issue", "expected"),
    [
        (QUIX_ISSUE, False),
        ("median() is wrong for an even count", False),
        ("tests/test_io.py::test_roundtrip is flaky on Windows", True),
        ("Add tests for the CSV reader\n\nNothing covers quoting.", True),
        ("The test for parse_date is wrong: it expects UTC", True),
        ("conftest.py fixture leaks a temporary folder", True),
        ("pytest fails on import of pkg/io.py with Python 3.12", False),
        ("The test fails because parse_date is wrong", False),
    ],
)
def test_about_tests(issue: str, expected: bool) -> None:
    assert about_tests(issue) is expected


def test_source_first_keeps_the_ranks_within_each_group() -> None:
    ranked = ["tests/test_a.py:t1", "pkg/a.py:f", "conftest.py:fix", "pkg/b.py:g", "test_x.py:t"]
    path = lambda i: i.split(":")[0]  # noqa: E731
    assert source_first(ranked, path_of=path, tests_first=False) == [
        "pkg/a.py:f",
        "pkg/b.py:g",
        "tests/test_a.py:t1",
        "conftest.py:fix",
        "test_x.py:t",
    ]
    assert source_first(ranked, path_of=path, tests_first=True)[:3] == [
        "tests/test_a.py:t1",
        "conftest.py:fix",
        "test_x.py:t",
    ]


def test_fit_whole_skips_what_does_not_fit_and_cuts_only_a_lone_giant() -> None:
    assert fit_whole(["a" * 50, "b" * 80, "c" * 40], budget_chars=100, limit=3) == [
        "a" * 50,
        "c" * 40,
    ]
    assert fit_whole(["x", "y", "z"], budget_chars=100, limit=2) == ["x", "y"]
    (cut,) = fit_whole(["line\n" * 100], budget_chars=50, limit=3)
    assert cut.startswith("line\nline") and cut.endswith("more lines: view() the rest ...]")
    assert len(cut) < 120


def _repo(root: Path) -> Path:
    (root / "python_programs").mkdir(parents=True)
    (root / "python_testcases").mkdir()
    (root / "python_programs" / "gcd.py").write_text(
        "def gcd(a, b):\n    if b == 0:\n        return a\n"
        "    else:\n        return gcd(a % b, b)\n"
    )
    tests = "\n\n".join(
        f"def test_gcd_{i}():\n    assert gcd({i * 6}, {i * 4}) == {i * 2}" for i in range(1, 6)
    )
    (root / "python_testcases" / "test_gcd.py").write_text(
        f"from python_programs.gcd import gcd\n\n\n{tests}\n"
    )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def test_the_first_message_shows_the_program_before_its_tests(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "quix")
    context = gather_context(repo, QUIX_ISSUE, top=5, snippets=SnippetBudget(count=3, chars=6000))
    assert context.snippets[0].startswith("python_programs/gcd.py (the whole file)\n")
    assert "return gcd(a % b, b)" in context.snippets[0]  # whole
    assert len(context.snippets) == 2 and "test_gcd_5" in context.snippets[1]
    files = [loc["id"] for loc in context.locations if loc["kind"] == "file"]
    assert files[0] == "python_programs/gcd.py"


def test_an_issue_about_tests_shows_the_tests_first(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "quix")
    issue = "python_testcases/test_gcd.py: the gcd tests are flaky"
    context = gather_context(repo, issue, top=5, snippets=SnippetBudget(count=2, chars=6000))
    assert context.snippets[0].startswith("python_testcases/test_gcd.py (the whole file)")


def test_the_budget_bounds_the_code_shown(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "quix")
    context = gather_context(repo, QUIX_ISSUE, top=5, snippets=SnippetBudget(count=5, chars=200))
    assert sum(len(s) for s in context.snippets) <= 200
    assert context.snippets[0].startswith("python_programs/gcd.py (the whole file)\n")


def test_a_function_of_a_long_file_comes_alone(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "quix")
    notes = "".join(f"Note {i} on the algorithm.\n" for i in range(70))
    program = repo / "python_programs" / "gcd.py"
    program.write_text(program.read_text() + f'\n"""\n{notes}"""\n')
    context = gather_context(repo, QUIX_ISSUE, top=5, snippets=SnippetBudget(count=3, chars=6000))
    assert context.snippets[0].startswith("python_programs/gcd.py:gcd\n")
    assert "Note 3" not in context.snippets[0]
