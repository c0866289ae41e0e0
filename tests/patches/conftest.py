"""Small real git repositories for the patches tests."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

APP = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


def div(a, b):
    return a / b


def mod(a, b):
    return a % b


def neg(a):
    return -a
"""


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return stdout."""
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


def write(repo: Path, changes: dict[str, str | bytes | None]) -> None:
    """Write (str/bytes) or delete (None) files in ``repo``."""
    for rel, content in changes.items():
        path = repo / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def commit(repo: Path, changes: dict[str, str | bytes | None], message: str) -> str:
    """Commit ``changes`` and return the new HEAD."""
    write(repo, changes)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on ``main`` with one commit: src/app.py, README.md, notes.txt."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Tester")
    git(root, "config", "user.email", "tester@example.com")
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
