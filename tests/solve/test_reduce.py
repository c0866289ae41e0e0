"""The picked patch loses the files its tests do not need (a real sandbox, real pytest runs)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from patches import parse_patch
from sandbox import Sandbox, start_sandbox
from swe_agent.agent.evidence import TestProbe
from swe_agent.solve.reduce import reduce_by_tests, reducible

BUGGY = "from helper import sign\n\n\ndef add(a, b):\n    return a - b\n"
FIXED = "from helper import sign\n\n\ndef add(a, b):\n    return a + b\n"
TEST_ADD = "from mod import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
TEST_SIGN = "from helper import sign\n\n\ndef test_sign():\n    assert sign(-4) == 1\n"


def _repo(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "mod.py").write_text(BUGGY)
    (root / "helper.py").write_text("def sign(x):\n    return -1 if x < 0 else 1\n")
    (root / "other.py").write_text("NAME = 'other'\n")
    (root / "tests" / "test_mod.py").write_text(TEST_ADD)
    (root / "tests" / "test_sign.py").write_text(TEST_SIGN)  # fails at the base
    (root / "tests" / "conftest.py").write_text(
        "import sys, pathlib\nsys.path.insert(0, str(pathlib.Path(__file__).parents[1]))\n"
    )
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    return root


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Sandbox]:
    with start_sandbox(_repo(tmp_path / "repo"), backend="local") as sandbox:
        yield sandbox


def _probe(box: Sandbox, tests: str = "tests/test_mod.py") -> TestProbe:
    probe = TestProbe(box, f"python -m pytest -q {tests}", timeout_s=60, strict=True)
    probe.record_base()
    return probe


def _files(box: Sandbox, state: str) -> list[str]:
    return sorted(change.path for change in parse_patch(box.diff(box.base_state, state)).files)


def test_files_the_tests_do_not_need_are_put_back_in_one_run(box: Sandbox) -> None:
    probe = _probe(box)
    box.write_file("mod.py", FIXED)
    box.write_file("other.py", "NAME = 'other'  # renamed nothing\n")
    box.write_file("notes/scratch.py", "print('trying things')\n")
    state = box.snapshot()
    tests = probe.evidence(state)
    assert tests["fixed"] == ["tests/test_mod.py::test_add"]

    done = reduce_by_tests(box, probe, state, tests, core={"mod.py"}, tries=3)

    assert sorted(done.dropped) == ["notes/scratch.py", "other.py"]
    assert done.tries == 1
    assert _files(box, done.state) == ["mod.py"]
    assert done.tests is not None and done.tests["fixed"] == ["tests/test_mod.py::test_add"]
    assert box.read_file("mod.py") == FIXED  # the sandbox ends on the reduced state


def test_a_change_the_fix_needs_is_kept_and_the_others_go_one_by_one(box: Sandbox) -> None:
    probe = _probe(box, "tests/test_mod.py tests/test_sign.py")
    box.write_file("mod.py", FIXED)
    box.write_file("helper.py", "def sign(x):\n    return 1\n")  # needed by test_sign
    box.write_file("other.py", "NAME = 'renamed'\n")
    state = box.snapshot()
    tests = probe.evidence(state)
    assert tests["fixed"] == ["tests/test_mod.py::test_add", "tests/test_sign.py::test_sign"]

    done = reduce_by_tests(box, probe, state, tests, core={"mod.py"}, tries=3)

    assert done.dropped == ("other.py",) and done.kept == ("helper.py",) and done.tries == 3
    assert _files(box, done.state) == ["helper.py", "mod.py"]


def test_nothing_is_tried_without_a_resolved_state_tries_or_time(box: Sandbox) -> None:
    probe = _probe(box)
    box.write_file("other.py", "NAME = 'renamed'\n")
    box.write_file("helper.py", "def sign(x):\n    return 0\n")
    state = box.snapshot()
    unresolved = probe.evidence(state)
    assert reduce_by_tests(box, probe, state, unresolved, core=(), tries=3).tries == 0
    box.write_file("mod.py", FIXED)
    fixed = box.snapshot()
    resolved = probe.evidence(fixed)
    assert reduce_by_tests(box, probe, fixed, resolved, core={"mod.py"}, tries=0).tries == 0
    late = reduce_by_tests(box, probe, fixed, resolved, core={"mod.py"}, tries=3, deadline=0.0)
    assert late.tries == 0 and late.state == fixed  # the run's wall time is over


def test_with_no_file_known_to_hold_the_fix_the_largest_change_stays(box: Sandbox) -> None:
    probe = _probe(box)
    box.write_file("helper.py", "def sign(x):\n    return 1 if x >= 0 else -1\n")  # first
    box.write_file("mod.py", FIXED + "# a + b, not a - b\n")
    state = box.snapshot()
    done = reduce_by_tests(box, probe, state, probe.evidence(state), core=(), tries=3)
    assert done.dropped == ("helper.py",) and done.tries == 1
    assert _files(box, done.state) == ["mod.py"]


def test_only_text_changes_that_add_modify_or_delete_can_be_put_back() -> None:
    patch = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
        "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
        "diff --git a/old.py b/new.py\nsimilarity index 100%\n"
        "rename from old.py\nrename to new.py\n"
        "diff --git a/logo.png b/logo.png\nBinary files a/logo.png and b/logo.png differ\n"
    )
    assert reducible(patch) == ["a.py"]


def test_the_agents_reproduction_test_stays(box: Sandbox) -> None:
    probe = TestProbe(box, "python -m pytest -q", timeout_s=60, select=lambda diff: [])
    probe.record_base()
    box.write_file("tests/test_repro.py", TEST_ADD.replace("test_add", "test_repro"))
    box.write_file("mod.py", FIXED)
    box.write_file("other.py", "NAME = 'renamed'\n")
    state = box.snapshot()
    tests = probe.evidence(state)
    assert tests["reproduction_tests"] == ["tests/test_repro.py"] and tests["reproduction"]
    done = reduce_by_tests(box, probe, state, tests, core={"mod.py"}, tries=3)
    assert done.dropped == ("other.py",)
    assert _files(box, done.state) == ["mod.py", "tests/test_repro.py"]
