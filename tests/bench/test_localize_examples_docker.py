"""`bench localize --example-image`: the issue's example runs in a real sandbox, traced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_world import make_world
from typer.testing import CliRunner

from swe_agent.cli import app

pytestmark = pytest.mark.docker

SESSION = (
    "median() is wrong for even lengths\n\n"
    ">>> from tinycalc.stats import median\n>>> median([4, 1, 3, 2])\n3\n"
    ">>> median([])\nIndexError: list index out of range\n"
)


def test_the_example_runs_in_the_sandbox_and_its_trace_ranks(
    tmp_path: Path, docker_image: str
) -> None:
    world = make_world(tmp_path, ("octo__tinycalc-1", "octo__tinycalc-2"))
    rows = [json.loads(line) for line in world.dataset.read_text().splitlines()]
    rows[0]["problem_statement"] = SESSION  # the second keeps its prose-only issue
    world.dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = CliRunner().invoke(
        app,
        [
            "bench", "localize", str(world.dataset), "--repos", str(world.mirrors),
            "--repo-url-template", "", "--cache-dir", str(tmp_path / "cache"),
            "--example-image", docker_image, "--example-timeout", "30", "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.stdout)["rows"]
    assert first["example"] == "example ran 1 functions, raised through 1 frames"
    assert first["top"]["functions"][0] == "tinycalc/stats.py:median"
    assert "example" in first["timings"]
    assert second["example"] == "no example run"
    # The sandbox ran on a copy: the cached checkout is as it was.
    checkout = next((tmp_path / "cache" / "octo+tinycalc").iterdir())
    assert not (checkout / ".git").exists()
