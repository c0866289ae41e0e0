"""Helpers for the patches tests: small real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
