"""Fixtures of the repo_graph tests: copies of the fixture repositories, real git repos."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from graph_golden import FIXTURES


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its stdout."""
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def commit_all(root: Path, message: str = "snapshot") -> None:
    """Make ``root`` a git repository (if needed) and commit everything in it."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.email", "test@example.com")
        git(root, "config", "user.name", "Test")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def fixture_repo(tmp_path: Path) -> Callable[[str], Path]:
    """Copy one of tests/fixtures/graph/<name> into tmp_path (a plain directory, no git)."""

    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(
            FIXTURES / name, target, symlinks=True, ignore=shutil.ignore_patterns(".swe-agent")
        )
        return target

    return make
