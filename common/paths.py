"""What a repository path is by convention: test code, or a test module pytest collects."""

from __future__ import annotations

from pathlib import PurePosixPath

TEST_DIRS = frozenset({"test", "tests", "testing", "e2e", "unittests"})


def _in_test_folder(path: PurePosixPath) -> bool:
    return any(part.lower() in TEST_DIRS for part in path.parts[:-1])


def _named_as_tests(stem: str) -> bool:
    """pytest's and unittest's names for a module of tests."""
    return stem.startswith("test_") or stem.endswith("_test") or stem == "tests"


def is_test_path(path: str) -> bool:
    """Test code or its data: under a test folder (``tests/``, ``testing/``, any case), a
    module of tests (``test_x.py``, ``x_test.py``, ``tests.py``), pytest's ``conftest.py``, or
    test tooling (``run_tests.py``), whatever the extension."""
    pure = PurePosixPath(path)
    stem = pure.name.rsplit(".", 1)[0]
    return (
        _in_test_folder(pure)
        or _named_as_tests(stem)
        or stem.endswith("_tests")
        or stem == "conftest"
    )


def is_test_module(path: str) -> bool:
    """A Python module of tests pytest would collect or a test folder holds; not the package
    or pytest plumbing beside them (``__init__.py``, ``conftest.py``)."""
    pure = PurePosixPath(path)
    if pure.suffix != ".py" or pure.name in ("__init__.py", "conftest.py"):
        return False
    return _in_test_folder(pure) or _named_as_tests(pure.stem)
