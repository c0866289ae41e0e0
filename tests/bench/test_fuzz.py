"""GNU patch --fuzz on the host: the last fallback when git apply refuses a model patch."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bench_world import FUZZY, GOLD, NOT_APPLYING, make_world

from swe_agent.bench import load_instances
from swe_agent.bench.fuzz import fuzz_apply, touched_paths
from swe_agent.bench.workdirs import Workdir, prepare_workdir

pytestmark = pytest.mark.skipif(
    subprocess.run(["patch", "--version"], capture_output=True, check=False).returncode != 0,
    reason="GNU patch is not installed on this host",
)

NEW_AND_GONE = """\
diff --git a/tinycalc/extra.py b/tinycalc/extra.py
new file mode 100644
--- /dev/null
+++ b/tinycalc/extra.py
@@ -0,0 +1 @@
+VALUE = 1
diff --git a/tinycalc/stats.py b/tinycalc/stats.py
deleted file mode 100644
--- a/tinycalc/stats.py
+++ /dev/null
@@ -1,8 +0,0 @@
-def mean(values):
-    return sum(values) / len(values)
-
-
-def median(values):
-    ordered = sorted(values)
-    middle = len(ordered) // 2
-    return ordered[middle]
"""


def _workdir(tmp_path: Path) -> Workdir:
    world = make_world(tmp_path)
    inst = load_instances(world.dataset)[0]
    return prepare_workdir(repo=inst.repo, commit=inst.base_commit, test_patch="",
                           mirrors=world.mirrors, dest=tmp_path / "w")  # fmt: skip


def _git_apply_refuses(workdir: Workdir, patch: str) -> bool:
    done = subprocess.run(["git", "-C", str(workdir.root), "apply", "--cached", "--check", "-"],
                          input=patch.encode(), capture_output=True, check=False)  # fmt: skip
    return done.returncode != 0


def test_fuzz_applies_what_git_apply_refuses(tmp_path: Path) -> None:
    workdir = _workdir(tmp_path)
    assert _git_apply_refuses(workdir, FUZZY)
    result = fuzz_apply(workdir.root, workdir.base, FUZZY)
    assert result.applied and "with fuzz" in result.log
    text = result.files["tinycalc/stats.py"]
    assert text is not None and b"(ordered[middle - 1] + ordered[middle]) / 2" in text
    assert text.startswith(b"def mean(values):")  # the rest of the file is the base's
    gold = fuzz_apply(workdir.root, workdir.base, GOLD)
    assert gold.files == result.files  # the same file as the exact patch gives


def test_fuzz_refuses_a_patch_that_does_not_fit(tmp_path: Path) -> None:
    workdir = _workdir(tmp_path)
    result = fuzz_apply(workdir.root, workdir.base, NOT_APPLYING)
    assert not result.applied and result.files == {}
    assert "FAILED" in result.log


def test_new_files_are_written_and_deleted_files_reported_gone(tmp_path: Path) -> None:
    workdir = _workdir(tmp_path)
    result = fuzz_apply(workdir.root, workdir.base, NEW_AND_GONE)
    assert result.log and result.files == {"tinycalc/extra.py": b"VALUE = 1\n",
                                           "tinycalc/stats.py": None}  # fmt: skip


def test_paths_outside_the_workspace_are_refused() -> None:
    evil = "--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-x\n+y\n"
    assert touched_paths(evil) is None
    assert touched_paths("--- /etc/passwd\n+++ /etc/passwd\n") is None
    assert touched_paths("--- a/.git/config\n+++ b/.git/config\n") is None
    assert touched_paths(GOLD) == ["tinycalc/stats.py"]
