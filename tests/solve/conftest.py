"""A real git repository of the bundled calculator example, per test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calculator"


@pytest.fixture
def calc_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "calc"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".pytest_cache", ".swe-agent"))
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    return repo


@pytest.fixture
def issue_text() -> str:
    return (EXAMPLE / "ISSUE.md").read_text()
