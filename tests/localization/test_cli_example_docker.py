"""`swe-agent localize --run-example`: the issue's example runs in a Docker sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from swe_agent.cli import app

pytestmark = pytest.mark.docker

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calculator"


def test_localize_runs_the_example_and_reports_what_it_ran(
    tmp_path: Path, docker_image: str
) -> None:
    repo = tmp_path / "calc"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".pytest_cache", ".swe-agent"))
    before = sorted(p.name for p in repo.iterdir())
    args = ["localize", "--repo", str(repo), "--issue", f"@{repo / 'ISSUE.md'}", "--run-example"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["example"]["ran"] == 2 and data["example"]["raised"] == []
    assert data["functions"][0]["id"] == "calculator/stats.py:median"
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "example: ran 2 functions of the repository" in shown.output
    # The example ran on a copy: the working tree only gained the graph cache.
    assert sorted(p.name for p in repo.iterdir() if p.name != ".swe-agent") == before
