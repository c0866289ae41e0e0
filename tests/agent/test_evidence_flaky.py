"""A test that fails after a change is re-run on the base state to tell flaky from broken."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sandbox import start_sandbox
from swe_agent.agent.evidence import TestProbe


def _repo(root: Path, counter: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "mod.py").write_text("VALUE = 1\n")
    (root / "tests" / "test_mod.py").write_text(
        "from pathlib import Path\n\nimport mod\n\n\n"
        "def test_value():\n    assert mod.VALUE == 1\n\n\n"
        "def test_flaky():\n"
        f"    counter = Path({str(counter)!r})\n"
        "    runs = int(counter.read_text()) + 1 if counter.exists() else 1\n"
        "    counter.write_text(str(runs))\n"
        "    assert runs == 1  # passes on the first run only\n"
    )
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    return root


def test_a_failure_that_repeats_at_the_base_is_flaky_one_that_does_not_is_broken(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path / "repo", tmp_path / "counter")
    with start_sandbox(repo, backend="local") as box:
        probe = TestProbe(box, "python -m pytest -q", timeout_s=60)
        assert probe.record_base().passing == {
            "tests/test_mod.py::test_value",
            "tests/test_mod.py::test_flaky",
        }
        box.write_file("mod.py", "VALUE = 2\n")
        state = box.snapshot()
        record = probe.evidence(state)
        assert record["broken"] == ["tests/test_mod.py::test_value"]
        assert record["regression"] == {"passed": 0, "failed": 1, "flaky": 1}
        assert box.read_file("mod.py") == "VALUE = 2\n"  # back on the node's state


def test_an_edit_of_the_same_size_in_the_same_second_is_seen(tmp_path: Path) -> None:
    """No bytecode caches in the sandbox: a .pyc holds its source's mtime in whole seconds."""
    repo = _repo(tmp_path / "repo", tmp_path / "counter")
    with start_sandbox(repo, backend="local") as box:
        for value in (1, 2, 3):  # same size each time, within about one second
            box.write_file("mod.py", f"VALUE = {value}\n")
            obs = box.run("python -c 'import mod; print(mod.VALUE)'")
            assert obs.stdout.strip() == str(value)
        assert not (Path(box.workdir) / "__pycache__").exists()


def test_tests_that_no_longer_run_because_collection_broke_are_broken(tmp_path: Path) -> None:
    from search import TestEvidence, Verdict

    repo = _repo(tmp_path / "repo", tmp_path / "counter")
    with start_sandbox(repo, backend="local") as box:
        probe = TestProbe(box, "python -m pytest -q", timeout_s=60)
        passing = probe.record_base().passing
        box.write_file("mod.py", "VALUE = undefined_name\n")  # the import fails: pytest exits 2
        record = probe.evidence(box.snapshot())
        assert record["exit_code"] == 2
        assert record["broken"] == sorted(passing)  # not 0 passed, 0 failed: "clean"
        assert record["regression"] == {"passed": 0, "failed": 2, "flaky": 0}
        assert TestEvidence.from_record(record).verdict is Verdict.BROKEN  # type: ignore[union-attr]


def test_a_failed_run_without_outcomes_for_the_base_passing_tests_broke_them() -> None:
    from swe_agent.agent.evidence import TestRun, _not_run

    base = TestRun(0, {"t.py::a": "PASSED", "t.py::b": "PASSED"})
    assert _not_run(TestRun(1, {"t.py::a": "PASSED"}), base) == {"t.py::b"}  # output cut short
    assert _not_run(TestRun(0, {"t.py::a": "PASSED"}), base) == set()  # passed: not selected
    assert _not_run(TestRun(1, {}, timed_out=True), base) == set()  # undecided
