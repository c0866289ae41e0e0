"""Fixtures for the sandbox tests: small real git repositories; ``docker_image`` is shared."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity and return its stdout."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip()


def make_repo(root: Path) -> Path:
    """A repository with two commits, an ignored-but-tracked file, a symlink and dirty edits."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    (root / "pkg").mkdir()
    (root / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (root / "run.sh").write_text("#!/bin/sh\necho run\n")
    (root / "run.sh").chmod(0o755)
    (root / "link.py").symlink_to("pkg/mod.py")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    (root / ".gitignore").write_text("*.log\n")
    (root / "kept.log").write_text("tracked although ignored\n")
    (root / "pkg" / "mod.py").write_text("def f():\n    return 2\n")
    git(root, "add", "-A", "-f")
    git(root, "commit", "-q", "-m", "second")
    (root / "pkg" / "mod.py").write_text("def f():\n    return 'dirty'\n")
    (root / "untracked.py").write_text("x = 1\n")
    return root


@pytest.fixture
def run_git() -> object:
    """The ``git(repo, *args)`` helper, for tests that inspect repositories."""
    return git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh small git repository with uncommitted edits."""
    return make_repo(tmp_path / "repo")


@pytest.fixture(scope="module")
def module_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small git repository shared by a module's tests (they must not modify it)."""
    return make_repo(tmp_path_factory.mktemp("shared") / "repo")


@pytest.fixture
def no_leftovers(docker_image: str) -> Iterator[None]:
    """Assert that a test leaves behind none of the containers it started."""
    from sandbox.docker_backend import LABEL, OWNER_LABEL, connect
    from sandbox.owners import owner_labels

    filters = {"label": [LABEL, f"{OWNER_LABEL}={owner_labels()[OWNER_LABEL]}"]}
    client = connect()
    before = {c.id for c in client.containers.list(all=True, filters=filters)}
    yield
    left = [c.short_id for c in client.containers.list(all=True, filters=filters)]
    left = [c for c in left if not any(b.startswith(c) for b in before)]
    assert not left, f"containers left behind: {left}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many Docker tests ran, passed and were skipped (CI must show they ran)."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        reports = terminalreporter.stats.get(outcome, [])
        docker = [r for r in reports if "docker" in getattr(r, "keywords", {})]
        if outcome in ("passed", "failed"):
            docker = [r for r in docker if getattr(r, "when", "call") == "call"]
        counts[outcome] = len(docker)
    ran = counts["passed"] + counts["failed"]
    terminalreporter.write_sep("-", "docker tests")
    terminalreporter.write_line(
        f"docker tests: {ran} ran ({counts['passed']} passed, {counts['failed']} failed), "
        f"{counts['skipped']} skipped, {counts['error']} errors"
    )
