"""solve through the real Docker sandbox, with the environment set up and cached."""

from __future__ import annotations

from pathlib import Path

import pytest
from solve_replies import FIX, SUBMIT

from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_solve_in_docker_with_environment(
    calc_repo: Path, issue_text: str, docker_image: str
) -> None:
    options = SolveOptions(
        repo=calc_repo, issue=issue_text, search="linear", iterations=6, agent={"rewrite": False}
    )
    report = solve(options, model=get_model([FIX, SUBMIT]))
    assert (report.environment or {})["success"] is True
    assert report.status == "resolved"
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]
