"""How the review app looks at 80x24, dark and light (SVG snapshots; --snapshot-update)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_testlib import FIXTURE_RUN

from swe_agent.runs import RunPaths
from tui import ReviewApp, ReviewSettings, make_app

SIZE = (80, 24)


def _app(tmp_path: Path, **settings: Any) -> ReviewApp:
    # the fixture run is only read: nothing here applies or exports
    return make_app(RunPaths(FIXTURE_RUN), ReviewSettings(repo=tmp_path, **settings))


def test_main_screen(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=SIZE)


def test_main_screen_light_with_an_accepted_hunk(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path, theme="light"), press=["space"], terminal_size=SIZE)


def test_failing_node_in_the_light_theme(snap_compare: Any, tmp_path: Path) -> None:
    # up from #3: #2, #1 (the node whose tests fail: test_median_odd breaks)
    assert snap_compare(_app(tmp_path, theme="light"), press=["up", "up"], terminal_size=SIZE)


def test_trajectory_tab(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), press=["2"], terminal_size=SIZE)


def test_tests_tab(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), press=["3"], terminal_size=SIZE)


def test_help_screen(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), press=["question_mark"], terminal_size=SIZE)
