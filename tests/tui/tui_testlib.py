"""Helpers for the review TUI tests: a real calculator repository with the fixture run in it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "calculator"
RUN_ID = "20260115-093012-c4f1"
FIXTURE_RUN = ROOT / "tests" / "fixtures" / "runs" / RUN_ID
SKIP = shutil.ignore_patterns(".swe-agent", ".pytest_cache", "__pycache__")


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its stdout."""
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def make_repo(where: Path) -> Path:
    """A git repository holding a copy of examples/calculator at one commit, plus the run."""
    repo = where / "calculator"
    shutil.copytree(EXAMPLE, repo, ignore=SKIP)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Reviewer")
    git(repo, "config", "user.email", "reviewer@example.com")
    (repo / ".git" / "info" / "exclude").write_text(".swe-agent/\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    shutil.copytree(FIXTURE_RUN, repo / ".swe-agent" / "runs" / RUN_ID)
    return repo


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
