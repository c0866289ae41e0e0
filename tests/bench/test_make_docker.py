"""`bench make` on the bundled example's history, then `bench eval` of what it made.

The example (examples/calculator) becomes a repository whose history fixes its median bug
with a test, and adds a test that passed before; real env_setup, Docker and pytest decide.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bench_world import git
from typer.testing import CliRunner

from swe_agent.cli import app

pytestmark = pytest.mark.docker
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calculator"
EVEN = (
    "\n\ndef test_median_even():\n    assert median([4, 1, 3, 2]) == 2.5\n"
    "    assert median([10, 1, 3, 2]) == 2.5  # the mean of these is 4: the mean is no median\n"
)
FIXED = (
    "    middle = len(ordered) // 2\n"
    "    if len(ordered) % 2 == 0:\n"
    "        return (ordered[middle - 1] + ordered[middle]) / 2\n"
    "    return ordered[middle]\n"
)
MODE_TEST = "\n\ndef test_mode_single():\n    assert mode([7]) == 7\n"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def calculator(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The example with the even-count test taken out, then three commits of its history."""
    repo = tmp_path_factory.mktemp("make") / "calculator"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    stats, tests = repo / "calculator" / "stats.py", repo / "tests" / "test_stats.py"
    _edit(tests, EVEN, "")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "calculator")
    commits = {"base": git(repo, "rev-parse", "HEAD")}
    _edit(stats, "    middle = len(ordered) // 2\n    return ordered[middle]\n", FIXED)
    tests.write_text(tests.read_text() + EVEN)
    git(repo, "commit", "-qam", "Fix median() for an even number of values")
    commits["fix"] = git(repo, "rev-parse", "HEAD")
    _edit(stats, '"""Most common value; the smallest one on ties."""',
          '"""Most common value (the smallest one on ties)."""')  # fmt: skip
    tests.write_text(tests.read_text() + MODE_TEST)
    git(repo, "commit", "-qam", "Test mode() of one value")
    commits["passing"] = git(repo, "rev-parse", "HEAD")
    return repo, commits


def _cli(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_made_instances_resolve_with_gold_and_not_with_empty_patches(
    calculator: tuple[Path, dict[str, str]], tmp_path: Path, docker_image: str
) -> None:
    repo, commits = calculator
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    made = tmp_path / "made"
    make = ["bench", "make", str(repo), "--commits", f"{commits['base']}..main", "--name",
            "example/calculator", "--repos", str(mirrors), "--out", str(made)]  # fmt: skip
    summary = _cli(*make)
    fix_id = f"example__calculator-{commits['fix'][:12]}"
    assert summary["kept"] == [fix_id]
    assert summary["rejected"] == [{"instance_id": f"example__calculator-{commits['passing'][:12]}",
                                    "commit": commits["passing"],
                                    "reason": "no test goes from failing to passing"}]  # fmt: skip
    row = json.loads((made / "dataset.jsonl").read_text())
    assert row["FAIL_TO_PASS"] == ["tests/test_stats.py::test_median_even"]
    assert row["PASS_TO_PASS"] == ["tests/test_stats.py::test_mean",
                                   "tests/test_stats.py::test_median_odd",
                                   "tests/test_stats.py::test_mode_ties"]  # fmt: skip
    assert row["base_commit"] == commits["base"] and "def test_median_even" in row["test_patch"]
    assert row["problem_statement"] == "Fix median() for an even number of values"
    assert (
        "FAILED tests/test_stats.py::test_median_even" in (made / fix_id / "before.txt").read_text()
    )
    # Resumed: the verdicts stand, nothing runs again.
    again = _cli(*make)
    assert again["kept"] == [fix_id]
    assert (made / "journal.jsonl").read_text().count('"started"') == 2
    for patch, resolved in (("gold", [fix_id]), ("empty", [])):
        evaluated = _cli("bench", "eval", str(made / "dataset.jsonl"), "-p", patch, "--repos",
                         str(mirrors), "--out", str(tmp_path / patch))  # fmt: skip
        assert evaluated["resolved"] == resolved
