"""What a model reads of a failing pytest run: the first failure whole, the others by line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from swe_agent.agent.failures import clip, failure_report

TESTS = """
import pytest


def add(a, b):
    return a - b


@pytest.mark.parametrize("a,b,expected", [(0, 0, 0), (4, 6, 10), (5, 1, 6), (9, 3, 12)])
def test_add(a, b, expected):
    assert add(a, b) == expected


def test_passes():
    assert True
"""


def _pytest_output(tmp_path: Path) -> str:
    (tmp_path / "test_add.py").write_text(TESTS)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "test_add.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    return done.stdout


def test_the_first_failure_whole_and_the_others_listed(tmp_path: Path) -> None:
    report = failure_report(_pytest_output(tmp_path))
    first, listed = report.split("\n\n3 failing:\n")
    assert first.startswith("_") and "test_add[4-6-10]" in first
    assert "assert -2 == 10" in first and "test_add[5-1-6]" not in first
    assert listed.count("FAILED test_add.py::test_add[") == 3
    assert "PASSED" not in report


def test_no_failure_no_report(tmp_path: Path) -> None:
    assert failure_report("3 passed\n") == ""
    assert failure_report("") == ""


def test_a_long_failure_keeps_its_head_and_its_tail() -> None:
    text = "head\n" + "x" * 5000 + "\nE   assert 1 == 2"
    cut = clip(text, 300)
    assert len(cut) < 360 and cut.startswith("head") and cut.endswith("assert 1 == 2")


SUITE = """
import os
import unittest


def add(a, b):
    return a - b


class EnvTest(unittest.TestCase):
    def test_home_is_set(self):
        self.assertEqual(os.environ.get("NO_SUCH_VARIABLE_HERE"), "/home/user")


def test_add():
    assert add(4, 6) == 10
"""


def test_about_keeps_only_the_failures_that_touch_the_code_under_repair(tmp_path: Path) -> None:
    (tmp_path / "test_suite.py").write_text(SUITE)
    output = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "test_suite.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout
    whole = failure_report(output)
    assert "test_home_is_set" in whole and "2 failing:" in whole  # the first failure: the env's
    report = failure_report(output, about=["calc.py", "add"])
    assert "assert -2 == 10" in report
    assert "test_home_is_set" not in report and "failing:" not in report
    assert failure_report(output, about=["calc.py", "subtract"]) == ""
    # A method call names its function too; a longer word holding the name does not.
    assert "assert" in failure_report(output.replace("add(4, 6)", "calc.add(4, 6)"), about=["add"])
    assert failure_report(output.replace("add(", "address("), about=["add"]) == ""
