"""A tiny repository and its bare mirror in the layout `fetch` produces (DIR/OWNER+NAME/repo)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from bench_world import drop_blob, git


@dataclass(frozen=True)
class Mirror:
    """A mirrors directory holding one bare repository, and facts about its commits."""

    mirrors: Path
    repo: str
    first: str
    second: str
    big_blob: str


@pytest.fixture()
def mirror(tmp_path: Path) -> Mirror:
    """Two commits; the bare mirror then loses one blob, like a snapshot lacking a big file."""
    work = tmp_path / "work"
    (work / "pkg").mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    (work / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (work / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (work / "run.sh").chmod(0o755)
    (work / "data.bin").write_text("pretend this is 5 MiB\n")
    git(work, "add", ".")
    git(work, "commit", "-qm", "one")
    first = git(work, "rev-parse", "HEAD")
    (work / "pkg" / "mod.py").write_text("def f():\n    return 2\n")
    git(work, "commit", "-qam", "two")
    second = git(work, "rev-parse", "HEAD")
    big_blob = git(work, "rev-parse", f"{first}:data.bin")
    mirrors = tmp_path / "mirrors"
    bare = mirrors / "octo+demo" / "repo"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    git(bare, "repack", "-qad")
    drop_blob(bare, big_blob)
    return Mirror(mirrors, "octo/demo", first, second, big_blob)
