"""Fixtures for the review TUI tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_testlib import RUN_ID, add_test_hunks, make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The calculator example under git with the fixture run in .swe-agent/runs/."""
    return make_repo(tmp_path)


@pytest.fixture
def wide_repo(repo: Path) -> Path:
    """``repo`` whose chosen node has three hunks in two files (see add_test_hunks)."""
    add_test_hunks(repo)
    return repo


@pytest.fixture
def run_dir(repo: Path) -> Path:
    """The fixture run's folder inside ``repo``."""
    return repo / ".swe-agent" / "runs" / RUN_ID
