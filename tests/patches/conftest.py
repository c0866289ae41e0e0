"""Fixtures for the patches tests: small real git repositories."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from patches_testlib import APP, commit, git, write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on ``main`` with one commit: src/app.py, README.md, notes.txt."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Tester")
    git(root, "config", "user.email", "tester@example.com")
    # The tool keeps .swe-agent/ out of git (DESIGN: "git-ignored by the tool itself").
    (root / ".git" / "info" / "exclude").write_text(".swe-agent/\n")
    commit(root, {"src/app.py": APP, "README.md": "# demo\n", "notes.txt": "a\nb\nc\n"}, "init")
    return root


@pytest.fixture
def make_patch(repo: Path) -> Callable[[dict[str, str | bytes | None]], str]:
    """Return a function that turns file changes into diff text, leaving the repo untouched."""

    def build(changes: dict[str, str | bytes | None]) -> str:
        write(repo, changes)
        git(repo, "add", "-A")
        text = subprocess.run(
            ["git", "-C", str(repo), "diff", "--cached", "--binary", "--full-index"],
            capture_output=True,
            check=True,
        ).stdout.decode()
        git(repo, "reset", "-q", "--hard")
        git(repo, "clean", "-qfd")
        return text

    return build
