"""commit_patch: the apply path's commit, on a chosen parent, with no ref, index or file moved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from patches_testlib import APP, commit, git

from patches import InvalidPatch, commit_patch

MakePatch = Callable[[dict[str, str | bytes | None]], str]


def test_commit_patch_builds_a_commit_and_touches_nothing(repo: Path, make_patch: MakePatch):
    base = git(repo, "rev-parse", "HEAD")
    fix = make_patch({"src/app.py": APP.replace("a + b", "b + a"), "docs/new.md": "x\n"})
    commit(repo, {"README.md": "# later\n"}, "later work")  # HEAD moves on past the base
    (repo / "notes.txt").write_text("my own edit\n")
    head, status = git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain")
    made = commit_patch(repo, fix, parent=base, run_id="r9", message="Fix add")
    assert git(repo, "rev-parse", f"{made}~1") == base
    assert git(repo, "diff", "--name-only", base, made).splitlines() == [
        "docs/new.md",
        "src/app.py",
    ]
    assert git(repo, "log", "-1", "--format=%B", made).endswith("Swe-Agent-Run: r9")
    assert (git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain")) == (head, status)
    assert git(repo, "for-each-ref", "--format=%(objectname)").count(made) == 0


def test_commit_patch_refuses_what_apply_refuses(repo: Path):
    with pytest.raises(InvalidPatch):
        commit_patch(repo, "not a diff\n", parent="HEAD", run_id="r9", message="m")
    escape = "--- a/../x\n+++ b/../x\n@@ -0,0 +1 @@\n+x\n"
    with pytest.raises(InvalidPatch):
        commit_patch(repo, escape, parent="HEAD", run_id="r9", message="m")
    with pytest.raises(InvalidPatch, match="is not a commit"):
        commit_patch(repo, "", parent="0" * 40, run_id="r9", message="m")
