"""Helpers of the repo_graph tests: real git repositories made on the fly."""

from __future__ import annotations

import subprocess
from pathlib import Path


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
