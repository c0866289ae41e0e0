"""The one way the project runs git: no shell, a stable and non-interactive environment."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# English messages to parse, never a prompt for a password (a hung clone), no pager, no
# optional locks taken in a repository someone else is using.
GIT_ENV = {
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
}


def run_git(
    *args: str,
    cwd: Path | None = None,
    git_dir: Path | None = None,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in the work tree ``cwd`` or the repository ``git_dir`` (bare or not)
    and return the finished process, whatever its exit code: callers raise their own error."""
    where = [f"--git-dir={git_dir}"] if git_dir is not None else []
    if cwd is not None:
        where = ["-C", str(cwd), *where]
    return subprocess.run(
        ["git", *where, *args],
        input=input,
        capture_output=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
        check=False,
        timeout=timeout,
    )


def resolve_commit(repo: Path, rev: str | None = None) -> str | None:
    """The full id of the commit ``rev`` (default HEAD) names in ``repo``, or None when it
    names none (or ``repo`` is not in git)."""
    done = run_git("rev-parse", "--verify", "--quiet", f"{rev or 'HEAD'}^{{commit}}", cwd=repo)
    return done.stdout.decode("ascii", "replace").strip() or None if done.returncode == 0 else None


def git_stdout(
    *args: str, cwd: Path | None = None, git_dir: Path | None = None, timeout: float | None = None
) -> str | None:
    """The stdout of ``git ARGS`` as text, stripped (undecodable bytes replaced); None when git
    fails, is missing or times out."""
    try:
        done = run_git(*args, cwd=cwd, git_dir=git_dir, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None
