"""`bench run` through the Docker sandbox and the cached environment, then `bench eval` of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_world import FIX, SUBMIT, make_world

from swe_agent.bench import load_instances
from swe_agent.bench.batch import RunOptions, run_batch
from swe_agent.bench.evaluate import EvalOptions, evaluate

pytestmark = pytest.mark.docker


def test_run_then_eval_resolves_with_the_scripted_fix(tmp_path: Path, docker_image: str) -> None:
    world = make_world(tmp_path)
    instances = load_instances(world.dataset)
    solve = {
        "search": "linear",
        "iterations": 4,
        "test_timeout_s": 120.0,
        "agent": {"rewrite": False},  # the scripted replies are free-form actions
    }
    options = RunOptions(
        out=tmp_path / "run", mirrors=world.mirrors, model=(FIX, SUBMIT), solve=solve
    )
    result = run_batch(instances, options)
    assert result["finished"] == 1, result
    report = json.loads(
        (tmp_path / "run" / "runs" / "octo__tinycalc-1" / "report.json").read_text()
    )
    assert report["environment"]["success"] and report["environment"]["image"]
    preds = str(tmp_path / "run" / "preds.jsonl")
    summary = evaluate(instances, preds, EvalOptions(out=tmp_path / "eval", mirrors=world.mirrors))
    assert summary["resolved"] == ["octo__tinycalc-1"]


def test_run_command_replays_a_recorded_run(tmp_path: Path, docker_image: str) -> None:
    import typer
    from typer.testing import CliRunner

    from swe_agent.cli.bench_batch import eval_command, run_command

    world = make_world(tmp_path)
    first = RunOptions(
        out=tmp_path / "first",
        mirrors=world.mirrors,
        model=(FIX, SUBMIT),
        solve={
            "search": "linear",
            "iterations": 4,
            "run_tests": False,
            "agent": {"rewrite": False},
        },
    )
    run_batch(load_instances(world.dataset), first)
    recorded = tmp_path / "first" / "runs" / "octo__tinycalc-1"
    app = typer.Typer()
    app.command("run")(run_command)
    app.command("eval")(eval_command)
    args = ["run", str(world.dataset), "--model", f"replay:{recorded}", "--out",
            str(tmp_path / "again"), "--repos", str(world.mirrors), "--search", "linear",
            "--iterations", "4", "-c", "agent.rewrite=false", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["finished"] == 1
    again = [
        json.loads(line) for line in (tmp_path / "again" / "preds.jsonl").read_text().splitlines()
    ]
    before = [
        json.loads(line) for line in (tmp_path / "first" / "preds.jsonl").read_text().splitlines()
    ]
    assert again[0]["model_patch"] == before[0]["model_patch"] != ""
    assert again[0]["model_name_or_path"] == f"replay:{recorded}"
