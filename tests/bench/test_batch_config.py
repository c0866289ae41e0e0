"""`bench run` takes its solve options from the sources `solve` reads, checked before any work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from bench_world import FIX, SUBMIT, make_world
from typer.testing import CliRunner

from swe_agent.bench import load_instances
from swe_agent.bench.batch import RunOptions, run_batch
from swe_agent.cli import app

LOCAL = {"search": "linear", "sandbox": "local", "setup_env": False, "agent": {"rewrite": False}}


def test_bench_run_reads_the_user_project_and_c_files_flags_and_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(tmp_path)
    recorded = tmp_path / "recorded"
    options = RunOptions(out=recorded, mirrors=world.mirrors, model=(FIX, SUBMIT), solve=LOCAL)
    assert run_batch(load_instances(world.dataset), options)["finished"] == 1
    run_dir = recorded / "runs" / "octo__tinycalc-1"
    xdg, here = tmp_path / "xdg", tmp_path / "here"
    (xdg / "swe-agent").mkdir(parents=True)
    (xdg / "swe-agent" / "config.yaml").write_text(
        yaml.safe_dump({**LOCAL, "model": f"replay:{run_dir}", "iterations": 7})
    )
    (here / ".swe-agent").mkdir(parents=True)
    (here / ".swe-agent" / "config.yaml").write_text("iterations: 6\nsandbox: docker\nseed: 5\n")
    extra = tmp_path / "batch.yaml"
    extra.write_text("max_steps: 9\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.chdir(here)
    out = tmp_path / "out"
    args = ["bench", "run", str(world.dataset), "--repos", str(world.mirrors), "--out", str(out)]
    more = ["-C", str(extra), "--judge", "off", "--expansions", "2", "-c", "test_timeout_s=77"]
    result = CliRunner().invoke(app, [*args, *more, "--json"])
    assert result.exit_code == 0, result.output
    said = result.stderr.replace("\n", "")
    assert "ignored" in said and "config.yaml:sandbox: only your user file" in said
    config = yaml.safe_load((out / "runs" / "octo__tinycalc-1" / "config.yaml").read_text())
    assert config["model"] == f"replay:{run_dir}" and config["sandbox"] == "local"
    assert (config["iterations"], config["seed"], config["max_steps"]) == (6, 5, 9)
    assert (config["judge"], config["expansions"], config["test_timeout_s"]) == ("off", 2, 77)
    preds = [json.loads(line) for line in (out / "preds.jsonl").read_text().splitlines()]
    assert preds[0]["model_name_or_path"] == f"replay:{run_dir}" and preds[0]["model_patch"]


def test_a_bad_config_file_stops_bench_run_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(tmp_path)
    xdg = tmp_path / "xdg"
    (xdg / "swe-agent").mkdir(parents=True)
    (xdg / "swe-agent" / "config.yaml").write_text("max_calls: 0\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    out = tmp_path / "out"
    args = ["bench", "run", str(world.dataset), "--repos", str(world.mirrors), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 2
    message = json.loads(result.stdout)["error"]["message"]
    assert message == f"{xdg / 'swe-agent' / 'config.yaml'}:max_calls: " + (
        "Input should be greater than or equal to 1"
    )
    assert not out.exists()
