"""`bench env`: the environment of a tiny real instance is set up and its tests collect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_world import make_world
from typer.testing import CliRunner

from swe_agent.bench.env_bench import named_test_files
from swe_agent.cli import app


def test_named_test_files_come_in_first_seen_order() -> None:
    row = {
        "FAIL_TO_PASS": '["a/test_x.py::t1", "b/test_y.py::t"]',
        "PASS_TO_PASS": ["a/test_x.py::t2"],
    }
    assert named_test_files(row) == ("a/test_x.py", "b/test_y.py")


@pytest.mark.docker
def test_bench_env_sets_up_and_collects(tmp_path: Path, docker_image: str) -> None:
    world = make_world(tmp_path / "world")
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "env",
            str(world.dataset),
            "--repos",
            str(world.mirrors),
            "--work",
            str(tmp_path / "work"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index('{\n  "rows"') :])
    assert report["summary"]["success"] == 1
    assert report["rows"][0]["collected"] >= 1


def test_bench_env_bad_mirrors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["bench", "env", str(tmp_path / "d.jsonl"), "--repos", str(tmp_path / "none")]
    )
    assert result.exit_code == 2


def test_summary_gives_rate_times_and_each_repository() -> None:
    from swe_agent.bench.env_bench import EnvRow, summarize

    rows = [
        EnvRow("a-1", "o/a", True, "3.9", False, 100.0, 1, 5),
        EnvRow("a-2", "o/a", True, "3.9", True, 2.0, 1, 5),
        EnvRow("b-1", "o/b", False, None, False, 0.5, 1, 0, "RepoNotAvailable: no mirror"),
    ]
    summary = summarize(rows)
    assert summary["success"] == 2 and summary["success_rate"] == 0.667
    assert summary["mean_build_s"] == 100.0 and summary["mean_cache_hit_s"] == 2.0
    assert summary["per_repo"]["o/a"] == {
        "instances": 2,
        "success": 2,
        "cache_hits": 1,
        "mean_s": 51.0,
    }
    assert summary["per_repo"]["o/b"]["success"] == 0
