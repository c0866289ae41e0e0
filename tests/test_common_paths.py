"""What a test path is: one rule for localization, the solve loop and the benchmarks."""

from __future__ import annotations

import pytest

from common import is_test_module, is_test_path


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_ops.py",
        "sympy/core/tests/test_basic.py",
        "testing/python/raises.py",  # pytest's own tests
        "test_requests.py",
        "python_testcases/test_gcd.py",
        "pkg/conftest.py",
        "tests/data/input.txt",  # a fixture the tests read
        "astropy/io/Tests/helpers.py",  # folder names in any case
        "ui/e2e/login.spec.ts",
        "src/unittests/runner.py",
        "pkg/stats_test.py",
        "app/tests.py",  # Django's per-app module
        "tools/run_tests.py",  # tooling of the tests
    ],
)
def test_test_code(path: str) -> None:
    assert is_test_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "src/_pytest/python.py",
        "sympy/core/basic.py",
        "pylint/testutils/checker.py",
        "docs/testing.rst",
        "src/latest.py",
        "contest/score.py",
        "test.txt",
    ],
)
def test_not_test_code(path: str) -> None:
    assert not is_test_path(path)


def test_test_modules_are_python_files_of_tests() -> None:
    assert is_test_module("tests/test_ops.py") and is_test_module("tests/helpers/util.py")
    assert is_test_module("pkg/stats_test.py") and is_test_module("app/tests.py")
    assert not is_test_module("tests/__init__.py") and not is_test_module("pkg/conftest.py")
    assert not is_test_module("tests/data/input.txt")
    assert not is_test_module("tools/run_tests.py")  # pytest does not collect it
    assert not is_test_module("src/stats.py")
