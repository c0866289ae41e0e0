"""solve runs the issue's example in its sandbox, traced, and ranks again with what it ran."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_agent.agent.trajectory import Trajectory
from swe_agent.solve import SolveOptions
from swe_agent.solve.context import gather_context
from swe_agent.solve.pipeline import run_example

pytestmark = pytest.mark.docker


def test_the_example_runs_in_the_box_which_is_left_as_it_was(
    calc_repo: Path, issue_text: str, docker_image: str, tmp_path: Path
) -> None:
    from sandbox import start_sandbox

    options = SolveOptions(repo=calc_repo, issue=issue_text)
    context = gather_context(calc_repo, issue_text, top=5, snippets=1)
    assert context.main_package == "calculator"
    said: list[str] = []
    path = tmp_path / "trajectory.jsonl"
    with start_sandbox(calc_repo, image=docker_image) as box, Trajectory(path) as trajectory:
        traced = run_example(options, context, box, trajectory, say=said.append)
        assert box.snapshot() == box.base_state
    assert said == ["running the issue's example, traced"]
    (event,) = [e for e in map(json.loads, path.read_text().splitlines()) if e["type"] == "example"]
    assert event["ran"] == 2 and event["raised"] == []  # median and _require_values
    functions = [loc for loc in traced.locations if loc["kind"] == "function"]
    assert functions[0]["id"] == "calculator/stats.py:median"
    assert traced.graph is context.graph


def test_an_issue_with_no_example_keeps_its_context(
    calc_repo: Path, docker_image: str, tmp_path: Path
) -> None:
    from sandbox import start_sandbox

    issue = "median() is wrong for an even number of values"
    options = SolveOptions(repo=calc_repo, issue=issue)
    context = gather_context(calc_repo, issue, top=5, snippets=1)
    with (
        start_sandbox(calc_repo, image=docker_image) as box,
        Trajectory(tmp_path / "t.jsonl") as trajectory,
    ):
        assert run_example(options, context, box, trajectory, say=lambda _: None) is context
