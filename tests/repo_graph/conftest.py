"""Fixtures of the repo_graph tests: copies of the fixture repositories."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from graph_golden import FIXTURES


@pytest.fixture
def fixture_repo(tmp_path: Path) -> Callable[[str], Path]:
    """Copy one of tests/fixtures/graph/<name> into tmp_path (a plain directory, no git)."""

    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(
            FIXTURES / name, target, symlinks=True, ignore=shutil.ignore_patterns(".swe-agent")
        )
        return target

    return make
