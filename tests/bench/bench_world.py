"""A tiny SWE-bench world in tmp_path: a bare mirror (DIR/OWNER+NAME/repo) and instances.

The repository has a buggy ``median``; the instances add tests through ``test_patch`` and have
a gold patch, so evaluation and solving run end to end on real git, Docker and pytest.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = "octo/tinycalc"
FILES = {
    "pyproject.toml": (
        '[project]\nname = "tinycalc"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    ),
    "tinycalc/__init__.py": "",
    "tinycalc/stats.py": (
        "def mean(values):\n    return sum(values) / len(values)\n\n\n"
        "def median(values):\n    ordered = sorted(values)\n"
        "    middle = len(ordered) // 2\n    return ordered[middle]\n"
    ),
    "tests/test_stats.py": (
        "from tinycalc.stats import mean, median\n\n\n"
        "def test_mean():\n    assert mean([1, 2, 3, 4]) == 2.5\n\n\n"
        "def test_median_odd():\n    assert median([3, 1, 2]) == 2\n"
    ),
}
ISSUE = "median() returns the upper middle value for lists of even length; it should average."
GOLD = """\
diff --git a/tinycalc/stats.py b/tinycalc/stats.py
--- a/tinycalc/stats.py
+++ b/tinycalc/stats.py
@@ -5,4 +5,6 @@ def mean(values):
 def median(values):
     ordered = sorted(values)
     middle = len(ordered) // 2
+    if len(ordered) % 2 == 0:
+        return (ordered[middle - 1] + ordered[middle]) / 2
     return ordered[middle]
"""
TEST_PATCH = (
    "diff --git a/tests/test_stats.py b/tests/test_stats.py\n"
    "--- a/tests/test_stats.py\n"
    "+++ b/tests/test_stats.py\n"
    "@@ -7,3 +7,7 @@ def test_mean():\n"
    " \n"
    " def test_median_odd():\n"
    "     assert median([3, 1, 2]) == 2\n"
    "+\n"
    "+\n"
    "+def test_median_even():\n"
    "+    assert median([4, 1, 3, 2]) == 2.5\n"
)
HANG_PATCH = """\
diff --git a/tests/test_hang.py b/tests/test_hang.py
new file mode 100644
--- /dev/null
+++ b/tests/test_hang.py
@@ -0,0 +1,5 @@
+import time
+
+
+def test_hang():
+    time.sleep(3600)
"""
# A line to remove that is not there: no fallback applies it (not even patch --fuzz).
NOT_APPLYING = GOLD.replace(
    "     middle = len(ordered) // 2\n", "-    middle = len(ordered) // 3\n+    middle = 0\n"
)
# The gold fix written against another version: its hunk is 4 lines off and its first context
# line differs, so git apply refuses it and GNU patch --fuzz applies it.
FUZZY = GOLD.replace("@@ -5,4 +5,6 @@", "@@ -9,4 +9,6 @@").replace(
    " def median(values):", " def median(numbers):"
)
SLOW_LOOK = "Look first.\n```python\nimport time\ntime.sleep(1.5)\nview('tinycalc/stats.py')\n```"
FIX = (
    "Fix the even case.\n```python\nedit('tinycalc/stats.py', '    return ordered[middle]', "
    "'    if len(ordered) % 2 == 0:\\n        return (ordered[middle - 1] + ordered[middle]) / 2"
    "\\n    return ordered[middle]')\n```"
)
SUBMIT = "Done.\n```python\nsubmit('median averages the two middle values')\n```"


@dataclass(frozen=True)
class World:
    """A mirrors folder, a dataset file, and the base commit."""

    mirrors: Path
    dataset: Path
    base: str


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    """Run git in ``cwd`` as a fixed author, with no user or system configuration (HOME is
    ``cwd``), dated ``date`` when given; its stdout, stripped."""
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    if date is not None:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    out = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return out.stdout.decode().strip()


def instance(instance_id: str, base: str, **fields: object) -> dict[str, object]:
    """An instance of the tinycalc repository (the median bug unless told otherwise)."""
    row: dict[str, object] = {
        "instance_id": instance_id,
        "repo": REPO,
        "base_commit": base,
        "problem_statement": ISSUE,
        "patch": GOLD,
        "test_patch": TEST_PATCH,
        "FAIL_TO_PASS": json.dumps(["tests/test_stats.py::test_median_even"]),
        "PASS_TO_PASS": json.dumps(
            ["tests/test_stats.py::test_mean", "tests/test_stats.py::test_median_odd"]
        ),
        "version": "0.1",
    }
    row.update(fields)
    return row


def commit_tinycalc(work: Path, files: dict[str, str] | None = None) -> str:
    """tinycalc's files (and ``files``) committed in a new repository at ``work``; the commit."""
    for name, text in {**FILES, **(files or {})}.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-qm", "base")
    return git(work, "rev-parse", "HEAD")


def make_world(
    root: Path,
    ids: tuple[str, ...] = ("octo__tinycalc-1",),
    *,
    files: dict[str, str] | None = None,
    pass_to_pass: tuple[str, ...] = (),
) -> World:
    """The mirror of tinycalc and a dataset; an id ending in -hang gets a test that hangs.

    ``files`` are added to (or replace) tinycalc's; ``pass_to_pass`` names more tests.
    """
    work = root / "src"
    base = commit_tinycalc(work, files)
    mirrors = root / "mirrors"
    git(root, "clone", "-q", "--bare", str(work), str(mirrors / "octo+tinycalc" / "repo"))
    rows = []
    for instance_id in ids:
        if instance_id.endswith("-hang"):
            extra = {"test_patch": HANG_PATCH, "FAIL_TO_PASS": '["tests/test_hang.py::test_hang"]'}
            rows.append(instance(instance_id, base, **extra))
        else:
            row = instance(instance_id, base)
            named = [*json.loads(str(row["PASS_TO_PASS"])), *pass_to_pass]
            rows.append({**row, "PASS_TO_PASS": json.dumps(named)})
    dataset = root / "dataset.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return World(mirrors, dataset, base)


def write_preds(path: Path, lines: list[str | dict[str, object]]) -> Path:
    """A predictions file; strings are written as they are (corrupt lines)."""
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text)
    return path


def pred(instance_id: str, patch: str | None) -> dict[str, object]:
    """One SWE-bench prediction line."""
    return {"instance_id": instance_id, "model_name_or_path": "test", "model_patch": patch}


def drop_blob(bare: Path, sha: str) -> None:
    """Rewrite the pack without one blob (what a size-limited snapshot looks like)."""
    keep = [
        line.split()[0]
        for line in git(bare, "cat-file", "--batch-all-objects", "--batch-check").splitlines()
        if line.split()[0] != sha
    ]
    pack_dir = bare / "objects" / "pack"
    old = list(pack_dir.iterdir())
    subprocess.run(
        ["git", f"--git-dir={bare}", "pack-objects", "-q", str(pack_dir / "pack")],
        input="\n".join(keep).encode(),
        check=True,
        capture_output=True,
    )
    for path in old:
        path.unlink()
