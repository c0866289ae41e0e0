"""Helpers for the review TUI tests: a real calculator repository with the fixture run in it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "calculator"
# a real `swe-agent solve` of the example with the embedded model (tests/fixtures/runs/README.md)
RUN_ID = "20261122-023548-bc28"
FIXTURE_RUN = ROOT / "tests" / "fixtures" / "runs" / RUN_ID
# the example's tests when the run was recorded (the example has one more assertion since):
# the recorded tree ids are those of the example with this file
RECORDED_TESTS = FIXTURE_RUN.with_name(f"{RUN_ID}.test_stats.py.txt")
CHOSEN = 3  # finished and resolved: one hunk in calculator/stats.py
FAILING = 1  # fixes the even case, breaks test_median_odd: not finished
FORMAT_ERROR = 2  # under #1: the model's replies held no action; #1's state, so #1's diff
SKIP = shutil.ignore_patterns(".swe-agent", ".pytest_cache", "__pycache__")


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its stdout."""
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def make_repo(where: Path) -> Path:
    """A git repository holding the example as it was recorded, at one commit, plus the run."""
    repo = where / "calculator"
    shutil.copytree(EXAMPLE, repo, ignore=SKIP)
    shutil.copyfile(RECORDED_TESTS, repo / "tests" / "test_stats.py")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Reviewer")
    git(repo, "config", "user.email", "reviewer@example.com")
    (repo / ".git" / "info" / "exclude").write_text(".swe-agent/\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    shutil.copytree(FIXTURE_RUN, repo / ".swe-agent" / "runs" / RUN_ID)
    return repo


def add_test_hunks(repo: Path) -> str:
    """Give the chosen node two more hunks, at the top and bottom of tests/test_stats.py.

    The recorded fix is one hunk; choosing hunk by hunk needs several. The wider diff is made by
    git from the recorded fix plus a new test, and replaces the node's diff and patch.diff.
    """
    run_dir = repo / ".swe-agent" / "runs" / RUN_ID
    git(repo, "apply", str(run_dir / "nodes" / f"{CHOSEN}.diff"))
    tests = repo / "tests" / "test_stats.py"
    tests.write_text(f"import pytest\n\n{tests.read_text()}{NEW_TEST}")
    diff = git(repo, "diff", "--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/")
    git(repo, "checkout", "--", ".")
    for path in (run_dir / "nodes" / f"{CHOSEN}.diff", run_dir / "patch.diff"):
        path.write_text(diff)
    return diff


NEW_TEST = (
    "\n\ndef test_median_even_floats():\n"
    "    assert median([0.5, 3.0, 1.5, 2.0]) == pytest.approx(1.75)\n"
)


def head(repo: Path) -> str:
    """The commit id of HEAD."""
    return git(repo, "rev-parse", "HEAD").strip()


def run_async(test: Callable[[], Awaitable[Any]]) -> Any:
    """Run one async test body (the suite has no asyncio plugin)."""
    return asyncio.run(test())  # type: ignore[arg-type]


def toasts(app: Any) -> list[str]:
    """The text of the notifications on screen (run_test(notifications=True))."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def settle(pilot: Any) -> None:
    """Wait for the app's workers (git, tests) and the messages they post."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def until(pilot: Any, ready: Callable[[], bool], *, limit_s: float = 10.0) -> None:
    """Let the app run until ``ready()`` (a live reload, say); the limit only ends a hang."""
    deadline = time.monotonic() + limit_s
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError("the app never reached the expected state")
        await pilot.pause(0.05)
