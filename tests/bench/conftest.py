"""A tiny repository and its bare mirror in the layout `fetch` produces (DIR/OWNER+NAME/repo)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from bench_world import drop_blob


@dataclass(frozen=True)
class Mirror:
    """A mirrors directory holding one bare repository, and facts about its commits."""

    mirrors: Path
    repo: str
    first: str
    second: str
    big_blob: str


def _git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    out = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return out.stdout.decode().strip()


@pytest.fixture()
def mirror(tmp_path: Path) -> Mirror:
    """Two commits; the bare mirror then loses one blob, like a snapshot lacking a big file."""
    work = tmp_path / "work"
    (work / "pkg").mkdir(parents=True)
    _git(work, "init", "-q", "-b", "main")
    (work / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (work / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (work / "run.sh").chmod(0o755)
    (work / "data.bin").write_text("pretend this is 5 MiB\n")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "one")
    first = _git(work, "rev-parse", "HEAD")
    (work / "pkg" / "mod.py").write_text("def f():\n    return 2\n")
    _git(work, "commit", "-qam", "two")
    second = _git(work, "rev-parse", "HEAD")
    big_blob = _git(work, "rev-parse", f"{first}:data.bin")
    mirrors = tmp_path / "mirrors"
    bare = mirrors / "octo+demo" / "repo"
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    _git(bare, "repack", "-qad")
    drop_blob(bare, big_blob)
    return Mirror(mirrors, "octo/demo", first, second, big_blob)
