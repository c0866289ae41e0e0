"""`bench make`'s first half: candidates mined from a real git history, no tests run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_world import git
from typer.testing import CliRunner

from common import is_test_path
from swe_agent.bench.history import examine, mine, split_patch
from swe_agent.bench.make import MakeOptions, make_dataset
from swe_agent.bench.make_instances import IssueBook
from swe_agent.cli import app

DATE = "2021-03-04T05:06:07Z"  # every commit is dated, so ids repeat from run to run


def _git(cwd: Path, *args: str, date: str = DATE) -> str:
    return git(cwd, *args, date=date)


def _commit(repo: Path, message: str, files: dict[str, str], **kw: str) -> str:
    """A commit of ``files``, each one a day after the one before (unless dated)."""
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    day = len(_git(repo, "rev-list", "--all").split()) + 1
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", message, **{"date": f"2021-01-{day:02d}T00:00:00Z", **kw})
    return _git(repo, "rev-parse", "HEAD")


ADD_BUG = "def add(a, b):\n    return a - b\n"
ADD = "def add(a, b):\n    return a + b\n"
TEST_ADD = "from calc.ops import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
PASS = "def test_x():\n    pass\n"


@pytest.fixture()
def history(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A small project whose history has every kind of commit."""
    repo = tmp_path / "calc"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    files = {"calc/ops.py": ADD_BUG, "tests/test_ops.py": "", "README.md": "calc\n"}
    c = {"base": _commit(repo, "start", files)}
    _git(repo, "tag", "v0.3.1")
    fix = {"calc/ops.py": ADD, "tests/test_ops.py": TEST_ADD}
    c["fix"] = _commit(repo, "Fix add\n\nadd() subtracted. Fixes #12.", fix)
    docs = {"README.md": "calc adds\n", "tests/test_ops.py": TEST_ADD + "# tested\n"}
    c["docs"] = _commit(repo, "Document add", docs)
    c["tests"] = _commit(repo, "More tests", {"tests/test_more.py": PASS})
    c["source"] = _commit(repo, "Refactor", {"calc/ops.py": ADD + "\n\nSUB = None\n"})
    _git(repo, "checkout", "-qb", "feature")
    sub = {"calc/ops.py": ADD + "\n\ndef sub(a, b):\n    return a - b\n", "calc/test_sub.py": PASS}
    feature = _commit(repo, "Add sub", sub)
    _git(repo, "checkout", "-q", "main")
    message = "Merge pull request #7 from someone/sub\n\nAdd sub()\n\nIt was missing."
    _git(repo, "merge", "-q", "--no-ff", feature, "-m", message)
    c["merge"] = _git(repo, "rev-parse", "HEAD")
    mul = {"calc/mul.py": "def mul(a, b):\n    return 0\n", "tests/test_mul.py": PASS}
    c["squash"] = _commit(repo, "Make mul (#9)", mul)
    return repo, c


def test_test_files_are_told_from_the_rest() -> None:
    assert is_test_path("tests/test_ops.py") and is_test_path("sympy/core/tests/test_basic.py")
    assert is_test_path("testing/python/raises.py") and is_test_path("test_requests.py")
    assert is_test_path("python_testcases/test_gcd.py") and is_test_path("pkg/conftest.py")
    assert is_test_path("tests/data/input.txt")  # a fixture the tests read
    assert not is_test_path("src/_pytest/python.py") and not is_test_path("sympy/core/basic.py")
    diff = _diff("calc/ops.py") + _diff("tests/test_ops.py") + _diff("docs/index.rst")
    patch, test_patch = split_patch(diff)
    assert "calc/ops.py" in patch and "tests/" not in patch
    assert "docs/index.rst" not in patch  # as SWE-bench's patches leave documentation out
    assert test_patch == _diff("tests/test_ops.py")


def _diff(path: str) -> str:
    return f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n"


def test_commits_become_candidates_or_say_why_not(history: tuple[Path, dict[str, str]]) -> None:
    repo, c = history
    git_dir = repo / ".git"
    found = {m.commit: m for m in mine(git_dir, commits=[f"{c['base']}..main"])}
    assert c["merge"] not in found  # merges are left out of a range; --from-prs reads them
    fix = found[c["fix"]].change
    assert fix is not None and fix.base_commit == c["base"] and fix.issue_numbers == (12,)
    assert "calc/ops.py" in fix.patch and "tests/test_ops.py" in fix.test_patch
    assert fix.created_at == "2021-01-02T00:00:00Z"
    assert found[c["docs"]].reason == "changes only documentation besides the tests"
    assert found[c["tests"]].reason == "changes only test files"
    assert found[c["source"]].reason == "changes no test file"
    assert examine(git_dir, c["base"]).reason.startswith("a root commit")


def test_merged_pull_requests_are_candidates(history: tuple[Path, dict[str, str]]) -> None:
    repo, c = history
    found = list(mine(repo / ".git", prs=True))
    assert [(m.commit, m.change.pull_number) for m in found if m.change] == [
        (c["merge"], 7), (c["squash"], 9)]  # fmt: skip
    merge = found[0].change
    assert merge is not None and merge.base_commit == c["source"]
    assert merge.message == "Add sub()\n\nIt was missing."  # the pull request's title and body
    assert "def sub" in merge.patch and "calc/test_sub.py" in merge.test_patch
    alone = examine(repo / ".git", c["merge"]).change  # one commit of --commits
    assert alone is not None and alone.pull_number == 7


def test_issue_texts_by_number_by_commit_or_the_message(
    history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, c = history
    fix = examine(repo / ".git", c["fix"]).change
    squash = examine(repo / ".git", c["squash"], pull_number=9).change
    assert fix is not None and squash is not None
    issues = tmp_path / "issues.jsonl"
    rows = [{"number": 12, "title": "add() is wrong", "body": "1 + 2 gives -1",
             "comments": [{"body": "confirmed"}]},
            {"commit": c["squash"][:10], "problem_statement": "mul() gives 0"}]  # fmt: skip
    issues.write_text("".join(json.dumps(r) + "\n" for r in rows))
    book = IssueBook.load(issues)
    text, source = book.for_change(fix)
    assert (text.text, text.hints, source) == ("add() is wrong\n1 + 2 gives -1", "confirmed",
                                               "issue #12")  # fmt: skip
    assert book.for_change(squash)[0].text == "mul() gives 0"
    assert IssueBook().for_change(fix)[0].text == "Fix add\n\nadd() subtracted. Fixes #12."


def test_a_local_repository_gives_a_dataset_and_a_mirror_without_tests(
    history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, c = history
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    options = MakeOptions(out=tmp_path / "made", mirrors=mirrors, commits=(f"{c['base']}..main",),
                          run_tests=False)  # fmt: skip
    summary = make_dataset(str(repo), options)
    feature = _git(repo, "rev-parse", "feature")  # in the range through the merge
    assert summary["repo"] == "local/calc"
    ids = [f"local__calc-{c['fix'][:12]}", f"local__calc-{feature[:12]}", "local__calc-9"]
    assert summary["kept"] == ids  # oldest first; a squash merge is named by its pull request
    made = tmp_path / "made"
    rows = [json.loads(line) for line in (made / "dataset.jsonl").read_text().splitlines()]
    assert rows[1]["fix_commit"] == feature
    assert rows[0]["base_commit"] == c["base"] and rows[0]["version"] == "0.3"  # its tag
    assert rows[0]["problem_statement"].startswith("Fix add")
    # One environment per version: the base of the version's latest instance.
    assert rows[0]["FAIL_TO_PASS"] == [] and rows[0]["environment_setup_commit"] == c["merge"]
    left_out = [json.loads(line) for line in (made / "rejected.jsonl").read_text().splitlines()]
    assert {r["commit"]: r["reason"] for r in left_out}[c["tests"]] == "changes only test files"
    # The mirror has the commits, for bench run and bench eval.
    mirror = mirrors / "local+calc" / "repo"
    assert _git(mirror, "cat-file", "-t", c["squash"]) == "commit"
    from swe_agent.bench import load_instances

    assert len(load_instances(made / "dataset.jsonl")) == 3


def test_the_command_says_what_is_missing(tmp_path: Path) -> None:
    runner = CliRunner()
    nothing = runner.invoke(app, ["bench", "make", str(tmp_path), "--out", str(tmp_path / "o"),
                                  "--repos", str(tmp_path)])  # fmt: skip
    assert nothing.exit_code == 2 and "--commits A..B or --from-prs" in _said(nothing.output)
    not_git = runner.invoke(app, ["bench", "make", str(tmp_path), "--commits", "a..b", "--out",
                                  str(tmp_path / "o"), "--repos", str(tmp_path)])  # fmt: skip
    assert not_git.exit_code == 2 and "is not a git repository" in _said(not_git.output)


def _said(output: str) -> str:
    return " ".join(output.split())


def test_fail_to_pass_and_pass_to_pass_from_two_runs() -> None:
    from swe_agent.bench.make_validate import changed_tests

    before = {"t::fixed": "FAILED", "t::kept": "PASSED", "t::broke": "PASSED",
              "t::skipped": "SKIPPED", "t::xfail": "XFAIL"}  # fmt: skip
    after = {"t::fixed": "PASSED", "t::kept": "PASSED", "t::broke": "FAILED",
             "t::skipped": "SKIPPED", "t::xfail": "XFAIL", "t::new": "PASSED"}  # fmt: skip
    fail_to_pass, pass_to_pass = changed_tests(before, after)
    assert fail_to_pass == ["t::fixed", "t::new"]  # a new test that passes counts as fixed
    assert pass_to_pass == ["t::kept", "t::xfail"]  # skipped ones are neither


def test_a_limit_reads_the_history_from_the_newest_until_it_has_enough(
    history: tuple[Path, dict[str, str]],
) -> None:
    repo, c = history
    found = mine(repo / ".git", commits=[f"{c['base']}..main"], newest=1)
    assert [m.commit for m in found] == [c["squash"]]  # the newest is a candidate: nothing older
    found = mine(repo / ".git", commits=[f"{c['base']}..main"], newest=2)
    assert [m.commit for m in found if m.change] == [
        _git(repo, "rev-parse", "feature"),
        c["squash"],
    ]
    assert c["fix"] not in [m.commit for m in found]
