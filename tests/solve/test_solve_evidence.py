"""Test evidence through the code graph: related tests, the agent's reproduction test, flakes."""

from __future__ import annotations

import json
from pathlib import Path

from solve_replies import FIX, SUBMIT, local_options

from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve

REPRO = (
    "Reproduce it first.\n```python\ncreate('tests/test_repro.py', "
    "'from calculator.stats import median\\n\\n\\ndef test_two_values():\\n"
    "    assert median([1, 2]) == 1.5\\n')\n```"
)
PASSING_REPRO = (
    "Reproduce it first.\n```python\ncreate('tests/test_repro_odd.py', "
    "'from calculator.stats import median\\n\\n\\ndef test_three_values():\\n"
    "    assert median([3, 1, 2]) == 2\\n')\n```"
)


def _options(repo: Path, issue: str) -> SolveOptions:
    return local_options(repo, issue)


def _tests_of_nodes(run_dir: Path) -> list[dict]:
    tree = json.loads(Path(run_dir, "tree.json").read_text())
    return [n["tests"] for n in tree["nodes"] if n.get("tests")]


def test_a_change_runs_the_tests_the_graph_links_to_it(calc_repo: Path, issue_text: str) -> None:
    report = solve(_options(calc_repo, issue_text), model=get_model([FIX, SUBMIT]))
    assert report.status == "resolved"
    assert (report.tests or {})["related_tests"] == ["tests/test_stats.py"]
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]


def test_the_agents_reproduction_test_counts_once_it_fails_at_the_base(
    calc_repo: Path, issue_text: str
) -> None:
    replies = [REPRO, PASSING_REPRO, FIX, SUBMIT]
    report = solve(_options(calc_repo, issue_text), model=get_model(replies))
    first, second, *_ = _tests_of_nodes(report.run_dir)
    assert first["reproduction_tests"] == ["tests/test_repro.py"]
    assert first["reproduction"] is False  # it fails: the bug is still there
    assert second["reproduction_tests"] == ["tests/test_repro.py"]  # the passing one is dropped
    assert (report.tests or {})["reproduction"] is True
    assert (report.tests or {})["reproduction_tests"] == ["tests/test_repro.py"]


def test_with_no_tests_named_the_base_runs_the_tests_related_to_the_code_under_repair(
    calc_repo: Path, issue_text: str
) -> None:
    """The base run takes the test files the graph relates to the function to rewrite, not the
    whole suite (which on 4 Lite dev rows gave 0 outcomes in its 300 s)."""
    report = solve(_options(calc_repo, issue_text), model=get_model([FIX, SUBMIT]))
    events = Path(report.run_dir, "trajectory.jsonl").read_text().splitlines()
    base = next(json.loads(e) for e in events if json.loads(e)["type"] == "base_tests")
    assert sorted({t.split("::")[0] for t in base["outcomes"]}) == ["tests/test_stats.py"]
    assert base["outcomes"]["tests/test_stats.py::test_median_even"] == "FAILED"
    assert base["files"] == ["tests/test_stats.py"] and base["timed_out"] is False
    assert report.status == "resolved"


def test_the_patch_loses_a_change_its_tests_do_not_need(calc_repo: Path, issue_text: str) -> None:
    """The fix and an unrelated edit in one node: the patch keeps the fix only (one test run
    put core.py back and still resolved the issue)."""
    aside = (
        "Tidy up too.\n```python\nedit('calculator/core.py', '\"\"\"Arithmetic on numbers.', "
        '\'"""Arithmetic on numbers: add, subtract, multiply, divide.\')\n```'
    )
    report = solve(_options(calc_repo, issue_text), model=get_model([aside, FIX, SUBMIT]))
    assert report.status == "resolved"
    assert "calculator/stats.py" in report.patch and "calculator/core.py" not in report.patch
    lines = Path(report.run_dir, "trajectory.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    (reduced,) = [e for e in events if e["type"] == "reduced"]
    assert reduced["dropped"] == ["calculator/core.py"] and reduced["tries"] == 1
    saved = json.loads(Path(report.run_dir, "report.json").read_text())
    assert saved["reduced"] == {k: reduced[k] for k in ("node", "dropped", "kept", "tries")}
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]
