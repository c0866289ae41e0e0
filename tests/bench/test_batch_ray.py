"""Batches on a local Ray cluster (num_cpus 2) with the local sandbox, no Docker: `bench run
--executor ray` with a replay model, resources per task, worker logs, failures, shared storage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench_world import FIX, SUBMIT, make_world

from swe_agent.bench import load_instances
from swe_agent.bench.batch import RunOptions, run_batch
from swe_agent.bench.executors import make_executor
from swe_agent.bench.journal import Journal, read_lines
from swe_agent.bench.ray_executor import GIB, TaskResources, check_fits
from swe_agent.errors import BadInput

LOCAL = {"search": "linear", "sandbox": "local", "setup_env": False, "iterations": 6,
         "agent": {"rewrite": False}}  # fmt: skip
IDS = ("octo__tinycalc-1", "octo__tinycalc-2", "octo__tinycalc-3")


def _break_commit(dataset: Path, index: int) -> None:
    rows = [json.loads(line) for line in dataset.read_text().splitlines()]
    rows[index]["base_commit"] = "0" * 40  # not in the mirror: the worker's task raises
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_a_task_that_fits_no_node_is_refused_before_it_waits_for_ever() -> None:
    nodes = [{"Alive": True, "Resources": {"CPU": 1.0, "memory": 8.0 * GIB}},
             {"Alive": False, "Resources": {"CPU": 64.0, "memory": 512.0 * GIB}}]  # fmt: skip
    check_fits(nodes, TaskResources(cpus=1.0, memory=4 * GIB))
    with pytest.raises(BadInput) as refused:
        check_fits(nodes, TaskResources(cpus=2.0, memory=4 * GIB))
    assert "each needs 2 CPUs and 4.0 GiB" in str(refused.value)
    assert "largest node has 1 CPUs and 8.0 GiB" in str(refused.value)


@pytest.mark.full
@pytest.mark.slow
def test_bench_run_on_ray_with_a_replay_model(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    world = make_world(tmp_path, IDS)
    recorded = tmp_path / "recorded"
    first = load_instances(world.dataset)[:1]
    options = RunOptions(out=recorded, mirrors=world.mirrors, model=(FIX, SUBMIT), solve=LOCAL)
    assert run_batch(first, options)["finished"] == 1  # a run to replay, made without Ray
    _break_commit(world.dataset, 2)
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "swe_agent", "bench", "run", str(world.dataset),
            "--repos", str(world.mirrors), "--out", str(out), "--executor", "ray",
            "--workers", "2", "-m", f"replay:{recorded / 'runs' / IDS[0]}", "--search", "linear",
            "--iterations", "6", "-c", "sandbox=local", "-c", "setup_env=false",
            "-c", "agent.rewrite=false", "--json"]  # fmt: skip
    env = {**os.environ, "RAY_DEDUP_LOGS": "0"}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
    result = json.loads(done.stdout)
    assert (result["finished"], result["failed"]) == (2, 1), done.stderr[-3000:]
    assert done.returncode == 1  # a failed instance
    preds = {p["instance_id"]: p for p in read_lines(out / "preds.jsonl")}
    assert sorted(preds) == list(IDS[:2])
    assert all("ordered[middle - 1] + ordered[middle]" in p["model_patch"] for p in preds.values())
    failed = Journal(out / "journal.jsonl").last_events()[IDS[2]]
    assert failed["event"] == "failed" and "no commit" in failed["error"]
    # the workers' log records reach the driver's stderr, prefixed by Ray with the task's pid
    assert "pid=" in done.stderr and "the LOCAL sandbox is NOT isolated" in done.stderr


@pytest.mark.full
@pytest.mark.slow
def test_tasks_hold_their_sandboxes_resources_and_need_the_drivers_folders(
    tmp_path: Path,
) -> None:
    pytest.importorskip("ray")

    def _assigned(_arg: object) -> dict[str, Any]:  # nested: Ray ships it by value
        import ray

        return dict(ray.get_runtime_context().get_assigned_resources())

    executor = make_executor("ray", workers=1, sandbox="local", shared=(tmp_path,))
    try:
        held = executor.submit(_assigned, None).result(timeout=300)
    finally:
        executor.close()
    assert held == {"CPU": 1.0, "memory": 4.0 * GIB}  # the local sandbox's RLIMIT_AS
    with pytest.raises(BadInput) as refused:
        make_executor("ray", workers=1, sandbox="local", shared=(tmp_path, tmp_path / "absent"))
    assert f"folder {tmp_path / 'absent'}" in str(refused.value)
    assert "same path" in (refused.value.hint or "")
