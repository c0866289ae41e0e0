"""solve through the real Docker sandbox, with the environment set up and cached."""

from __future__ import annotations

from pathlib import Path

import pytest
from solve_replies import FIX, SUBMIT

from swe_agent.agent.trajectory import read_events
from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve
from swe_agent.solve.session import Environment

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_solve_in_docker_with_environment(
    calc_repo: Path, issue_text: str, docker_image: str
) -> None:
    options = SolveOptions(
        repo=calc_repo, issue=issue_text, search="linear", iterations=6, agent={"rewrite": False}
    )
    which = "Which interpreter?\n```python\nimport sys\nprint(sys.executable)\n```"
    report = solve(options, model=get_model([which, FIX, SUBMIT]))
    assert (report.environment or {})["success"] is True
    assert report.status == "resolved"
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]
    # The agent's actions run on the environment's interpreter, the one the tests run on.
    events = read_events(Path(report.run_dir) / "trajectory.jsonl")
    first = next(e for e in events if e["type"] == "action")
    assert first["obs"]["stdout"].strip() == "/opt/swe-venv/bin/python3", first["obs"]


def test_the_sandbox_puts_a_set_up_venv_first_on_path() -> None:
    record = {"success": True, "venv": "/opt/swe-venv"}
    env = Environment("swe-agent/env:x", "3.9", "pytest", record).sandbox_env()
    assert env["PATH"].startswith("/opt/swe-venv/bin:/usr/local/sbin:")
    failed = {"success": False, "venv": "/opt/swe-venv"}  # the base image has no venv
    assert Environment("swe-agent/python:3.9", "3.9", "pytest", failed).sandbox_env() == {}
    assert Environment(None, "3.9", "pytest", None).sandbox_env() == {}  # local: no set-up
