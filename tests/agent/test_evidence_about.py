"""With no named tests, a base failure counts for the issue only when it names the code under
repair: a test the environment breaks elsewhere neither reproduces the issue nor blocks a fix."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sandbox import start_sandbox
from search import TestEvidence, Verdict
from swe_agent.agent.evidence import TestProbe

STATS = (
    "def mean(values):\n    return sum(values) / len(values)\n\n\n"
    "def median(values):\n    ordered = sorted(values)\n    return ordered[len(ordered) // 2]\n"
)
MEDIAN_FIXED = (
    "def mean(values):\n    return sum(values) / len(values)\n\n\n"
    "def median(values):\n    ordered = sorted(values)\n    middle = len(ordered) // 2\n"
    "    if len(ordered) % 2 == 0:\n        return (ordered[middle - 1] + ordered[middle]) / 2\n"
    "    return ordered[middle]\n"
)
ENV_TEST = (  # fails for the environment's sake (a data file the checkout lacks)
    "from pathlib import Path\n\n\n"
    "def test_data_file():\n    assert Path('data/table.h5').exists()\n"
)
ODD_TEST = "from stats import median\n\n\ndef test_odd():\n    assert median([3, 1, 2]) == 2\n"
EVEN_TEST = "\n\ndef test_even():\n    assert median([4, 1, 3, 2]) == 2.5\n"
ABOUT = ["stats.py", "median"]


def _repo(root: Path, *, even: bool) -> Path:
    root.mkdir()
    (root / "stats.py").write_text(STATS)
    (root / "test_env.py").write_text(ENV_TEST)
    (root / "test_stats.py").write_text(ODD_TEST + (EVEN_TEST if even else ""))
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    return root


def _verdict(record: dict[str, object]) -> Verdict:
    evidence = TestEvidence.from_record(record)
    assert evidence is not None
    return evidence.verdict


def test_a_failure_elsewhere_neither_reproduces_the_issue_nor_marks_a_change_broken(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path / "repo", even=False)
    command = "python -m pytest -p no:cacheprovider"
    with start_sandbox(repo, backend="local") as box:
        about = TestProbe(box, command, timeout_s=60, about=ABOUT)
        plain = TestProbe(box, command, timeout_s=60)
        for probe in (about, plain):
            assert probe.record_base().failing == {"test_env.py::test_data_file"}
        box.write_file("stats.py", MEDIAN_FIXED)
        state = box.snapshot()
        record, before = about.evidence(state), plain.evidence(state)
    assert record["reproduction"] is None and record["still_failing"] == []
    assert record["broken"] == [] and _verdict(record) is Verdict.CLEAN
    # Without the code under repair known, the environment's failure still decides (as before).
    assert before["reproduction"] is False and _verdict(before) is Verdict.BROKEN


def test_a_failure_that_names_the_code_under_repair_still_counts(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", even=True)
    with start_sandbox(repo, backend="local") as box:
        probe = TestProbe(box, "python -m pytest -p no:cacheprovider", timeout_s=60, about=ABOUT)
        assert probe.record_base().failing == {
            "test_env.py::test_data_file",
            "test_stats.py::test_even",
        }
        box.write_file("stats.py", STATS.replace("// 2]", "// 2 - 1]"))
        wrong = probe.evidence(box.snapshot())
        box.write_file("stats.py", MEDIAN_FIXED)
        right = probe.evidence(box.snapshot())
    assert wrong["reproduction"] is False and wrong["still_failing"] == ["test_stats.py::test_even"]
    assert right["reproduction"] is True and right["fixed"] == ["test_stats.py::test_even"]
    assert right["still_failing"] == [] and _verdict(right) is Verdict.RESOLVED


def test_named_tests_count_every_failure(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", even=False)
    command = "python -m pytest -p no:cacheprovider test_env.py"
    with start_sandbox(repo, backend="local") as box:
        probe = TestProbe(box, command, timeout_s=60, strict=True, about=ABOUT)
        probe.record_base()
        box.write_file("stats.py", MEDIAN_FIXED)
        record = probe.evidence(box.snapshot())
    assert record["reproduction"] is False and record["still_failing"] == [
        "test_env.py::test_data_file"
    ]


def test_the_base_runs_the_focus_files_and_the_whole_suite_only_when_a_state_needs_it(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path / "repo", even=True)
    related = {"stats.py": ["test_stats.py"]}

    def select(diff: str) -> list[str]:
        return sorted({t for path, tests in related.items() if path in diff for t in tests})

    with start_sandbox(repo, backend="local") as box:
        probe = TestProbe(
            box,
            "python -m pytest -p no:cacheprovider",
            timeout_s=60,
            about=ABOUT,
            select=select,
            focus=["test_stats.py"],
        )
        assert set(probe.record_base().outcomes) == {
            "test_stats.py::test_odd",
            "test_stats.py::test_even",
        }
        box.write_file("stats.py", MEDIAN_FIXED)
        fixed = probe.evidence(box.snapshot())
        assert fixed["fixed"] == ["test_stats.py::test_even"] and fixed["reproduction"] is True
        assert probe._whole_base is None  # the whole suite has not run at the base
        box.restore(box.base_state)
        box.write_file("notes.py", "X = 1\n")  # a change no test file relates to
        elsewhere = probe.evidence(box.snapshot())
    assert probe._whole_base is not None
    assert "test_env.py::test_data_file" in probe._whole_base.failing
    assert elsewhere["broken"] == [] and elsewhere["still_failing"] == ["test_stats.py::test_even"]
